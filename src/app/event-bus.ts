// One in-process event bus. Each listener is wrapped so that an exception in one handler is logged and does not
// stop the others or crash the process (the zigbee2mqtt pattern). The incident's steps (core/ports/incident-events.ts)
// travel on it from capture to the hub's ack.
import type { IncidentEventSink, IncidentEventSource, IncidentEvents } from '../core/ports/incident-events.js';
import type { Logger } from '../observability/logger.js';

export interface AppEvents extends IncidentEvents {
  'module-failed': { module: string; error: string };
}

type Listener<T> = (payload: T) => void | Promise<void>;

export class EventBus implements IncidentEventSink, IncidentEventSource {
  readonly #listeners = new Map<keyof AppEvents, Set<Listener<never>>>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  on<K extends keyof AppEvents>(event: K, listener: Listener<AppEvents[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof AppEvents>(event: K, payload: AppEvents[K]): void {
    for (const l of this.#listeners.get(event) ?? []) {
      try {
        const r = (l as Listener<AppEvents[K]>)(payload);
        if (r instanceof Promise) r.catch((e: unknown) => this.#log.error({ err: e, event }, 'event listener failed'));
      } catch (e) {
        this.#log.error({ err: e, event }, 'event listener failed');
      }
    }
  }
}

// An NVR alarm input as a button: follows the alertStream and reports each press of an input (IO event going
// active) once. Recorders repeat "active" while an input stays closed (activePostCount counts up), so only the
// first active after an inactive — or after `repeatMs` of quiet for that input — counts as a new press.
import { type Clock, systemClock } from '../../../core/ports/clock.js';
import { type AlertStreamOptions, AlertStreamWatcher } from './alert-stream.js';
import type { IsapiClient } from './client.js';

export interface IoTriggerOptions {
  /** Inputs to watch (inputIOPortID); others are ignored. */
  inputs: readonly number[];
  onPress: (input: number, at: Date) => void;
  repeatMs?: number;
  silenceMs?: number;
  onState?: AlertStreamOptions['onState'];
  /** Dates each press (the system clock unless given). */
  clock?: Clock;
}

export class NvrIoTrigger {
  readonly #watcher: AlertStreamWatcher;
  readonly #last = new Map<number, number>();
  readonly #active = new Set<number>();

  constructor(client: IsapiClient, o: IoTriggerOptions) {
    const repeat = o.repeatMs ?? 3000;
    this.#watcher = new AlertStreamWatcher(client, {
      ...(o.silenceMs !== undefined ? { silenceMs: o.silenceMs } : {}),
      ...(o.onState ? { onState: o.onState } : {}),
      onEvent: (e) => {
        if (e.eventType !== 'IO' || e.inputIOPortID === undefined || !o.inputs.includes(e.inputIOPortID)) return;
        const input = e.inputIOPortID;
        if (e.eventState === 'inactive') {
          this.#active.delete(input);
          return;
        }
        const now = (o.clock ?? systemClock).now().getTime();
        const last = this.#last.get(input) ?? 0;
        this.#last.set(input, now);
        if (this.#active.has(input) && now - last < repeat) return;
        this.#active.add(input);
        o.onPress(input, new Date(now));
      },
    });
  }

  start(): void {
    this.#watcher.start();
  }

  stop(): Promise<void> {
    return this.#watcher.stop();
  }
}

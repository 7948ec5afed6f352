// The hub page's sessions in the hub store (callback style, as @fastify/session calls it), so every worker that
// serves the page shares them and removing a hub user ends that user's sessions everywhere.
import { type Clock, systemClock } from '../../core/ports/clock.js';
import type { HubStore } from '../../core/ports/hub-store.js';
import type { WebSessionStore } from '../../web/deps.js';

export class HubSessionStore implements WebSessionStore {
  readonly #store: HubStore;
  readonly #clock: Clock;

  /** `clock` must be the one the expiry was set by: @fastify/session uses the system time. */
  constructor(store: HubStore, clock: Clock = systemClock) {
    this.#store = store;
    this.#clock = clock;
  }

  set(id: string, session: { cookie?: { expires?: Date | string | null } }, callback: (err?: Error | null) => void) {
    const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(8.64e15);
    this.#store.putSession(id, JSON.stringify(session), expires.toISOString()).then(() => callback(null), callback);
  }

  get(id: string, callback: (err: Error | null | undefined, session?: unknown) => void) {
    this.#store.getSession(id, this.#clock.now()).then(
      (data) => callback(null, data ? JSON.parse(data) : null),
      (e: Error) => callback(e),
    );
  }

  destroy(id: string, callback: (err?: Error | null) => void) {
    this.#store.deleteSession(id).then(() => callback(null), callback);
  }
}

// The failed-login lockout for the hub page, per worker process (the rate limit per address applies on top). A
// partnership with several page workers behind one address gives an attacker a few more tries per lockout, no more.
import { DEFAULT_THROTTLE, lockoutMs, type ThrottlePolicy } from '../../adapters/store/sqlite-accounts.js';
import type { LoginThrottle } from '../../core/ports/accounts.js';
import type { Clock } from '../../core/ports/clock.js';

export class MemoryLoginThrottle implements LoginThrottle {
  readonly #clock: Clock;
  readonly #policy: ThrottlePolicy;
  readonly #keys = new Map<string, { failures: number; lastFailure: number; lockedUntil: number }>();

  constructor(clock: Clock, policy: ThrottlePolicy = DEFAULT_THROTTLE) {
    this.#clock = clock;
    this.#policy = policy;
  }

  retryAfterMs(key: string): number {
    return Math.max(0, (this.#keys.get(key)?.lockedUntil ?? 0) - this.#clock.now().getTime());
  }

  failed(key: string): { lockedMs: number; failures: number } {
    const now = this.#clock.now().getTime();
    for (const [k, v] of this.#keys) if (now - v.lastFailure > this.#policy.forgetAfterMs) this.#keys.delete(k);
    const failures = (this.#keys.get(key)?.failures ?? 0) + 1;
    const lockedMs = lockoutMs(failures, this.#policy);
    this.#keys.set(key, { failures, lastFailure: now, lockedUntil: now + lockedMs });
    return { lockedMs, failures };
  }

  succeeded(key: string): void {
    this.#keys.delete(key);
  }
}

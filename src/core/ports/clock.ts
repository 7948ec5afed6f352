// Time comes through this port so that retention, audit and capture logic can be tested with a fixed clock.
// This file is the one place in src/ that reads the wall clock (scripts/check-clock.mjs, run by `npm run lint`,
// fails on any other); waiting for a moment on the clock goes through it too, so a test's clock and the time a
// service waits for are one clock.
export interface Clock {
  now(): Date;
  /** Resolves once `ms` have passed on this clock. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** A clock that only moves when told to: for tests and for `--now` on CLI commands. */
export class FixedClock implements Clock {
  #ms: number;
  constructor(start: Date | string | number) {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  /** Sleeping is being told to move: the time advances by `ms` and the sleeper resumes on a later turn. */
  sleep(ms: number): Promise<void> {
    this.advance(Math.max(0, ms));
    return new Promise((resolve) => setImmediate(resolve));
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(to: Date | string | number): void {
    this.#ms = new Date(to).getTime();
  }
}

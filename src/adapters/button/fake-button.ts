// A button driven by the test or the demo: down()/up() at given times, or press() for a whole press.
import type { PressTiming } from '../../core/button-press.js';
import type { Clock } from '../../core/ports/clock.js';
import { EdgeButton } from './edge-button.js';

export class FakeButton extends EdgeButton {
  readonly #clock: Clock;

  constructor(timing: PressTiming, clock: Clock, source = 'fake') {
    super(source, timing);
    this.#clock = clock;
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  /** Raw edge at monotonic time t (ms). */
  down(t: number): void {
    this.edge({ down: true, t, wall: this.#clock.now() });
  }

  up(t: number): void {
    this.edge({ down: false, t, wall: this.#clock.now() });
  }

  /** A clean press held for holdMs, starting at t. */
  press(t: number, holdMs = 100): void {
    this.down(t);
    this.up(t + holdMs);
  }
}

// Turns raw button edges into presses: contact bounce is ignored, one press gives one trigger, and a press held for
// longPressMs or more is a "long" press. Pure: the caller supplies the times, so tests need no timers.
import type { ButtonPress } from './ports/button.js';

export interface PressTiming {
  /** Edges closer than this to the last accepted edge are bounce. */
  debounceMs: number;
  longPressMs: number;
}

/** One raw edge: `down` true when the button went down. `t` is a monotonic time in ms (device timestamps when
 * the device gives them); `wall` is the wall-clock time the adapter saw the edge. */
export interface Edge {
  down: boolean;
  t: number;
  wall: Date;
}

export class PressDetector {
  readonly #timing: PressTiming;
  readonly #source: string;
  #isDown = false;
  #lastT = Number.NEGATIVE_INFINITY;
  #downT = 0;
  #downWall = new Date(0);

  constructor(source: string, timing: PressTiming) {
    this.#source = source;
    this.#timing = timing;
  }

  /** Feeds one edge; returns the press it completes, if any. A press is reported on release. */
  edge(e: Edge): ButtonPress | undefined {
    if (e.down === this.#isDown) return undefined;
    if (e.t - this.#lastT < this.#timing.debounceMs) return undefined;
    this.#lastT = e.t;
    this.#isDown = e.down;
    if (e.down) {
      this.#downT = e.t;
      this.#downWall = e.wall;
      return undefined;
    }
    return { at: this.#downWall, long: e.t - this.#downT >= this.#timing.longPressMs, source: this.#source };
  }

  /** Forgets a half-seen press (device reopened, stream restarted). */
  reset(): void {
    this.#isDown = false;
    this.#lastT = Number.NEGATIVE_INFINITY;
  }
}

/** When the incident happened: the press time, or longPressMinutesAgo earlier for a long press. */
export function incidentTime(press: ButtonPress, longPressMinutesAgo: number): Date {
  return press.long ? new Date(press.at.getTime() - longPressMinutesAgo * 60_000) : press.at;
}

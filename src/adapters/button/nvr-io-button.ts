// A trigger wired to one of the recorder's alarm inputs: consumes the AlarmEvents port (the NVR adapter's ISAPI
// alertStream / ONVIF digital-input events) and treats "active" as the button going down.
import type { PressTiming } from '../../core/button-press.js';
import type { AlarmEvents } from '../../core/ports/alarm-events.js';
import type { Clock } from '../../core/ports/clock.js';
import { EdgeButton } from './edge-button.js';

export interface NvrIoButtonOptions {
  input: number;
  /** Opened at start(); its iterator is returned (closed) at stop(). */
  events: () => AlarmEvents;
  timing: PressTiming;
  clock: Clock;
  onEnd?: (why: string) => void;
}

export class NvrIoButton extends EdgeButton {
  readonly #o: NvrIoButtonOptions;
  #iterator: AsyncIterator<unknown> | undefined;

  constructor(o: NvrIoButtonOptions) {
    super(`nvr-io:${o.input}`, o.timing);
    this.#o = o;
  }

  async start(): Promise<void> {
    const it = this.#o.events()[Symbol.asyncIterator]();
    this.#iterator = it;
    this.resetDetector();
    this.running = true;
    // The loop is not awaited at stop(): a producer whose next() is pending may only settle on its own timeout.
    void (async () => {
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          const ev = r.value;
          if (ev.kind !== 'io' || ev.input !== this.#o.input) continue;
          const wall = ev.at ?? this.#o.clock.now();
          // The recorder's own timestamps are second-resolution at best; our clock measures the hold better.
          this.edge({ down: ev.active, t: this.#o.clock.now().getTime(), wall });
        }
        if (this.running) this.#o.onEnd?.('the NVR event stream ended');
      } catch (e) {
        if (this.running) this.#o.onEnd?.(`the NVR event stream failed: ${(e as Error).message}`);
      } finally {
        this.running = false;
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    const it = this.#iterator;
    this.#iterator = undefined;
    await it?.return?.();
  }
}

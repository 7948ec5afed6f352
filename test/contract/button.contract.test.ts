// One contract for every Button: a press gives exactly one trigger, bounce is ignored, a long hold is a long press,
// nothing arrives after stop(). Each implementation gets a harness that feeds it raw input in its own format.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeButton } from '../../src/adapters/button/fake-button.js';
import { GpioButton } from '../../src/adapters/button/gpio-button.js';
import { encodeInputEvent, KeyboardButton } from '../../src/adapters/button/keyboard-button.js';
import { NvrIoButton } from '../../src/adapters/button/nvr-io-button.js';
import type { AlarmEvent } from '../../src/core/ports/alarm-events.js';
import type { Button, ButtonPress } from '../../src/core/ports/button.js';
import { FixedClock } from '../../src/core/ports/clock.js';

const timing = { debounceMs: 50, longPressMs: 1500 };
const T0 = '2026-11-23T10:00:00.000Z';

interface Harness {
  button: Button;
  /** Raw edge at monotonic time t ms; the harness also moves the clock to T0 + t. */
  edge(down: boolean, t: number): void;
  /** Waits until everything fed so far has been seen by the button. */
  settle(): Promise<void>;
}

const tick = () => new Promise((r) => setImmediate(r));

/** An async queue: what the NVR adapter's alertStream looks like from the button's side. */
function alarmQueue() {
  const items: AlarmEvent[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const iterable: AsyncIterable<AlarmEvent> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        while (items.length === 0 && !closed) await new Promise<void>((r) => (wake = r));
        const v = items.shift();
        return v ? { value: v, done: false } : { value: undefined, done: true };
      },
      async return() {
        closed = true;
        wake?.();
        return { value: undefined, done: true };
      },
    }),
  };
  return {
    iterable,
    push(e: AlarmEvent) {
      items.push(e);
      wake?.();
    },
  };
}

const implementations: Record<string, (clock: FixedClock) => Harness> = {
  fake: (clock) => {
    const b = new FakeButton(timing, clock);
    return {
      button: b,
      edge: (down, t) => {
        clock.set(Date.parse(T0) + t);
        if (down) b.down(t);
        else b.up(t);
      },
      settle: async () => {},
    };
  },
  gpio: (clock) => {
    const lines = new PassThrough();
    const b = new GpioButton({
      line: { chip: 'gpiochip0', line: 17, activeLow: true },
      timing,
      clock,
      major: 1,
      source: () => ({ lines, ended: new Promise(() => {}), close: () => lines.end() }),
    });
    const queue: { down: boolean; t: number }[] = [];
    return {
      button: b,
      // gpiomon v1 prints "<0 falling|1 rising> <s>.<ns>"; pressed pulls the line low.
      edge: (down, t) => queue.push({ down, t }),
      settle: async () => {
        for (const q of queue.splice(0)) {
          clock.set(Date.parse(T0) + q.t);
          const s = Math.floor(q.t / 1000);
          if (lines.writable) lines.write(`${q.down ? 0 : 1} ${5000 + s}.${(q.t - s * 1000) * 1e6}\n`);
          await tick();
        }
      },
    };
  },
  keyboard: (clock) => {
    const events = new PassThrough();
    const b = new KeyboardButton({ device: '/dev/input/event7', key: 'KEY_F13', timing, clock, open: () => events });
    const queue: { down: boolean; t: number }[] = [];
    return {
      button: b,
      edge: (down, t) => queue.push({ down, t }),
      settle: async () => {
        for (const q of queue.splice(0)) {
          clock.set(Date.parse(T0) + q.t);
          const base = 1_700_000_000_000 + q.t;
          // A real keyboard sends EV_MSC scan codes and EV_SYN around each key event; they must be skipped.
          if (events.writable)
            events.write(
              Buffer.concat([
                encodeInputEvent({ tMs: base, type: 4, code: 4, value: 0x70068 }),
                encodeInputEvent({ tMs: base, type: 1, code: 183, value: q.down ? 1 : 0 }),
                encodeInputEvent({ tMs: base, type: 0, code: 0, value: 0 }),
              ]),
            );
          await tick();
        }
      },
    };
  },
  'nvr-io': (clock) => {
    const q = alarmQueue();
    const b = new NvrIoButton({ input: 2, events: () => q.iterable, timing, clock });
    const queue: { down: boolean; t: number }[] = [];
    return {
      button: b,
      edge: (down, t) => queue.push({ down, t }),
      settle: async () => {
        for (const e of queue.splice(0)) {
          clock.set(Date.parse(T0) + e.t);
          // Another input's events must not count as this button.
          q.push({ kind: 'io', input: 1, active: e.down });
          q.push({ kind: 'io', input: 2, active: e.down });
          for (let i = 0; i < 4; i++) await tick();
        }
      },
    };
  },
};

describe.each(Object.entries(implementations))('Button contract: %s', (_name, make) => {
  let h: Harness;
  let presses: ButtonPress[];
  const setup = async () => {
    const clock = new FixedClock(T0);
    h = make(clock);
    presses = [];
    h.button.onPress((p) => presses.push(p));
    await h.button.start();
  };
  afterEach(async () => {
    await h.button.stop();
  });

  it('a short press gives one trigger, stamped when the button went down', async () => {
    await setup();
    h.edge(true, 1000);
    h.edge(false, 1200);
    await h.settle();
    expect(presses).toHaveLength(1);
    expect(presses[0]?.long).toBe(false);
    expect(presses[0]?.at.toISOString()).toBe('2026-11-23T10:00:01.000Z');
    expect(presses[0]?.source).toBe(h.button.source);
  });

  it('contact bounce on press and release still gives one trigger', async () => {
    await setup();
    for (const [d, t] of [
      [true, 1000],
      [false, 1003],
      [true, 1006],
      [false, 1300],
      [true, 1304],
      [false, 1309],
    ] as const)
      h.edge(d, t);
    await h.settle();
    expect(presses).toHaveLength(1);
  });

  it('a press held past longPressMs is a long press; two presses are two triggers', async () => {
    await setup();
    h.edge(true, 1000);
    h.edge(false, 2600);
    h.edge(true, 4000);
    h.edge(false, 4100);
    await h.settle();
    expect(presses.map((p) => p.long)).toEqual([true, false]);
  });

  it('nothing is delivered after stop()', async () => {
    await setup();
    await h.button.stop();
    h.edge(true, 1000);
    h.edge(false, 1200);
    await h.settle().catch(() => {});
    expect(presses).toHaveLength(0);
    await h.button.stop();
  });
});

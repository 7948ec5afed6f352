// One contract for every Clock: now() is a fresh Date (changing it changes nothing), and sleep(ms) resumes only once
// ms have passed on that same clock — the promise the capture service relies on when it waits for a live still.
import { describe, expect, it } from 'vitest';
import { type Clock, FixedClock, systemClock } from '../../src/core/ports/clock.js';

const clocks: [string, () => Clock][] = [
  ['system clock', () => systemClock],
  ['fixed clock', () => new FixedClock('2026-11-23T10:00:00Z')],
];

describe.each(clocks)('Clock contract: %s', (_name, make) => {
  it('now() gives a fresh Date each time', () => {
    const clock = make();
    const a = clock.now();
    a.setTime(0);
    expect(clock.now().getTime()).toBeGreaterThan(0);
  });

  it('sleep(ms) resumes after ms have passed on the same clock, not before', async () => {
    const clock = make();
    const before = clock.now().getTime();
    await clock.sleep(60);
    // Timers may round to the millisecond below the clock's reading.
    expect(clock.now().getTime() - before).toBeGreaterThanOrEqual(59);
  });

  it('sleep(0) and a negative sleep resume without moving time backwards', async () => {
    const clock = make();
    const before = clock.now().getTime();
    await clock.sleep(0);
    await clock.sleep(-5);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(before);
  });

  it('sleep resolves asynchronously: code after the call runs first', async () => {
    const clock = make();
    const order: string[] = [];
    const done = clock.sleep(0).then(() => order.push('woke'));
    order.push('after call');
    await done;
    expect(order).toEqual(['after call', 'woke']);
  });
});

describe('FixedClock', () => {
  it('moves only when told to: by advance, set or a sleep', async () => {
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2026-11-23T10:00:00.000Z');
    await clock.sleep(5000);
    expect(clock.now().toISOString()).toBe('2026-11-23T10:00:05.000Z');
    clock.advance(60_000);
    expect(clock.now().toISOString()).toBe('2026-11-23T10:01:05.000Z');
  });
});

// The CheckpointStore contract (signed audit checkpoints kept on the device), run against SQLite.
import { describe, expect, it } from 'vitest';
import { SqliteCheckpoints } from '../../src/adapters/store/sqlite-checkpoints.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import type { CheckpointRecord, CheckpointStore } from '../../src/core/ports/checkpoint-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { tempDir } from '../support/tmp.js';

const makers: { name: string; make: () => CheckpointStore }[] = [
  {
    name: 'sqlite',
    make: () => new SqliteCheckpoints(openDatabase(tempDir(), { clock: new FixedClock('2026-11-23T10:00:00Z') })),
  },
];

const cp = (seq: number): CheckpointRecord => ({
  seq,
  hash: `h${seq}`,
  time: `2026-11-23T10:0${seq % 10}:00.000Z`,
  jws: `jws.${seq}`,
  keyId: 'key-1',
});

describe.each(makers)('CheckpointStore contract: $name', ({ make }) => {
  it('keeps checkpoints, gives the newest and all of them oldest first', () => {
    const store = make();
    expect(store.last()).toBeUndefined();
    expect(store.all()).toEqual([]);
    store.record(cp(7), cp(7).time, () => {});
    store.record(cp(3), cp(3).time, () => {});
    expect(store.last()).toEqual({ seq: 7, hash: 'h7', time: cp(7).time });
    expect(store.all()).toEqual([cp(3), cp(7)]);
  });

  it('keeps nothing when what goes alongside fails, and runs it once when it succeeds', () => {
    const store = make();
    expect(() =>
      store.record(cp(1), cp(1).time, () => {
        throw new Error('queue full');
      }),
    ).toThrow('queue full');
    expect(store.all()).toEqual([]);
    let ran = 0;
    store.record(cp(1), cp(1).time, () => ran++);
    expect(ran).toBe(1);
    expect(store.all()).toEqual([cp(1)]);
  });
});

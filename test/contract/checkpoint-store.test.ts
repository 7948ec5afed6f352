// The CheckpointStore contract (signed audit checkpoints kept on the device, and which went to the hub), run
// against SQLite — the one adapter over audit_checkpoints, for the local checkpointer, the publisher and the report.
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

const cp = (seq: number, sentTo: 'hub' | null = null): CheckpointRecord => ({
  seq,
  hash: `h${seq}`,
  time: `2026-11-23T10:0${seq % 10}:00.000Z`,
  jws: `jws.${seq}`,
  keyId: 'key-1',
  sentTo,
});

describe.each(makers)('CheckpointStore contract: $name', ({ make }) => {
  it('keeps checkpoints, gives the newest and all of them oldest first', () => {
    const store = make();
    expect(store.last()).toBeUndefined();
    expect(store.all()).toEqual([]);
    store.record(cp(7));
    store.record(cp(3));
    expect(store.last()).toEqual(cp(7));
    expect(store.all()).toEqual([cp(3), cp(7)]);
  });

  it('says which went to the hub: the newest of those and how many, apart from the local ones', () => {
    const store = make();
    store.record(cp(2, 'hub'));
    store.record(cp(5, 'hub'));
    store.record(cp(9));
    expect(store.last()).toEqual(cp(9));
    expect(store.last('hub')).toEqual(cp(5, 'hub'));
    expect(store.count()).toBe(3);
    expect(store.count('hub')).toBe(2);
  });

  it('a second checkpoint at the same seq is ignored (a restart re-sending the same head)', () => {
    const store = make();
    store.record(cp(4, 'hub'));
    store.record({ ...cp(4), jws: 'other' });
    expect(store.all()).toEqual([cp(4, 'hub')]);
  });

  it('keeps nothing when what goes alongside fails, and runs it once when it succeeds', () => {
    const store = make();
    expect(() =>
      store.record(cp(1), () => {
        throw new Error('queue full');
      }),
    ).toThrow('queue full');
    expect(store.all()).toEqual([]);
    let ran = 0;
    store.record(cp(1), () => ran++);
    expect(ran).toBe(1);
    expect(store.all()).toEqual([cp(1)]);
  });
});

// The IncidentRepository contract, run against SQLite and the in-memory fake.
import { describe, expect, it } from 'vitest';
import { FakeIncidents } from '../../src/adapters/store/fake-incidents.js';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import type { IncidentRepository } from '../../src/core/ports/incidents.js';
import { tempDir } from '../support/tmp.js';

const makers: { name: string; make: (clock: FixedClock) => IncidentRepository }[] = [
  {
    name: 'sqlite',
    make: (clock) => new SqliteIncidents(openDatabase(tempDir(), { clock }), { clock, ids: counterIds('inc') }),
  },
  { name: 'fake', make: (clock) => new FakeIncidents({ clock, ids: counterIds('inc') }) },
];

describe.each(makers)('IncidentRepository contract: $name', ({ make }) => {
  const at = new Date('2026-11-23T10:00:00Z');

  it('creates an incident as triggered and reads it back', () => {
    const clock = new FixedClock('2026-11-23T10:00:01Z');
    const repo = make(clock);
    const i = repo.create({ siteId: 'shop-001', camera: 2, triggerTime: at, source: 'button' });
    expect(i).toMatchObject({
      siteId: 'shop-001',
      camera: 2,
      triggerTime: at.toISOString(),
      source: 'button',
      status: 'triggered',
      statusReason: null,
    });
    expect(repo.get(i.id)).toEqual(i);
    expect(repo.get('nope')).toBeUndefined();
  });

  it('sets and clears the category, stamping updatedAt', () => {
    const clock = new FixedClock('2026-11-23T10:00:01Z');
    const repo = make(clock);
    const i = repo.create({ siteId: 's', camera: 1, triggerTime: at, source: 'web' });
    clock.advance(2000);
    expect(repo.setCategory(i.id, 'theft')).toMatchObject({ category: 'theft', updatedAt: '2026-11-23T10:00:03.000Z' });
    expect(repo.get(i.id)?.category).toBe('theft');
    expect(repo.setCategory(i.id, null).category).toBeNull();
    expect(() => repo.setCategory('missing', 'theft')).toThrow(/no incident missing/);
  });

  it('moves status with a reason and stamps updatedAt', () => {
    const clock = new FixedClock('2026-11-23T10:00:01Z');
    const repo = make(clock);
    const i = repo.create({ siteId: 's', camera: 1, triggerTime: at, source: 'web' });
    clock.advance(5000);
    const u = repo.transition(i.id, 'triggered', 'capture-failed', { actor: 'system' }, 'NVR unreachable');
    expect(u).toMatchObject({
      status: 'capture-failed',
      statusReason: 'NVR unreachable',
      updatedAt: '2026-11-23T10:00:06.000Z',
    });
    expect(repo.get(i.id)?.status).toBe('capture-failed');
    expect(() => repo.transition('missing', 'triggered', 'captured', { actor: 'system' })).toThrow(
      /missing does not exist/,
    );
  });

  it('refuses a move the lifecycle table does not allow, or from a status the incident has left, writing nothing', () => {
    const clock = new FixedClock('2026-11-23T10:00:01Z');
    const repo = make(clock);
    const i = repo.create({ siteId: 's', camera: 1, triggerTime: at, source: 'web' });
    expect(() => repo.transition(i.id, 'triggered', 'acked', { actor: 'hub' })).toThrow(
      /cannot move from triggered to acked/,
    );
    repo.transition(i.id, 'triggered', 'captured', { actor: 'system' });
    expect(() => repo.transition(i.id, 'triggered', 'capture-failed', { actor: 'system' })).toThrow(
      /is captured, not triggered/,
    );
    expect(repo.get(i.id)).toMatchObject({ status: 'captured', statusReason: null });
  });

  it('records the category without moving the status', () => {
    const clock = new FixedClock('2026-11-23T10:00:01Z');
    const repo = make(clock);
    const i = repo.create({ siteId: 's', camera: 1, triggerTime: at, source: 'web' });
    repo.setCategory(i.id, 'theft');
    expect(repo.get(i.id)).toMatchObject({ status: 'triggered', category: 'theft' });
    expect(() => repo.setCategory('ghost', 'theft')).toThrow(/no incident ghost/);
  });

  it('lists newest first, filtered by status and camera, limited', () => {
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    const repo = make(clock);
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) {
      clock.advance(1000);
      ids.push(repo.create({ siteId: 's', camera: (n % 2) + 1, triggerTime: at, source: 'cli' }).id);
    }
    repo.transition(ids[0]!, 'triggered', 'captured', { actor: 'system' });
    expect(repo.list().map((i) => i.id)).toEqual([...ids].reverse());
    expect(repo.list({ status: 'captured' }).map((i) => i.id)).toEqual([ids[0]]);
    expect(repo.list({ status: ['triggered', 'captured'], camera: 2 }).map((i) => i.id)).toEqual([ids[3], ids[1]]);
    expect(repo.list({ limit: 1 })).toHaveLength(1);
  });

  it('keeps stills per incident in time order and refuses a still for an unknown incident', () => {
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    const repo = make(clock);
    const i = repo.create({ siteId: 's', camera: 1, triggerTime: at, source: 'cli' });
    const base = {
      incidentId: i.id,
      kind: 'original' as const,
      origin: 'live',
      width: 640,
      height: 360,
      bytes: 10,
      sha256: 'a'.repeat(64),
      keyId: null,
    };
    repo.addStill({ ...base, id: 's2', capturedAt: '2026-11-23T10:00:02.000Z', file: 'f2' });
    repo.addStill({ ...base, id: 's1', capturedAt: '2026-11-23T10:00:01.000Z', file: 'f1' });
    expect(repo.stills(i.id).map((s) => s.id)).toEqual(['s1', 's2']);
    expect(repo.stills(i.id, 'redacted')).toEqual([]);
    expect(() => repo.addStill({ ...base, incidentId: 'ghost', id: 's3', capturedAt: 'x', file: 'f3' })).toThrow(
      /no incident ghost/,
    );
  });

  it('rolls back everything written inside atomically when it throws', () => {
    const repo = make(new FixedClock('2026-11-23T10:00:00Z'));
    expect(() =>
      repo.atomically(() => {
        repo.create({ siteId: 's', camera: 1, triggerTime: at, source: 'cli' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(repo.list()).toEqual([]);
  });
});

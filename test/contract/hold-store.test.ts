// The HoldStore contract (evidence holds), run against SQLite — the only implementation.
import { describe, expect, it } from 'vitest';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { HoldRecord, HoldStore } from '../../src/core/ports/holds.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { tempDir } from '../support/tmp.js';

interface Rig {
  store: HoldStore;
  /** Adds an incident and returns its id. */
  incident(): string;
}

const makers: { name: string; make: (clock: FixedClock) => Rig }[] = [
  {
    name: 'sqlite',
    make: (clock) => {
      const db = openDatabase(tempDir(), { clock });
      const incidents = new SqliteIncidents(db, { clock, ids: counterIds('inc') });
      return {
        store: new SqliteHolds(db),
        incident: () => incidents.create({ siteId: 's', camera: 1, triggerTime: clock.now(), source: 'web' }).id,
      };
    },
  },
];

const hold = (id: string, incidentId: string, over: Partial<HoldRecord> = {}): HoldRecord => ({
  id,
  incidentId,
  reason: 'police investigation',
  reference: 'CR/1',
  placedBy: 'mia',
  placedAt: '2026-11-23T10:00:00.000Z',
  expiresAt: null,
  releasedAt: null,
  releasedBy: null,
  ...over,
});

describe.each(makers)('HoldStore contract: $name', ({ make }) => {
  it('stores a hold and reads it back, alone and in lists ordered by placement', () => {
    const { store, incident } = make(new FixedClock('2026-11-23T10:00:00Z'));
    const a = incident();
    const b = incident();
    store.insert(hold('h2', a, { placedAt: '2026-11-23T11:00:00.000Z' }), () => {});
    store.insert(hold('h1', b), () => {});
    store.insert(
      hold('h3', a, { placedAt: '2026-11-23T12:00:00.000Z', expiresAt: '2026-12-01T00:00:00.000Z' }),
      () => {},
    );
    expect(store.get('h1')).toEqual(hold('h1', b));
    expect(store.get('nope')).toBeUndefined();
    expect(store.list().map((h) => h.id)).toEqual(['h1', 'h2', 'h3']);
    expect(store.list(a).map((h) => h.id)).toEqual(['h2', 'h3']);
    expect(store.list('no-such-incident')).toEqual([]);
  });

  it('knows which incidents exist', () => {
    const { store, incident } = make(new FixedClock('2026-11-23T10:00:00Z'));
    const a = incident();
    expect(store.incidentExists(a)).toBe(true);
    expect(store.incidentExists('no-such-incident')).toBe(false);
  });

  it('stores nothing when what goes alongside fails', () => {
    const { store, incident } = make(new FixedClock('2026-11-23T10:00:00Z'));
    const a = incident();
    expect(() =>
      store.insert(hold('h1', a), () => {
        throw new Error('audit full');
      }),
    ).toThrow('audit full');
    expect(store.get('h1')).toBeUndefined();
    expect(store.list()).toEqual([]);
  });

  it('ends a hold with who and when, and leaves it as it was when what goes alongside fails', () => {
    const { store, incident } = make(new FixedClock('2026-11-23T10:00:00Z'));
    const a = incident();
    store.insert(hold('h1', a), () => {});
    store.insert(hold('h2', a), () => {});
    const ran: string[] = [];
    store.end('h1', '2026-11-24T09:00:00.000Z', 'mia', () => ran.push('audit'));
    expect(ran).toEqual(['audit']);
    expect(store.get('h1')).toMatchObject({ releasedAt: '2026-11-24T09:00:00.000Z', releasedBy: 'mia' });
    expect(() =>
      store.end('h2', '2026-11-24T09:00:00.000Z', 'mia', () => {
        throw new Error('audit full');
      }),
    ).toThrow('audit full');
    expect(store.get('h2')).toMatchObject({ releasedAt: null, releasedBy: null });
  });

  it('lists as expiring only unreleased holds whose expiry is at or before the time', () => {
    const { store, incident } = make(new FixedClock('2026-11-23T10:00:00Z'));
    const a = incident();
    store.insert(hold('past', a, { expiresAt: '2026-11-30T00:00:00.000Z' }), () => {});
    store.insert(hold('exactly', a, { expiresAt: '2026-12-01T00:00:00.000Z' }), () => {});
    store.insert(hold('future', a, { expiresAt: '2026-12-02T00:00:00.000Z' }), () => {});
    store.insert(hold('open-ended', a), () => {});
    store.insert(hold('released', a, { expiresAt: '2026-11-30T00:00:00.000Z' }), () => {});
    store.end('released', '2026-11-29T00:00:00.000Z', 'mia', () => {});
    expect(
      store
        .expiring('2026-12-01T00:00:00.000Z')
        .map((h) => h.id)
        .sort(),
    ).toEqual(['exactly', 'past']);
  });
});

// The RetentionStore contract (what retention reads and deletes), run against SQLite — the only implementation.
// Deletions are all-or-nothing with what goes alongside them (shredding, the tombstone), and a second deletion of
// the same item reports that it was already gone.
import { describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { SqliteRetentionStore } from '../../src/adapters/store/sqlite-retention.js';
import { type Db, openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { IncidentStillReferenced, type RetentionStore } from '../../src/core/ports/retention-store.js';
import { seedIncident } from '../support/retention-fixtures.js';
import { tempDir } from '../support/tmp.js';

interface Rig {
  store: RetentionStore;
  /** Puts an incident with stills and outbox rows into the store (as capture and the outbox would). */
  seed: (input: Parameters<typeof seedIncident>[3]) => void;
  hold: (id: string, incidentId: string, releasedAt?: string) => void;
  /** Marks a still deleted (deleted_at) but leaves its row, as another module may. */
  markStillDeleted: (id: string) => void;
  /** A row of a table retention does not know, pointing at the incident. */
  foreignReference: (incidentId: string) => void;
}

const makers: { name: string; make: () => Rig }[] = [
  {
    name: 'sqlite',
    make: () => {
      const dir = tempDir();
      const clock = new FixedClock('2026-11-23T10:00:00Z');
      const db: Db = openDatabase(dir, { clock });
      const files = new EncryptedFiles(db, dir, { clock, ids: counterIds('k') });
      const audit = new SqliteAuditLog(db, clock);
      const holds = new SqliteHolds(db);
      return {
        store: new SqliteRetentionStore(db),
        seed: (input) => seedIncident(db, files, audit, input),
        hold: (id, incidentId, releasedAt) => {
          holds.insert(
            {
              id,
              incidentId,
              reason: 'police',
              reference: 'CR/1',
              placedBy: 'mia',
              placedAt: '2026-11-23T10:00:00.000Z',
              expiresAt: null,
              releasedAt: null,
              releasedBy: null,
            },
            () => {},
          );
          if (releasedAt) holds.end(id, releasedAt, 'mia', () => {});
        },
        markStillDeleted: (id) =>
          db.prepare('UPDATE stills SET deleted_at = ? WHERE id = ?').run('2026-11-24T00:00:00.000Z', id),
        foreignReference: (incidentId) => {
          db.exec('CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, incident_id TEXT REFERENCES incidents(id))');
          db.prepare('INSERT INTO notes (id, incident_id) VALUES (?, ?)').run(`note-${incidentId}`, incidentId);
        },
      };
    },
  },
];

describe.each(makers)('RetentionStore contract: $name', ({ make }) => {
  it('gives each incident, oldest first, with its live stills and outbox rows, and every hold', () => {
    const rig = make();
    rig.seed({
      id: 'inc-b',
      at: '2026-11-02T10:00:00.000Z',
      stills: [{ id: 'b1', kind: 'original' }],
      outbox: [{ id: 'p-b', state: 'acked', ackedAt: '2026-11-02T10:01:00.000Z' }],
    });
    rig.seed({
      id: 'inc-a',
      at: '2026-11-01T10:00:00.000Z',
      stills: [
        { id: 'a1', kind: 'original' },
        { id: 'a2', kind: 'redacted' },
      ],
    });
    rig.markStillDeleted('a2');
    rig.hold('h1', 'inc-a');
    rig.hold('h2', 'inc-b', '2026-11-05T00:00:00.000Z');
    const facts = rig.store.incidentFacts();
    expect(facts.map((f) => f.id)).toEqual(['inc-a', 'inc-b']);
    expect(facts[0]).toMatchObject({ status: 'captured', createdAt: '2026-11-01T10:00:00.000Z', outbox: [] });
    expect(facts[0]?.stills).toEqual([
      { id: 'a1', kind: 'original', capturedAt: '2026-11-01T10:00:00.000Z', createdAt: '2026-11-01T10:00:00.000Z' },
    ]);
    expect(facts[1]?.outbox).toEqual([
      { id: 'p-b', state: 'acked', createdAt: '2026-11-02T10:00:00.000Z', ackedAt: '2026-11-02T10:01:00.000Z' },
    ]);
    expect(rig.store.holdFacts().sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'h1', incidentId: 'inc-a', reference: 'CR/1', expiresAt: null, releasedAt: null },
      { id: 'h2', incidentId: 'inc-b', reference: 'CR/1', expiresAt: null, releasedAt: '2026-11-05T00:00:00.000Z' },
    ]);
    expect(rig.store.inventory()).toEqual({ incidents: 2, originals: 2, oldestOriginal: '2026-11-01T10:00:00.000Z' });
  });

  it('remembers sweeps: the last real one, and the clock of the last that deleted or refused', () => {
    const { store } = make();
    expect(store.lastSweep()).toBeUndefined();
    expect(store.lastSweepClock()).toBeNull();
    const run = { deleted: 1, held: 0, failures: 0, message: null };
    store.recordSweep({ ...run, clockAt: '2026-11-20T03:00:00.000Z', dryRun: false, outcome: 'done' });
    store.recordSweep({ ...run, clockAt: '2026-11-21T03:00:00.000Z', dryRun: false, outcome: 'refused' });
    store.recordSweep({ ...run, clockAt: '2026-11-22T03:00:00.000Z', dryRun: true, outcome: 'done' });
    expect(store.lastSweep()).toEqual({ ...run, clockAt: '2026-11-21T03:00:00.000Z', outcome: 'refused' });
    expect(store.lastSweepClock()).toBe('2026-11-20T03:00:00.000Z');
  });

  it('removes a still with what goes alongside, once; a failure alongside leaves it in place', () => {
    const rig = make();
    rig.seed({
      id: 'inc',
      at: '2026-11-01T10:00:00.000Z',
      stills: [{ id: 's1', kind: 'original', bytes: Buffer.from('abc') }],
    });
    expect(() =>
      rig.store.removeStill('s1', () => {
        throw new Error('disk');
      }),
    ).toThrow('disk');
    expect(rig.store.incidentFacts()[0]?.stills.map((s) => s.id)).toEqual(['s1']);
    const seen: unknown[] = [];
    expect(rig.store.removeStill('s1', (s) => seen.push(s))).toBe(true);
    expect(seen).toEqual([
      expect.objectContaining({ id: 's1', incidentId: 'inc', kind: 'original', bytes: 3, keyId: expect.any(String) }),
    ]);
    expect(rig.store.incidentFacts()[0]?.stills).toEqual([]);
    expect(rig.store.removeStill('s1', () => seen.push('again'))).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it('removes an outbox row once; a failure alongside leaves it in place', () => {
    const rig = make();
    rig.seed({ id: 'inc', at: '2026-11-01T10:00:00.000Z', outbox: [{ id: 'p1', state: 'acked' }] });
    expect(() =>
      rig.store.removeOutboxRow('p1', () => {
        throw new Error('audit');
      }),
    ).toThrow('audit');
    expect(rig.store.incidentFacts()[0]?.outbox).toHaveLength(1);
    expect(rig.store.removeOutboxRow('p1', () => {})).toBe(true);
    expect(rig.store.incidentFacts()[0]?.outbox).toEqual([]);
    expect(rig.store.removeOutboxRow('p1', () => {})).toBe(false);
  });

  it('removes an incident with its ended holds and shreds stills left marked deleted; then reports it gone', () => {
    const rig = make();
    rig.seed({ id: 'inc', at: '2026-11-01T10:00:00.000Z', stills: [{ id: 's1', kind: 'original' }] });
    rig.markStillDeleted('s1');
    rig.hold('h1', 'inc', '2026-11-02T00:00:00.000Z');
    const shredded: string[] = [];
    const alongside: string[] = [];
    expect(
      rig.store.removeIncident(
        'inc',
        (f) => shredded.push(f.file),
        () => alongside.push('tombstone'),
      ),
    ).toBe(true);
    expect(shredded).toHaveLength(1);
    expect(alongside).toEqual(['tombstone']);
    expect(rig.store.incidentFacts()).toEqual([]);
    expect(rig.store.holdFacts()).toEqual([]);
    expect(
      rig.store.removeIncident(
        'inc',
        () => {},
        () => alongside.push('again'),
      ),
    ).toBe(false);
    expect(alongside).toEqual(['tombstone']);
  });

  it('keeps an incident other rows still refer to, and names where they are', () => {
    const rig = make();
    rig.seed({ id: 'inc', at: '2026-11-01T10:00:00.000Z' });
    rig.foreignReference('inc');
    let error: unknown;
    try {
      rig.store.removeIncident(
        'inc',
        () => {},
        () => {},
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IncidentStillReferenced);
    expect((error as IncidentStillReferenced).tables).toEqual(['notes']);
    expect((error as Error).message).toMatch(/incident inc is still referenced by notes/);
    expect(rig.store.incidentFacts().map((f) => f.id)).toEqual(['inc']);
  });
});

// The StoredOriginals contract (what SAR and police exports read), run against SQLite.
import { describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteOriginals } from '../../src/adapters/store/sqlite-originals.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import type { StoredOriginals } from '../../src/core/ports/stored-originals.js';
import { seedIncident } from '../support/retention-fixtures.js';
import { tempDir } from '../support/tmp.js';

interface Rig {
  originals: StoredOriginals;
  seed: (input: Parameters<typeof seedIncident>[3]) => void;
  markStillDeleted: (id: string) => void;
}

const makers: { name: string; make: () => Rig }[] = [
  {
    name: 'sqlite',
    make: () => {
      const dir = tempDir();
      const clock = new FixedClock('2026-11-23T10:00:00Z');
      const db = openDatabase(dir, { clock });
      const files = new EncryptedFiles(db, dir, { clock, ids: counterIds('k') });
      const audit = new SqliteAuditLog(db, clock);
      return {
        originals: new SqliteOriginals(db),
        seed: (input) => seedIncident(db, files, audit, input),
        markStillDeleted: (id) =>
          db.prepare('UPDATE stills SET deleted_at = ? WHERE id = ?').run('2026-11-24T00:00:00.000Z', id),
      };
    },
  },
];

describe.each(makers)('StoredOriginals contract: $name', ({ make }) => {
  function seeded(): Rig {
    const rig = make();
    rig.seed({
      id: 'inc-2',
      at: '2026-11-02T10:00:00.000Z',
      camera: 2,
      stills: [
        { id: 'b', kind: 'original' },
        { id: 'a', kind: 'original' },
        { id: 'r', kind: 'redacted' },
      ],
    });
    rig.seed({ id: 'inc-1', at: '2026-11-01T10:00:00.000Z', camera: 2, stills: [{ id: 'c', kind: 'original' }] });
    rig.seed({ id: 'inc-3', at: '2026-11-03T10:00:00.000Z', camera: 1, stills: [{ id: 'd', kind: 'original' }] });
    rig.seed({ id: 'inc-4', at: '2026-11-04T10:00:00.000Z', camera: 2, stills: [{ id: 'e', kind: 'original' }] });
    rig.markStillDeleted('e');
    return rig;
  }

  it('gives an incident its live originals only, in a stable order, with camera and trigger time', () => {
    const { originals } = seeded();
    expect(originals.ofIncident('inc-2').map((o) => o.id)).toEqual(['a', 'b']);
    expect(originals.ofIncident('inc-2')[0]).toMatchObject({
      incidentId: 'inc-2',
      camera: 2,
      triggerTime: '2026-11-02T10:00:00.000Z',
      capturedAt: '2026-11-02T10:00:00.000Z',
      keyId: expect.any(String),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(originals.ofIncident('inc-4')).toEqual([]);
    expect(originals.incidentExists('inc-4')).toBe(true);
    expect(originals.incidentExists('nope')).toBe(false);
  });

  it('selects by camera and a window with both ends included, oldest trigger first', () => {
    const { originals } = seeded();
    expect(originals.ofCamera(2, '2026-11-01T10:00:00.000Z', '2026-11-02T10:00:00.000Z').map((o) => o.id)).toEqual([
      'c',
      'a',
      'b',
    ]);
    expect(originals.ofCamera(2, '2026-11-01T10:00:00.001Z', '2026-11-05T00:00:00.000Z').map((o) => o.id)).toEqual([
      'a',
      'b',
    ]);
    expect(originals.ofCamera(1, '2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z')).toEqual([]);
  });
});

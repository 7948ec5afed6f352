// Evidence holds in the holds table (the HoldStore port).
import type { HoldRecord, HoldStore } from '../../core/ports/holds.js';
import type { Db } from './sqlite-store.js';

interface HoldRow {
  id: string;
  incident_id: string;
  reason: string;
  reference: string | null;
  placed_by: string;
  placed_at: string;
  expires_at: string | null;
  released_at: string | null;
  released_by: string | null;
}

const toRecord = (r: HoldRow): HoldRecord => ({
  id: r.id,
  incidentId: r.incident_id,
  reason: r.reason,
  reference: r.reference,
  placedBy: r.placed_by,
  placedAt: r.placed_at,
  expiresAt: r.expires_at,
  releasedAt: r.released_at,
  releasedBy: r.released_by,
});

export class SqliteHolds implements HoldStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  incidentExists(incidentId: string): boolean {
    return this.#db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(incidentId) !== undefined;
  }

  insert(h: HoldRecord, alongside: () => void): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          'INSERT INTO holds (id, incident_id, reason, reference, placed_by, placed_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(h.id, h.incidentId, h.reason, h.reference, h.placedBy, h.placedAt, h.expiresAt);
      alongside();
    })();
  }

  end(holdId: string, at: string, by: string, alongside: () => void): void {
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE holds SET released_at = ?, released_by = ? WHERE id = ?').run(at, by, holdId);
      alongside();
    })();
  }

  get(holdId: string): HoldRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM holds WHERE id = ?').get(holdId) as HoldRow | undefined;
    return r && toRecord(r);
  }

  list(incidentId?: string): HoldRecord[] {
    const rows = (
      incidentId
        ? this.#db.prepare('SELECT * FROM holds WHERE incident_id = ? ORDER BY placed_at').all(incidentId)
        : this.#db.prepare('SELECT * FROM holds ORDER BY placed_at').all()
    ) as HoldRow[];
    return rows.map(toRecord);
  }

  expiring(at: string): HoldRecord[] {
    return (
      this.#db
        .prepare('SELECT * FROM holds WHERE released_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?')
        .all(at) as HoldRow[]
    ).map(toRecord);
  }
}

// Evidence holds in the holds table. Placing and releasing a hold is one transaction with its audit entry.
import { AppError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Hold, HoldService, PlaceHold } from '../../core/ports/hold-service.js';
import type { IdSource } from '../../core/ports/ids.js';
import type { SqliteAuditLog } from './sqlite-audit-log.js';
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

const toHold = (r: HoldRow): Hold => ({
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

export class SqliteHolds implements HoldService {
  readonly #db: Db;
  readonly #audit: SqliteAuditLog;
  readonly #clock: Clock;
  readonly #ids: IdSource;

  constructor(deps: { db: Db; audit: SqliteAuditLog; clock: Clock; ids: IdSource }) {
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
  }

  async list(options: { activeOnly?: boolean } = {}): Promise<Hold[]> {
    const now = this.#clock.now().toISOString();
    const rows = (
      options.activeOnly
        ? this.#db
            .prepare(
              'SELECT * FROM holds WHERE released_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY placed_at DESC',
            )
            .all(now)
        : this.#db.prepare('SELECT * FROM holds ORDER BY placed_at DESC').all()
    ) as HoldRow[];
    return rows.map(toHold);
  }

  async place(hold: PlaceHold, actor: string): Promise<Hold> {
    const now = this.#clock.now();
    if (hold.expiresAt !== undefined && !(new Date(hold.expiresAt).getTime() > now.getTime())) {
      throw new AppError('bad-hold', 'the hold must expire in the future (or leave the expiry empty)');
    }
    const exists = this.#db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(hold.incidentId);
    if (!exists) throw new AppError('not-found', `there is no incident ${hold.incidentId}`);
    const row: HoldRow = {
      id: this.#ids.next(),
      incident_id: hold.incidentId,
      reason: hold.reason,
      reference: hold.reference ?? null,
      placed_by: actor,
      placed_at: now.toISOString(),
      expires_at: hold.expiresAt ? new Date(hold.expiresAt).toISOString() : null,
      released_at: null,
      released_by: null,
    };
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO holds (id, incident_id, reason, reference, placed_by, placed_at, expires_at)
           VALUES (@id, @incident_id, @reason, @reference, @placed_by, @placed_at, @expires_at)`,
        )
        .run(row);
      this.#audit.appendInTransaction({
        actor,
        action: 'hold-place',
        subject: hold.incidentId,
        details: { hold: row.id, reason: row.reason, reference: row.reference, expiresAt: row.expires_at },
      });
    })();
    return toHold(row);
  }

  async release(id: string, actor: string): Promise<Hold> {
    const now = this.#clock.now().toISOString();
    const row = this.#db.prepare('SELECT * FROM holds WHERE id = ?').get(id) as HoldRow | undefined;
    if (!row) throw new AppError('not-found', `there is no hold ${id}`);
    if (row.released_at) throw new AppError('conflict', 'that hold was already released');
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE holds SET released_at = ?, released_by = ? WHERE id = ?').run(now, actor, id);
      this.#audit.appendInTransaction({
        actor,
        action: 'hold-release',
        subject: row.incident_id,
        details: { hold: id },
      });
    })();
    return toHold({ ...row, released_at: now, released_by: actor });
  }
}

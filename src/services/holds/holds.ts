// Evidence holds: a manager exempts an incident from retention (reason, reference such as a police crime number,
// optional expiry) and later releases it; a hold whose expiry passes ends by itself. Every change is one audit row.
import type { Db } from '../../adapters/store/sqlite-store.js';
import { AppError, UsageError } from '../../core/errors.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import { isHoldActive } from '../../core/retention/policy.js';
import { type Actor, requireManager } from '../actors.js';

export interface Hold {
  id: string;
  incidentId: string;
  reason: string;
  reference: string | null;
  placedBy: string;
  placedAt: string;
  expiresAt: string | null;
  releasedAt: string | null;
  releasedBy: string | null;
  active: boolean;
}

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

export class HoldError extends AppError {}

export const MAX_REASON = 500;
export const MAX_REFERENCE = 100;

export class HoldService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #ids: IdSource;

  constructor(deps: { db: Db; audit: AuditLog; clock: Clock; ids: IdSource }) {
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
  }

  place(input: { incidentId: string; reason: string; reference?: string; expiresAt?: Date; actor: Actor }): Hold {
    requireManager(input.actor, 'place an evidence hold');
    const reason = input.reason.trim();
    if (!reason) throw new UsageError('a hold needs a reason (e.g. "police investigation")');
    if (reason.length > MAX_REASON) throw new UsageError(`a hold reason is at most ${MAX_REASON} characters`);
    const reference = input.reference?.trim() || null;
    if (reference && reference.length > MAX_REFERENCE)
      throw new UsageError(`a hold reference is at most ${MAX_REFERENCE} characters`);
    const now = this.#clock.now();
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime())
      throw new UsageError(`the hold expiry ${input.expiresAt.toISOString()} is not in the future`);
    const exists = this.#db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(input.incidentId);
    if (!exists)
      throw new HoldError(
        'no-such-incident',
        `no incident ${input.incidentId} on this appliance (deleted by retention, or a typo)`,
      );
    const id = this.#ids.next();
    const row: HoldRow = {
      id,
      incident_id: input.incidentId,
      reason,
      reference,
      placed_by: input.actor.name,
      placed_at: now.toISOString(),
      expires_at: input.expiresAt?.toISOString() ?? null,
      released_at: null,
      released_by: null,
    };
    this.#db.transaction(() => {
      this.#db
        .prepare(
          'INSERT INTO holds (id, incident_id, reason, reference, placed_by, placed_at, expires_at) VALUES (@id, @incident_id, @reason, @reference, @placed_by, @placed_at, @expires_at)',
        )
        .run(row);
      this.#audit.append({
        actor: input.actor.name,
        action: 'hold-place',
        subject: input.incidentId,
        details: { holdId: id, incidentId: input.incidentId, reason, reference, expiresAt: row.expires_at },
      });
    })();
    return toHold(row, now);
  }

  release(input: { holdId: string; actor: Actor; why?: string }): Hold {
    requireManager(input.actor, 'release an evidence hold');
    const now = this.#clock.now();
    const row = this.#get(input.holdId);
    if (!row) throw new HoldError('no-such-hold', `no hold ${input.holdId}`);
    if (!isHoldActive(toFacts(row), now))
      throw new HoldError('hold-not-active', `hold ${input.holdId} has already ended`);
    this.#end(row, now, input.actor.name, input.why ?? 'released');
    return toHold({ ...row, released_at: now.toISOString(), released_by: input.actor.name }, now);
  }

  /** Ends every hold whose expiry has passed, with one audit row each; returns the ones it ended. */
  expireDue(): Hold[] {
    const now = this.#clock.now();
    const due = this.#db
      .prepare('SELECT * FROM holds WHERE released_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?')
      .all(now.toISOString()) as HoldRow[];
    return due.map((row) => {
      this.#end(row, now, 'system', 'expired');
      return toHold({ ...row, released_at: now.toISOString(), released_by: 'system' }, now);
    });
  }

  list(options: { activeOnly?: boolean; incidentId?: string } = {}): Hold[] {
    const now = this.#clock.now();
    const rows = (
      options.incidentId
        ? this.#db.prepare('SELECT * FROM holds WHERE incident_id = ? ORDER BY placed_at').all(options.incidentId)
        : this.#db.prepare('SELECT * FROM holds ORDER BY placed_at').all()
    ) as HoldRow[];
    return rows.map((r) => toHold(r, now)).filter((h) => !options.activeOnly || h.active);
  }

  activeHold(incidentId: string): Hold | undefined {
    return this.list({ incidentId, activeOnly: true })[0];
  }

  #get(id: string): HoldRow | undefined {
    return this.#db.prepare('SELECT * FROM holds WHERE id = ?').get(id) as HoldRow | undefined;
  }

  #end(row: HoldRow, now: Date, by: string, why: string): void {
    this.#db.transaction(() => {
      this.#db
        .prepare('UPDATE holds SET released_at = ?, released_by = ? WHERE id = ?')
        .run(now.toISOString(), by, row.id);
      this.#audit.append({
        actor: by,
        action: 'hold-release',
        subject: row.incident_id,
        details: { holdId: row.id, incidentId: row.incident_id, why, reference: row.reference },
      });
    })();
  }
}

function toFacts(r: HoldRow) {
  return {
    id: r.id,
    incidentId: r.incident_id,
    reference: r.reference,
    expiresAt: r.expires_at,
    releasedAt: r.released_at,
  };
}

function toHold(r: HoldRow, now: Date): Hold {
  return {
    id: r.id,
    incidentId: r.incident_id,
    reason: r.reason,
    reference: r.reference,
    placedBy: r.placed_by,
    placedAt: r.placed_at,
    expiresAt: r.expires_at,
    releasedAt: r.released_at,
    releasedBy: r.released_by,
    active: isHoldActive(toFacts(r), now),
  };
}

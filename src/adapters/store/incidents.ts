// Incidents and their stills in SQLite. transition() holds the only status write in the appliance: the move is
// checked against the lifecycle table and written with its audit row in one IMMEDIATE transaction (a savepoint
// when the outbox already holds one). The capture service keeps its retry bookkeeping (attempts, next try) in
// the same rows through the extra methods below the port.

import { StoreError } from '../../core/errors.js';
import { type Incident, type IncidentStatus, newIncident } from '../../core/incident.js';
import { checkTransition, transitionAuditEvent } from '../../core/incident-lifecycle.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import type {
  IncidentFilter,
  IncidentRepository,
  NewIncident,
  NewStill,
  Still,
  StillKind,
  TransitionAudit,
} from '../../core/ports/incidents.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';
import type { Db } from './sqlite-store.js';

interface IncidentRow {
  id: string;
  site_id: string;
  camera: number;
  trigger_time: string;
  source: Incident['source'];
  status: IncidentStatus;
  status_reason: string | null;
  category: string | null;
  created_at: string;
  updated_at: string;
}

interface StillRow {
  id: string;
  incident_id: string;
  kind: StillKind;
  captured_at: string;
  origin: string | null;
  width: number | null;
  height: number | null;
  bytes: number;
  sha256: string;
  file: string;
  key_id: string | null;
  created_at: string;
}

const toIncident = (r: IncidentRow): Incident => ({
  id: r.id,
  siteId: r.site_id,
  camera: r.camera,
  triggerTime: r.trigger_time,
  source: r.source,
  status: r.status,
  statusReason: r.status_reason,
  category: r.category,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toStill = (r: StillRow): Still => ({
  id: r.id,
  incidentId: r.incident_id,
  kind: r.kind,
  capturedAt: r.captured_at,
  origin: r.origin,
  width: r.width,
  height: r.height,
  bytes: r.bytes,
  sha256: r.sha256,
  file: r.file,
  keyId: r.key_id,
  createdAt: r.created_at,
});

export class SqliteIncidents implements IncidentRepository {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #audit: AuditLog;

  /** `audit` defaults to the audit chain in the same database (so the status and its row commit together). */
  constructor(db: Db, deps: { clock: Clock; ids: IdSource; audit?: AuditLog }) {
    this.#db = db;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#audit = deps.audit ?? new SqliteAuditLog(db, deps.clock);
  }

  create(i: NewIncident): Incident {
    const inc = newIncident(i, this.#ids.next(), this.#clock.now());
    this.#db
      .prepare(
        `INSERT INTO incidents (id, site_id, camera, trigger_time, source, status, status_reason, category, created_at, updated_at)
         VALUES (@id, @siteId, @camera, @triggerTime, @source, @status, @statusReason, @category, @createdAt, @updatedAt)`,
      )
      .run(inc);
    return inc;
  }

  get(id: string): Incident | undefined {
    const r = this.#db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
    return r ? toIncident(r) : undefined;
  }

  list(filter: IncidentFilter = {}): Incident[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) {
      const s = typeof filter.status === 'string' ? [filter.status] : [...filter.status];
      where.push(`status IN (${s.map(() => '?').join(', ')})`);
      params.push(...s);
    }
    if (filter.camera !== undefined) {
      where.push('camera = ?');
      params.push(filter.camera);
    }
    const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (this.#db.prepare(sql).all(...params, filter.limit ?? 100) as IncidentRow[]).map(toIncident);
  }

  transition(
    id: string,
    from: IncidentStatus,
    to: IncidentStatus,
    audit: TransitionAudit,
    reason: string | null = null,
  ): Incident {
    return this.#db
      .transaction(() => {
        const current = this.#db.prepare('SELECT status FROM incidents WHERE id = ?').get(id) as
          | { status: IncidentStatus }
          | undefined;
        const move = checkTransition(id, current?.status, from, to);
        if (move instanceof Error) throw move;
        const r = this.#db
          .prepare(
            'UPDATE incidents SET status = ?, status_reason = ?, updated_at = ? WHERE id = ? AND status = ? RETURNING *',
          )
          .get(to, reason, this.#clock.now().toISOString(), id, from) as IncidentRow;
        const event = transitionAuditEvent(id, move, audit);
        if (event) this.#audit.append(event);
        return toIncident(r);
      })
      .immediate();
  }

  setCategory(id: string, category: string | null): Incident {
    const r = this.#db
      .prepare('UPDATE incidents SET category = ?, updated_at = ? WHERE id = ? RETURNING *')
      .get(category, this.#clock.now().toISOString(), id) as IncidentRow | undefined;
    if (!r) throw new StoreError('incident-not-found', `no incident ${id}`);
    return toIncident(r);
  }

  addStill(s: NewStill): Still {
    const row: StillRow = {
      id: s.id,
      incident_id: s.incidentId,
      kind: s.kind,
      captured_at: s.capturedAt,
      origin: s.origin,
      width: s.width,
      height: s.height,
      bytes: s.bytes,
      sha256: s.sha256,
      file: s.file,
      key_id: s.keyId,
      created_at: this.#clock.now().toISOString(),
    };
    try {
      this.#db
        .prepare(
          `INSERT INTO stills (id, incident_id, kind, captured_at, origin, width, height, bytes, sha256, file, key_id, created_at)
           VALUES (@id, @incident_id, @kind, @captured_at, @origin, @width, @height, @bytes, @sha256, @file, @key_id, @created_at)`,
        )
        .run(row);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
        throw new StoreError('incident-not-found', `no incident ${s.incidentId}`);
      throw e;
    }
    return toStill(row);
  }

  stills(incidentId: string, kind?: StillKind): Still[] {
    const rows = (
      kind
        ? this.#db
            .prepare(
              'SELECT * FROM stills WHERE incident_id = ? AND kind = ? AND deleted_at IS NULL ORDER BY captured_at, id',
            )
            .all(incidentId, kind)
        : this.#db
            .prepare('SELECT * FROM stills WHERE incident_id = ? AND deleted_at IS NULL ORDER BY captured_at, id')
            .all(incidentId)
    ) as StillRow[];
    return rows.map(toStill);
  }

  atomically<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** Capture bookkeeping: counts an attempt and records when to try again (null: no more tries). */
  recordCaptureAttempt(id: string, nextAt: Date | null): number {
    const r = this.#db
      .prepare(
        'UPDATE incidents SET capture_attempts = capture_attempts + 1, next_capture_at = ? WHERE id = ? RETURNING capture_attempts',
      )
      .get(nextAt ? nextAt.toISOString() : null, id) as { capture_attempts: number } | undefined;
    return r?.capture_attempts ?? 0;
  }

  /** Failed captures whose next try is due. */
  dueRetries(now: Date): Incident[] {
    return (
      this.#db
        .prepare(
          "SELECT * FROM incidents WHERE status = 'capture-failed' AND next_capture_at IS NOT NULL AND next_capture_at <= ? ORDER BY next_capture_at",
        )
        .all(now.toISOString()) as IncidentRow[]
    ).map(toIncident);
  }
}

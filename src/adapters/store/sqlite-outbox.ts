// The outbox in the appliance's SQLite store (table from migration 001). The incident's status moves through the
// incidents repository's transition() inside the same IMMEDIATE transaction as the outbox row, so the row, the
// status and the audit entry commit together; which status may be queued, sent or closed is the lifecycle
// table's business, not this file's.
import type { AuditEvent } from '../../core/audit-chain.js';
import type { IncidentStatus } from '../../core/incident.js';
import { assertQueueable, moveWithRow } from '../../core/outbox-moves.js';
import type { Clock } from '../../core/ports/clock.js';
import { uuidV7Source } from '../../core/ports/ids.js';
import type { IncidentRepository } from '../../core/ports/incidents.js';
import type { NewOutboxRow, Outbox, OutboxRow } from '../../core/ports/outbox.js';
import { SqliteIncidents } from './incidents.js';
import type { SqliteAuditLog } from './sqlite-audit-log.js';
import type { Db } from './sqlite-store.js';

interface Row {
  id: string;
  incident_id: string | null;
  kind: string;
  topic: string;
  payload: Buffer;
  state: OutboxRow['state'];
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  acked_at: string | null;
}

const toRow = (r: Row): OutboxRow => ({
  id: r.id,
  incidentId: r.incident_id,
  kind: r.kind === 'checkpoint' ? 'checkpoint' : 'incident',
  topic: r.topic,
  payload: r.payload,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  sentAt: r.sent_at,
  ackedAt: r.acked_at,
});

export class SqliteOutbox implements Outbox {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #audit: SqliteAuditLog;
  readonly #incidents: Pick<IncidentRepository, 'get' | 'transition'>;

  /** `incidents` defaults to the incidents repository over the same database (the one writer of status). */
  constructor(db: Db, clock: Clock, audit: SqliteAuditLog, incidents?: Pick<IncidentRepository, 'get' | 'transition'>) {
    this.#db = db;
    this.#clock = clock;
    this.#audit = audit;
    this.#incidents = incidents ?? new SqliteIncidents(db, { clock, ids: uuidV7Source(clock), audit });
  }

  #move(incidentId: string | null, to: IncidentStatus, audit: AuditEvent | undefined, reason: string | null = null) {
    moveWithRow(this.#incidents, (e) => this.#audit.appendInTransaction(e), incidentId, to, audit, reason);
  }

  enqueue(row: NewOutboxRow, audit: AuditEvent): void {
    this.#db
      .transaction(() => {
        assertQueueable(this.#incidents, row.incidentId);
        const now = this.#clock.now().toISOString();
        this.#db
          .prepare(
            `INSERT INTO outbox (id, incident_id, kind, topic, payload, state, attempts, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
          )
          .run(row.id, row.incidentId, row.kind, row.topic, row.payload, now, now);
        this.#move(row.incidentId, 'queued', audit);
      })
      .immediate();
  }

  due(now: Date, limit: number): OutboxRow[] {
    return (
      this.#db
        .prepare(
          `SELECT * FROM outbox WHERE state IN ('queued', 'sent') AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
           ORDER BY created_at, id LIMIT ?`,
        )
        .all(now.toISOString(), limit) as Row[]
    ).map(toRow);
  }

  markSent(id: string, now: Date, resendAt: Date, audit?: AuditEvent): boolean {
    return this.#db
      .transaction(() => {
        const before = this.#db.prepare('SELECT state, incident_id FROM outbox WHERE id = ?').get(id) as
          | Pick<Row, 'state' | 'incident_id'>
          | undefined;
        if (before?.state !== 'queued' && before?.state !== 'sent') return false;
        this.#db
          .prepare(
            `UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, next_attempt_at = ?, last_error = NULL
             WHERE id = ?`,
          )
          .run(now.toISOString(), resendAt.toISOString(), id);
        // The packet's first publish is its one 'send' row (queued → sent); a resend changes only the row.
        if (before.state !== 'queued') return false;
        this.#move(before.incident_id, 'sent', audit);
        return true;
      })
      .immediate();
  }

  markRetry(id: string, error: string, retryAt: Date): void {
    this.#db
      .prepare(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND state IN ('queued', 'sent')`,
      )
      .run(error.slice(0, 500), retryAt.toISOString(), id);
  }

  markAcked(id: string, now: Date, audit: AuditEvent): boolean {
    return this.#db
      .transaction(() => {
        const r = this.#db
          .prepare(
            `UPDATE outbox SET state = 'acked', acked_at = ?, next_attempt_at = NULL WHERE id = ? AND state IN ('queued', 'sent') RETURNING incident_id`,
          )
          .get(now.toISOString(), id) as { incident_id: string | null } | undefined;
        if (!r) return false;
        this.#move(r.incident_id, 'acked', audit);
        return true;
      })
      .immediate();
  }

  markFailed(id: string, reason: string, audit: AuditEvent): boolean {
    return this.#db
      .transaction(() => {
        const r = this.#db
          .prepare(
            `UPDATE outbox SET state = 'failed', last_error = ?, next_attempt_at = NULL WHERE id = ? AND state IN ('queued', 'sent') RETURNING incident_id`,
          )
          .get(reason.slice(0, 500), id) as { incident_id: string | null } | undefined;
        if (!r) return false;
        this.#move(r.incident_id, 'failed', audit, reason.slice(0, 500));
        return true;
      })
      .immediate();
  }

  get(id: string): OutboxRow | undefined {
    const r = this.#db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return r ? toRow(r) : undefined;
  }

  depth(): number {
    return (
      this.#db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state IN ('queued', 'sent')").get() as { n: number }
    ).n;
  }
}

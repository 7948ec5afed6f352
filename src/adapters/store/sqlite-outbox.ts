// The outbox in the appliance's SQLite store (table from migration 001). The incident status change is one
// UPDATE on the incidents table inside the same IMMEDIATE transaction as the outbox row and the audit entry; when
// the incidents repository lands, that UPDATE is the one line to point at it.
import type { AuditEvent } from '../../core/audit-chain.js';
import { AppError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { NewOutboxRow, Outbox, OutboxRow } from '../../core/ports/outbox.js';
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

/** Statuses from which an incident may be queued for sending. */
const QUEUEABLE = "('captured', 'in-review', 'awaiting-approval', 'failed')";

export class SqliteOutbox implements Outbox {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #audit: SqliteAuditLog;

  constructor(db: Db, clock: Clock, audit: SqliteAuditLog) {
    this.#db = db;
    this.#clock = clock;
    this.#audit = audit;
  }

  #setIncident(incidentId: string | null, status: string, reason: string | null, from: string): number {
    if (!incidentId) return 1;
    return this.#db
      .prepare(`UPDATE incidents SET status = ?, status_reason = ?, updated_at = ? WHERE id = ? AND status IN ${from}`)
      .run(status, reason, this.#clock.now().toISOString(), incidentId).changes;
  }

  enqueue(row: NewOutboxRow, audit: AuditEvent): void {
    this.#db
      .transaction(() => {
        if (row.incidentId && this.#setIncident(row.incidentId, 'queued', null, QUEUEABLE) !== 1) {
          const found = this.#db.prepare('SELECT status FROM incidents WHERE id = ?').get(row.incidentId) as
            | { status: string }
            | undefined;
          throw new AppError(
            'incident-not-queueable',
            found
              ? `incident ${row.incidentId} is ${found.status}; it cannot be queued for sending again`
              : `incident ${row.incidentId} does not exist`,
          );
        }
        const now = this.#clock.now().toISOString();
        this.#db
          .prepare(
            `INSERT INTO outbox (id, incident_id, kind, topic, payload, state, attempts, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
          )
          .run(row.id, row.incidentId, row.kind, row.topic, row.payload, now, now);
        this.#audit.appendInTransaction(audit);
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

  markSent(id: string, now: Date, resendAt: Date, audit?: AuditEvent): void {
    this.#db
      .transaction(() => {
        const r = this.#db
          .prepare(
            `UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, next_attempt_at = ?, last_error = NULL
             WHERE id = ? AND state IN ('queued', 'sent') RETURNING incident_id`,
          )
          .get(now.toISOString(), resendAt.toISOString(), id) as { incident_id: string | null } | undefined;
        if (!r) return;
        this.#setIncident(r.incident_id, 'sent', null, "('queued')");
        if (audit) this.#audit.appendInTransaction(audit);
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
        this.#setIncident(r.incident_id, 'acked', null, "('queued', 'sent')");
        this.#audit.appendInTransaction(audit);
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
        this.#setIncident(r.incident_id, 'failed', reason.slice(0, 500), "('queued', 'sent')");
        this.#audit.appendInTransaction(audit);
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

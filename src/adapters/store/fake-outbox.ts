// In-memory Outbox for tests; runs the same contract suite as the SQLite outbox. It moves incidents through the
// repository's transition() as the real one does, so the lifecycle table is checked here too. Not durable: the
// lesson from MQTT.js is that only a persisted outbox survives a restart, which is why production uses SQLite.
import type { AuditEvent } from '../../core/audit-chain.js';
import { AppError } from '../../core/errors.js';
import type { IncidentStatus } from '../../core/incident.js';
import { assertQueueable, moveWithRow } from '../../core/outbox-moves.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IncidentRepository } from '../../core/ports/incidents.js';
import type { NewOutboxRow, Outbox, OutboxRow } from '../../core/ports/outbox.js';

const OPEN: readonly OutboxRow['state'][] = ['queued', 'sent'];

export class FakeOutbox implements Outbox {
  readonly #rows = new Map<string, OutboxRow>();
  readonly #clock: Clock;
  readonly #incidents: Pick<IncidentRepository, 'get' | 'transition' | 'atomically'>;
  readonly #audit: Pick<AuditLog, 'append'>;

  constructor(deps: {
    clock: Clock;
    incidents: Pick<IncidentRepository, 'get' | 'transition' | 'atomically'>;
    audit: Pick<AuditLog, 'append'>;
  }) {
    this.#clock = deps.clock;
    this.#incidents = deps.incidents;
    this.#audit = deps.audit;
  }

  #move(incidentId: string | null, to: IncidentStatus, audit: AuditEvent | undefined, reason: string | null = null) {
    moveWithRow(this.#incidents, (e) => this.#audit.append(e), incidentId, to, audit, reason);
  }

  enqueue(row: NewOutboxRow, audit: AuditEvent): void {
    assertQueueable(this.#incidents, row.incidentId);
    if (this.#rows.has(row.id)) throw new AppError('outbox-duplicate', `packet ${row.id} is already in the outbox`);
    const now = this.#clock.now().toISOString();
    this.#incidents.atomically(() => {
      this.#move(row.incidentId, 'queued', audit);
      this.#rows.set(row.id, {
        ...row,
        payload: Buffer.from(row.payload),
        state: 'queued',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdAt: now,
        sentAt: null,
        ackedAt: null,
      });
    });
  }

  due(now: Date, limit: number): OutboxRow[] {
    return [...this.#rows.values()]
      .filter((r) => OPEN.includes(r.state) && (r.nextAttemptAt === null || r.nextAttemptAt <= now.toISOString()))
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1))
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  markSent(id: string, now: Date, resendAt: Date, audit?: AuditEvent): boolean {
    const r = this.#rows.get(id);
    if (!r || !OPEN.includes(r.state)) return false;
    const first = r.state === 'queued';
    Object.assign(r, {
      state: 'sent',
      attempts: r.attempts + 1,
      sentAt: now.toISOString(),
      nextAttemptAt: resendAt.toISOString(),
      lastError: null,
    });
    if (!first) return false;
    this.#move(r.incidentId, 'sent', audit);
    return true;
  }

  markRetry(id: string, error: string, retryAt: Date): void {
    const r = this.#rows.get(id);
    if (!r || !OPEN.includes(r.state)) return;
    Object.assign(r, {
      attempts: r.attempts + 1,
      lastError: error.slice(0, 500),
      nextAttemptAt: retryAt.toISOString(),
    });
  }

  markAcked(id: string, now: Date, audit: AuditEvent): boolean {
    const r = this.#rows.get(id);
    if (!r || !OPEN.includes(r.state)) return false;
    Object.assign(r, { state: 'acked', ackedAt: now.toISOString(), nextAttemptAt: null });
    this.#move(r.incidentId, 'acked', audit);
    return true;
  }

  markFailed(id: string, reason: string, audit: AuditEvent): boolean {
    const r = this.#rows.get(id);
    if (!r || !OPEN.includes(r.state)) return false;
    Object.assign(r, { state: 'failed', lastError: reason.slice(0, 500), nextAttemptAt: null });
    this.#move(r.incidentId, 'failed', audit, reason.slice(0, 500));
    return true;
  }

  get(id: string): OutboxRow | undefined {
    const r = this.#rows.get(id);
    return r ? { ...r } : undefined;
  }

  depth(): number {
    return [...this.#rows.values()].filter((r) => OPEN.includes(r.state)).length;
  }
}

// Port: the durable outbox. A row is written before anything is published and closed only by the hub's signed
// ack, so a crash, power cut or broker outage loses nothing; resends are safe because the hub is idempotent.
import type { AuditEvent } from '../audit-chain.js';

export const OUTBOX_STATES = ['queued', 'sent', 'acked', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxRow {
  /** The packet id (UUIDv7). */
  id: string;
  incidentId: string | null;
  kind: 'incident' | 'checkpoint';
  topic: string;
  payload: Buffer;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  ackedAt: string | null;
}

export interface NewOutboxRow {
  id: string;
  incidentId: string | null;
  kind: OutboxRow['kind'];
  topic: string;
  payload: Buffer;
}

export interface Outbox {
  /**
   * One transaction: the row is inserted, the incident (if any) becomes 'queued', and `audit` is appended.
   * Throws when the incident does not exist or was already queued, sent or acknowledged.
   */
  enqueue(row: NewOutboxRow, audit: AuditEvent): void;
  /** Rows to publish now: queued or sent-but-unacknowledged whose next attempt time has come; oldest first. */
  due(now: Date, limit: number): OutboxRow[];
  /**
   * Published (PUBACK received): state 'sent', incident 'sent', next resend at `resendAt` unless acked first.
   * True only for the row's first publish (queued → sent): that one moves the incident and appends `audit` in the
   * same transaction. A resend (or a row closed meanwhile) is false and writes no status and no audit row, so a
   * packet has one 'send' row however often it is published.
   */
  markSent(id: string, now: Date, resendAt: Date, audit?: AuditEvent): boolean;
  /** The publish did not go through: try again at `retryAt`. */
  markRetry(id: string, error: string, retryAt: Date): void;
  /** Closes the row (and the incident) on the hub's ack; false when the id is unknown or already closed. */
  markAcked(id: string, now: Date, audit: AuditEvent): boolean;
  /** The hub refused the packet for good: the row (and the incident) fail with the reason. */
  markFailed(id: string, reason: string, audit: AuditEvent): boolean;
  get(id: string): OutboxRow | undefined;
  /** Rows not yet acknowledged or failed. */
  depth(): number;
}

// The incident's lifecycle: which status may follow which, why, and the audit action each move writes. This table
// is the only place that knows it; the IncidentRepository's transition() refuses anything not listed here.
import type { AuditAction, AuditEvent } from './audit-chain.js';
import { AppError } from './errors.js';
import type { IncidentStatus } from './incident.js';
import type { TransitionAudit } from './ports/incidents.js';

export interface Transition {
  from: IncidentStatus;
  to: IncidentStatus;
  /** What happened, in the words of the event that causes it. */
  on: string;
  /** The audit row written in the same transaction as the status change (null: the status only gains a reason). */
  audit: AuditAction | null;
}

const t = (from: IncidentStatus, to: IncidentStatus, on: string, audit: AuditAction | null): Transition => ({
  from,
  to,
  on,
  audit,
});

export const INCIDENT_TRANSITIONS: readonly Transition[] = [
  // Capture: done (or interrupted by a restart with some stills), failed (retried while the recorder keeps footage).
  t('triggered', 'captured', 'capture done', 'capture'),
  t('capture-failed', 'captured', 'capture retry done', 'capture'),
  t('triggered', 'capture-failed', 'capture failed', 'capture-failed'),
  t('capture-failed', 'capture-failed', 'capture retry failed', 'capture-failed'),
  // The face check: review opens only when every still was checked; fail closed leaves it captured with the reason.
  t('captured', 'in-review', 'faces checked', 'redact'),
  t('captured', 'captured', 'faces could not be checked', null),
  // Review and four-eyes approval.
  t('in-review', 'awaiting-approval', 'submitted for approval', 'review'),
  t('awaiting-approval', 'rejected', 'rejected by a manager', 'reject'),
  // The packet: queued in the outbox (after review or approval; again after the hub refused one), published, closed.
  t('captured', 'queued', 'packet queued', 'packet-queue'),
  t('in-review', 'queued', 'packet queued', 'packet-queue'),
  t('awaiting-approval', 'queued', 'packet queued', 'packet-queue'),
  t('failed', 'queued', 'packet queued again', 'packet-queue'),
  t('queued', 'sent', 'packet published', 'send'),
  t('queued', 'acked', 'hub acknowledged', 'ack'),
  t('sent', 'acked', 'hub acknowledged', 'ack'),
  t('queued', 'failed', 'hub refused the packet', 'packet-failed'),
  t('sent', 'failed', 'hub refused the packet', 'packet-failed'),
];

/** The transition from → to, or undefined when the table does not allow it. */
export function findTransition(from: IncidentStatus, to: IncidentStatus): Transition | undefined {
  return INCIDENT_TRANSITIONS.find((x) => x.from === from && x.to === to);
}

/** Statuses that may follow `from`. */
export function nextStatuses(from: IncidentStatus): IncidentStatus[] {
  return INCIDENT_TRANSITIONS.filter((x) => x.from === from).map((x) => x.to);
}

/** Statuses from which `to` may be reached (e.g. everything an incident may be queued from). */
export function statusesBefore(to: IncidentStatus): IncidentStatus[] {
  return INCIDENT_TRANSITIONS.filter((x) => x.to === to).map((x) => x.from);
}

/** No status follows these. */
export const FINAL_STATUSES: readonly IncidentStatus[] = ['acked', 'rejected'];

/**
 * The check every repository makes before a status change: the move must be in the table and the incident must
 * still be in `from` (another writer may have moved it on). Returns the transition, or the error to throw.
 */
export function checkTransition(
  id: string,
  current: IncidentStatus | undefined,
  from: IncidentStatus,
  to: IncidentStatus,
): Transition | AppError {
  const found = findTransition(from, to);
  if (!found) return new AppError('illegal-transition', `an incident cannot move from ${from} to ${to}`);
  if (current === undefined) return new AppError('incident-not-found', `incident ${id} does not exist`);
  if (current !== from)
    return new AppError('stale-status', `incident ${id} is ${current}, not ${from}; it cannot move to ${to}`);
  return found;
}

/** The audit row a checked move writes (none when the table names no action for it). */
export function transitionAuditEvent(id: string, move: Transition, audit: TransitionAudit): AuditEvent | undefined {
  if (!move.audit) return undefined;
  return { actor: audit.actor, action: move.audit, subject: id, ...(audit.details ? { details: audit.details } : {}) };
}

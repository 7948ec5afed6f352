// What an outbox row's change does to its incident, written once for every Outbox implementation (SQLite and the
// in-memory fake run the same contract suite, so the rule must be one piece of code, not two copies).
import type { AuditEvent } from './audit-chain.js';
import { AppError } from './errors.js';
import type { IncidentStatus } from './incident.js';
import { findTransition } from './incident-lifecycle.js';
import type { IncidentRepository } from './ports/incidents.js';

/** Throws `incident-not-queueable` unless the incident exists and the lifecycle lets it be queued. */
export function assertQueueable(incidents: Pick<IncidentRepository, 'get'>, incidentId: string | null): void {
  if (!incidentId) return;
  const found = incidents.get(incidentId);
  if (found && findTransition(found.status, 'queued')) return;
  throw new AppError(
    'incident-not-queueable',
    found
      ? `incident ${incidentId} is ${found.status}; it cannot be queued for sending again`
      : `incident ${incidentId} does not exist`,
  );
}

/**
 * Moves the row's incident to `to` when the lifecycle allows it from where it is, with `audit` as its audit row;
 * otherwise (no incident, or already moved on) only appends `audit`, if any — except 'send', which is written
 * once per incident, by its queued → sent move. Runs inside the caller's transaction.
 */
export function moveWithRow(
  incidents: Pick<IncidentRepository, 'get' | 'transition'>,
  append: (e: AuditEvent) => void,
  incidentId: string | null,
  to: IncidentStatus,
  audit: AuditEvent | undefined,
  reason: string | null = null,
): void {
  const current = incidentId ? incidents.get(incidentId) : undefined;
  if (incidentId && current && findTransition(current.status, to)) {
    incidents.transition(
      incidentId,
      current.status,
      to,
      { actor: audit?.actor ?? 'system', ...(audit?.details ? { details: audit.details } : {}) },
      reason,
    );
  } else if (audit && (to !== 'sent' || !current)) append(audit);
}

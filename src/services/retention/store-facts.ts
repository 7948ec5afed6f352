// Reads what the retention policy needs from the store: incidents with their live stills and outbox rows, and
// every hold. Kept apart from the sweeper so the compliance report and the holds service can share it.
import type { Db } from '../../adapters/store/sqlite-store.js';
import type { HoldFacts, IncidentFacts, OutboxFacts, StillFacts } from '../../core/retention/policy.js';

export interface StillRow {
  id: string;
  incident_id: string;
  kind: StillFacts['kind'];
  captured_at: string;
  created_at: string;
  file: string;
  key_id: string | null;
  sha256: string;
  bytes: number;
}

export function loadIncidentFacts(db: Db): IncidentFacts[] {
  const incidents = db.prepare('SELECT id, status, created_at FROM incidents ORDER BY created_at').all() as {
    id: string;
    status: string;
    created_at: string;
  }[];
  const stills = db
    .prepare('SELECT id, incident_id, kind, captured_at, created_at FROM stills WHERE deleted_at IS NULL')
    .all() as StillRow[];
  const outbox = db
    .prepare('SELECT id, incident_id, state, created_at, acked_at FROM outbox WHERE incident_id IS NOT NULL')
    .all() as {
    id: string;
    incident_id: string;
    state: OutboxFacts['state'];
    created_at: string;
    acked_at: string | null;
  }[];
  const byIncident = new Map<string, IncidentFacts>();
  for (const i of incidents)
    byIncident.set(i.id, { id: i.id, status: i.status, createdAt: i.created_at, stills: [], outbox: [] });
  for (const s of stills) {
    byIncident
      .get(s.incident_id)
      ?.stills.push({ id: s.id, kind: s.kind, capturedAt: s.captured_at, createdAt: s.created_at });
  }
  for (const o of outbox) {
    byIncident
      .get(o.incident_id)
      ?.outbox.push({ id: o.id, state: o.state, createdAt: o.created_at, ackedAt: o.acked_at });
  }
  return [...byIncident.values()];
}

export function loadHoldFacts(db: Db): HoldFacts[] {
  return (
    db.prepare('SELECT id, incident_id, reference, expires_at, released_at FROM holds').all() as {
      id: string;
      incident_id: string;
      reference: string | null;
      expires_at: string | null;
      released_at: string | null;
    }[]
  ).map((h) => ({
    id: h.id,
    incidentId: h.incident_id,
    reference: h.reference,
    expiresAt: h.expires_at,
    releasedAt: h.released_at,
  }));
}

export interface LastSweep {
  clockAt: string;
  outcome: string;
  deleted: number;
  held: number;
  failures: number;
  message: string | null;
}

/** The last sweep that actually ran (not a dry run). */
export function lastSweep(db: Db): LastSweep | undefined {
  const r = db
    .prepare(
      'SELECT clock_at, outcome, deleted, held, failures, message FROM retention_runs WHERE dry_run = 0 ORDER BY id DESC LIMIT 1',
    )
    .get() as
    | { clock_at: string; outcome: string; deleted: number; held: number; failures: number; message: string | null }
    | undefined;
  return (
    r && {
      clockAt: r.clock_at,
      outcome: r.outcome,
      deleted: r.deleted,
      held: r.held,
      failures: r.failures,
      message: r.message,
    }
  );
}

/** The latest clock reading of any sweep that deleted or refused: the reference for the backwards-jump check. */
export function lastSweepClock(db: Db): string | null {
  const r = db
    .prepare("SELECT MAX(clock_at) AS at FROM retention_runs WHERE dry_run = 0 AND outcome != 'refused'")
    .get() as {
    at: string | null;
  };
  return r.at;
}

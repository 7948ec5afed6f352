// Port: where incidents and their stills are kept. transition() is the only way any part of the appliance changes
// an incident's status: it checks the move against core/incident-lifecycle.ts and writes the status and the audit
// row the table names together. SQLite implements it (adapters/store/incidents.ts); an in-memory fake
// (adapters/store/fake-incidents.ts) runs the same contract.
import type { JsonValue } from '../canonical-json.js';
import type { Incident, IncidentStatus, TriggerSource } from '../incident.js';

export interface NewIncident {
  siteId: string;
  camera: number;
  triggerTime: Date;
  source: TriggerSource;
}

export interface IncidentFilter {
  status?: IncidentStatus | readonly IncidentStatus[];
  camera?: number;
  /** Newest first; at most this many (default 100). */
  limit?: number;
}

export type StillKind = 'original' | 'redacted' | 'subject-crop' | 'context';

export interface Still {
  id: string;
  incidentId: string;
  kind: StillKind;
  /** When the frame shows (for playback: the moment asked for). */
  capturedAt: string;
  /** Where it came from: snapshot, live or playback (originals); null for derived images. */
  origin: string | null;
  width: number | null;
  height: number | null;
  bytes: number;
  sha256: string;
  /** Encrypted file, relative to the data dir, and the id of its data key. */
  file: string;
  keyId: string | null;
  createdAt: string;
}

export type NewStill = Omit<Still, 'createdAt'>;

/** Who made a transition and what to record with it; the action comes from the lifecycle table. */
export interface TransitionAudit {
  actor: string;
  details?: Record<string, JsonValue>;
}

export interface IncidentRepository {
  create(incident: NewIncident): Incident;
  get(id: string): Incident | undefined;
  list(filter?: IncidentFilter): Incident[];
  /**
   * Moves an incident from `from` to `to` and appends the audit row the lifecycle table names for that move (actor
   * and details from `audit`), in one transaction. `reason` is shown with the status (null clears it). Throws
   * illegal-transition (not in the table), stale-status (the incident is no longer in `from`) or incident-not-found,
   * and then writes nothing.
   */
  transition(
    id: string,
    from: IncidentStatus,
    to: IncidentStatus,
    audit: TransitionAudit,
    reason?: string | null,
  ): Incident;
  /** Sets the offence category chosen at review (null clears it; not a status change); throws incident-not-found for an unknown id. */
  setCategory(id: string, category: string | null): Incident;
  addStill(still: NewStill): Still;
  stills(incidentId: string, kind?: StillKind): Still[];
  /** Runs `fn` so that everything it writes (here and in the audit log of the same store) commits together. */
  atomically<T>(fn: () => T): T;
}

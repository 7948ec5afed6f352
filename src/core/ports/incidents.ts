// Port: where incidents and their stills are kept. The capture service creates incidents and moves them through
// capture; the web, review and packet parts read and move them on. SQLite implements it
// (adapters/store/incidents.ts); an in-memory fake (adapters/store/fake-incidents.ts) runs the same contract.
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

export interface IncidentRepository {
  create(incident: NewIncident): Incident;
  get(id: string): Incident | undefined;
  list(filter?: IncidentFilter): Incident[];
  /** Moves an incident to `status` (with a reason for failures); throws incident-not-found for an unknown id. */
  updateStatus(id: string, status: IncidentStatus, reason?: string | null): Incident;
  /** Sets the offence category chosen at review (null clears it); throws incident-not-found for an unknown id. */
  setCategory(id: string, category: string | null): Incident;
  addStill(still: NewStill): Still;
  stills(incidentId: string, kind?: StillKind): Still[];
  /** Runs `fn` so that everything it writes (here and in the audit log of the same store) commits together. */
  atomically<T>(fn: () => T): T;
}

// Port: incidents as the web (and the button) see them: the cameras offered, a trigger, the list with filters, one
// incident with its stills, and live progress while capture and redaction run. The capture service implements it.
import type { Incident, IncidentStatus, TriggerRequest } from '../incident.js';

export interface Camera {
  id: number;
  name: string;
  enabled: boolean;
}

/** A still as the web may know it: an id and its size. Never its pixels (those come only from ReviewService). */
export interface StillInfo {
  id: string;
  capturedAt: string;
  width: number;
  height: number;
}

export interface IncidentSummary extends Incident {
  stills: number;
  /** An evidence hold stops retention from deleting it. */
  held: boolean;
}

export interface IncidentDetail extends Incident {
  stills: StillInfo[];
  held: boolean;
}

export interface IncidentFilter {
  status?: IncidentStatus[];
  /** Trigger time at or after (ISO 8601). */
  from?: string;
  /** Trigger time before (ISO 8601). */
  to?: string;
  limit?: number;
}

/** One step of capture/redaction progress, pushed to the capture page over server-sent events. */
export interface IncidentProgress {
  incidentId: string;
  status: IncidentStatus;
  /** Plain English for staff, e.g. "Getting stills from the recorder (2 of 5)". */
  message: string;
  stillsReady: number;
  stillsExpected: number;
  /** No more events will follow (ready for review, or failed). */
  done: boolean;
}

export interface IncidentService {
  cameras(): Promise<Camera[]>;
  /** Records the trigger at once (and audits it); capture runs afterwards and reports through subscribe(). */
  trigger(request: TriggerRequest): Promise<Incident>;
  list(filter?: IncidentFilter): Promise<IncidentSummary[]>;
  get(id: string): Promise<IncidentDetail | undefined>;
  /** The latest progress now (if any), then every later step; returns the unsubscribe function. */
  subscribe(incidentId: string, listener: (progress: IncidentProgress) => void): () => void;
}

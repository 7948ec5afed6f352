// Port: the typed events an incident's way from trigger to hub ack raises, one per step. Feature modules react to
// these on the one bus (app/event-bus.ts) instead of polling the store or sharing SQL; the web's live progress
// follows the same events. Payloads carry ids and counts, never images.
import type { IncidentStatus } from '../incident.js';

export interface IncidentEvents {
  /** A trigger was recorded (incident row + audit); capture starts after. */
  triggered: { incidentId: string; camera: number; source: string };
  /** One more original still is stored. */
  'still-captured': { incidentId: string; stills: number };
  /** A capture attempt settled: 'captured' with stills, or 'capture-failed' (retried while the recorder keeps it). */
  captured: { incidentId: string; status: Extract<IncidentStatus, 'captured' | 'capture-failed'>; stills: number };
  /** The face check ran: 'in-review' when every still was checked, else still 'captured' with the reason. */
  redacted: {
    incidentId: string;
    status: Extract<IncidentStatus, 'in-review' | 'captured'>;
    stills: number;
    faces: number;
    reason: string | null;
  };
  /** Staff submitted the review for a manager's approval. */
  submitted: { incidentId: string };
  approved: { incidentId: string; by: string };
  /** The signed packet is in the outbox. */
  queued: { incidentId: string; packetId: string };
  /** The broker took the packet (PUBACK). */
  sent: { incidentId: string; packetId: string };
  acked: { incidentId: string; packetId: string };
  /** A manager refused the send, or the hub refused the packet. */
  rejected: { incidentId: string; by: 'manager' | 'hub'; reason: string };
  /**
   * The police master's footage is arriving: bytes and seconds of footage so far (null: not known yet) of the
   * window's `windowSeconds`; at most one event per MiB or per second.
   */
  'master-progress': { incidentId: string; bytes: number; seconds: number | null; windowSeconds: number };
  /** An acquisition attempt began (the window's end is on its way from the recorder). */
  'master-started': { incidentId: string; masterId: string; attempt: number };
  /** The recorder's footage of the incident window is sealed (hash taken, encrypted at rest). */
  'master-sealed': { incidentId: string; masterId: string; sha256: string; bytes: number; method: string };
  /** An acquisition attempt failed; `nextTry` null: no more retries. */
  'master-failed': { incidentId: string; reason: string; nextTry: string | null };
}

export interface IncidentEventSink {
  emit<K extends keyof IncidentEvents>(event: K, payload: IncidentEvents[K]): void;
}

export interface IncidentEventSource {
  on<K extends keyof IncidentEvents>(
    event: K,
    listener: (payload: IncidentEvents[K]) => void | Promise<void>,
  ): () => void;
}

/** For parts built without a bus (CLI one-shots, benches): events go nowhere. */
export const noEvents: IncidentEventSink = { emit: () => {} };

// An incident: one press of the button (or the web page), the stills pulled for it, and its way to the hub.
// The statuses are the ones staff see on the incidents page.

export const INCIDENT_STATUSES = [
  'triggered', // recorded; capture not finished yet
  'captured', // originals stored (encrypted); redaction pending or done
  'capture-failed', // the NVR could not give stills yet; retried while it still holds the footage
  'in-review', // redacted stills ready; staff choosing the subject
  'awaiting-approval', // four-eyes: a manager must approve the send
  'queued', // packet in the outbox
  'sent', // published to the broker, waiting for the hub's ack
  'acked', // the hub stored it and acknowledged with a signed ack
  'failed', // cannot be sent (e.g. packet refused); reason given
  'rejected', // a manager rejected the send
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export type TriggerSource = 'button' | 'web' | 'nvr-io' | 'cli';

export interface Incident {
  id: string;
  siteId: string;
  camera: number;
  /** When it happened (the trigger time, or earlier when staff said "it happened N minutes ago"). */
  triggerTime: string;
  source: TriggerSource;
  status: IncidentStatus;
  statusReason: string | null;
  category: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A just-triggered incident: every repository starts one the same way. */
export function newIncident(
  req: { siteId: string; camera: number; triggerTime: Date; source: TriggerSource },
  id: string,
  now: Date,
): Incident {
  const at = now.toISOString();
  return {
    id,
    siteId: req.siteId,
    camera: req.camera,
    triggerTime: req.triggerTime.toISOString(),
    source: req.source,
    status: 'triggered',
    statusReason: null,
    category: null,
    createdAt: at,
    updatedAt: at,
  };
}

export interface TriggerRequest {
  camera: number;
  /** Defaults to now. */
  at?: Date;
  source: TriggerSource;
  /** Who pressed: a user name, 'button:<name>' or 'cli'. */
  actor: string;
}

/** The fixed categories staff choose from (no free text leaves the shop beyond a short, capped description). */
export const INCIDENT_CATEGORIES = [
  'theft',
  'attempted-theft',
  'criminal-damage',
  'abuse-or-threats',
  'violence',
  'anti-social-behaviour',
  'exclusion-breach',
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

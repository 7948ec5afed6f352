// The police master of an incident: the recorder's own footage of the incident window, kept exactly as the
// recorder gave it. Pure rules here: the window, what a sealed master records, and the exhibit reference; the
// acquisition (services/evidence) and the store (adapters/store) follow them.

/** How the footage was retrieved from the recorder (NPCC: record the retrieval method). */
export type MasterMethod = 'isapi-download' | 'rtsp-copy';

export const MASTER_METHOD_TEXT: Record<MasterMethod, string> = {
  'isapi-download':
    "the recorder's own export (Hikvision ISAPI /ISAPI/ContentMgmt/download of the search's playbackURI), streamed to disk unaltered",
  'rtsp-copy':
    "RTSP playback of the recorder's archive for the window, copied stream for stream with ffmpeg -c copy (no decoding, no re-encoding) into an MPEG-TS container, because the recorder refused its download",
};

/** The longest window a master covers, whatever the configuration asks for. */
export const MAX_MASTER_SECONDS = 300;

export interface MasterWindow {
  from: Date;
  to: Date;
}

/** The incident window around the trigger, capped at MAX_MASTER_SECONDS (the post part gives way first). */
export function masterWindow(trigger: Date, preSeconds: number, postSeconds: number): MasterWindow {
  const pre = Math.min(Math.max(0, preSeconds), MAX_MASTER_SECONDS);
  const post = Math.min(Math.max(0, postSeconds), MAX_MASTER_SECONDS - pre);
  return { from: new Date(trigger.getTime() - pre * 1000), to: new Date(trigger.getTime() + post * 1000) };
}

/**
 * The recorder's own times for an appliance-time window (its clock runs `offsetMs` ahead), widened to whole seconds:
 * recorders search, report and export in whole seconds, so the window is never cut short by a fraction.
 */
export function recorderWindow(w: MasterWindow, offsetMs: number): MasterWindow {
  return {
    from: new Date(Math.floor((w.from.getTime() + offsetMs) / 1000) * 1000),
    to: new Date(Math.ceil((w.to.getTime() + offsetMs) / 1000) * 1000),
  };
}

export type MasterState = 'acquiring' | 'sealed' | 'failed';

/** What the appliance knows of a master: enough for the packet, the police export and the witness statement. */
export interface MasterRecord {
  id: string;
  incidentId: string;
  camera: number;
  state: MasterState;
  /** The window asked for, in the appliance's (NTP) time. */
  windowFrom: string;
  windowTo: string;
  /** The same window in the recorder's time (what was asked of the recorder). */
  recorderFrom: string | null;
  recorderTo: string | null;
  /** The end of the recording the recorder reported when the footage was taken (null: not reported). */
  recorderEnd: string | null;
  /** True when the recorder had the whole window on disk; false when the wait ran out and less was taken. */
  complete: boolean;
  method: MasterMethod | null;
  /** The file name the recorder gave (kept in the police export). */
  recorderName: string | null;
  container: string | null;
  sha256: string | null;
  bytes: number | null;
  file: string | null;
  keyId: string | null;
  clockOffsetMs: number | null;
  clockSource: string | null;
  clockReadAt: string | null;
  recorderMake: string | null;
  recorderModel: string | null;
  recorderFirmware: string | null;
  recorderSerial: string | null;
  startedAt: string;
  sealedAt: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  /** Audit sequence number of the acquisition row (continuity). */
  auditSeq: number | null;
  /** How far the current (or last) attempt got: bytes received and seconds of footage (null: not known). */
  progressBytes: number | null;
  progressSeconds: number | null;
}

/** Above this the recorder's clock is worth a warning (doctor, the incident page): 2 s, as police guidance asks. */
export const CLOCK_WARN_MS = 2000;

/** The exhibit reference printed on the witness statement: producer's initials are the person's; this is the item. */
export function exhibitReference(siteId: string, incidentId: string): string {
  return `${siteId.toUpperCase()}-${incidentId.slice(-8).toUpperCase()}-M1`;
}

// Ports: the police master as the web sees it (where it stands, live), and police exports run from the web
// (started by a manager, followed with progress, their files and hashes, downloaded as one ZIP). The evidence
// services implement them; nothing here carries footage.

/** Where an incident's master stands, in the words a page needs. */
export type MasterPhase = 'waiting' | 'acquiring' | 'sealed' | 'short' | 'failed';

export interface MasterStatus {
  incidentId: string;
  phase: MasterPhase;
  /** The incident window the master covers (appliance time). */
  windowFrom: string;
  windowTo: string;
  windowSeconds: number;
  /** waiting: when the acquisition is due to start (the window's end and a margin). */
  startsAt: string | null;
  /** acquiring: bytes and seconds of footage so far; sealed: the whole. */
  bytes: number | null;
  seconds: number | null;
  sha256: string | null;
  method: string | null;
  sealedAt: string | null;
  /** The recorder's clock against the appliance's (positive: ahead); null until read. */
  clockOffsetMs: number | null;
  /** The offset is over the 2 s police guidance tolerates without a note. */
  clockWarning: boolean;
  attempts: number;
  /** failed: why (the last attempt's error); null otherwise. */
  reason: string | null;
  /** failed: when it is tried again (null: no more attempts). */
  nextTry: string | null;
}

export interface MasterStatusService {
  /** Undefined when the incident is unknown. */
  status(incidentId: string): MasterStatus | undefined;
  /** Every change of the incident's master from now on; returns the unsubscribe function. */
  subscribe(incidentId: string, listener: (status: MasterStatus) => void): () => void;
}

export interface PoliceExportRequest {
  incidentId: string;
  /** The officer (name and collar number) the working copy is handed to. */
  officer: string;
  /** The police reference (crime number). */
  reference: string;
}

export type PoliceExportStep = 'starting' | 'master' | 'working-copy' | 'stills' | 'statement' | 'done' | 'failed';

export interface PoliceExportFile {
  /** Path inside the export folder, forward slashes. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface PoliceExportJob {
  id: string;
  incidentId: string;
  reference: string;
  step: PoliceExportStep;
  /** Master bytes written so far, of `totalBytes` (null: no master). */
  bytes: number;
  totalBytes: number | null;
  startedAt: string;
  /** failed: what to do, in words (never a path or a stack trace). */
  error: string | null;
  result: {
    files: PoliceExportFile[];
    exhibit: string | null;
    masterSha256: string | null;
    auditSeq: number;
  } | null;
}

export interface PoliceExportService {
  /** Starts an export of a held incident (refused at once when it is not held); it runs on, followed by job(). */
  start(request: PoliceExportRequest, actor: string): PoliceExportJob;
  job(id: string): PoliceExportJob | undefined;
  subscribe(id: string, listener: (job: PoliceExportJob) => void): () => void;
  /** The finished export as one ZIP, streamed (the master may be hundreds of MB). Audited as a download. */
  archive(id: string, actor: string): { fileName: string; stream: AsyncIterable<Uint8Array> } | undefined;
}

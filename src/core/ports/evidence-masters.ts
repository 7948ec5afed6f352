// Ports: where sealed police masters are recorded (the acquisition service writes, one transaction per step with
// its audit row), and the narrow read port other features use ("read the master of incident X"): the police
// export, and redacted clips, which take the sealed master as their source.
import type { JsonValue } from '../canonical-json.js';
import type { MasterMethod, MasterRecord } from '../evidence.js';

export interface MasterStart {
  incidentId: string;
  camera: number;
  windowFrom: string;
  windowTo: string;
}

export interface MasterSeal {
  method: MasterMethod;
  recorderName: string;
  container: string;
  sha256: string;
  bytes: number;
  file: string;
  keyId: string;
  recorderFrom: string;
  recorderTo: string;
  recorderEnd: string | null;
  complete: boolean;
  clockOffsetMs: number | null;
  clockSource: string | null;
  clockReadAt: string | null;
  recorder: { make: string; model: string; firmware: string; serial: string } | null;
}

export interface MasterStore {
  /** The master row of the incident, creating it ('acquiring') when there is none; counts the attempt. */
  begin(req: MasterStart): MasterRecord;
  /** Seals it and writes the 'evidence-acquire' audit row with `details`, in one transaction. */
  seal(id: string, seal: MasterSeal, actor: string, details: Record<string, JsonValue>): MasterRecord;
  /** Records a failed attempt (and its audit row); `nextAt` null: no more retries. */
  fail(id: string, reason: string, nextAt: Date | null, actor: string): MasterRecord;
  /** How far an acquisition has got (bytes, seconds of footage); written at most about once a second. */
  progress(id: string, bytes: number, seconds: number | null): void;
  forIncident(incidentId: string): MasterRecord | undefined;
  /** Masters left 'acquiring' by a process that died, and failed ones whose retry is due. */
  due(now: Date): MasterRecord[];
  /** Every sealed master, oldest seal first (the disk limit's order of deletion). */
  sealedOldestFirst(): MasterRecord[];
  /**
   * Deletes a sealed master to make room: its file overwritten and unlinked, its key discarded, the row removed and
   * a `delete` audit row (the tombstone, with its hash) written, in one transaction. False when already gone.
   */
  evict(id: string, actor: string, details: Record<string, JsonValue>): boolean;
}

/** "Read the master of incident X": the sealed record and its exact bytes, decrypted, in order. */
export interface MasterReader {
  sealedMaster(incidentId: string): MasterRecord | undefined;
  /** The master's bytes as the recorder gave them; the reader checks the SHA-256 at the end and throws if it differs. */
  readMaster(incidentId: string): AsyncIterable<Buffer>;
}

/** Makes the police export's working copy (MP4, H.264) of a master file; the master is only read. */
export interface WorkingCopyMaker {
  make(masterFile: string, outFile: string): Promise<{ how: 'remux' | 're-encode'; sourceCodec: string }>;
}

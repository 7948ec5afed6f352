// Port: the face check's result per original still, made once when capture finishes: the faces found and the
// rendering with every face redacted. Review and the web read it back instead of detecting and redacting again.
// SQLite + encrypted files implement it (adapters/store/sqlite-still-checks.ts); a fake runs the same contract.
import type { RedactedImage } from '../redaction.js';
import type { DetectedFace } from './redactor.js';

export interface StillCheck {
  /** Size of the original the face boxes refer to. */
  width: number;
  height: number;
  faces: DetectedFace[];
  /** The original with every face redacted. */
  redacted: RedactedImage;
}

export interface StillChecks {
  save(incidentId: string, originalId: string, check: StillCheck): void;
  /** The stored check, or undefined when the still was never checked (or retention has deleted it). */
  load(incidentId: string, originalId: string): StillCheck | undefined;
}

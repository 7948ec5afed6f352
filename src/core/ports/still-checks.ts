// Port: the face check's result per original still, made once when capture finishes: the faces found (kept with
// the original, sealed under its key), and — made once, the first time it is needed — the rendering with every
// face redacted. Review and the web read these back instead of detecting and redacting again. SQLite + encrypted
// files implement it (adapters/store/sqlite-still-checks.ts); a fake runs the same contract.
import type { RedactedImage } from '../redaction.js';
import type { DetectedFace } from './redactor.js';

export interface StillFaceCheck {
  /** Size of the original the face boxes refer to. */
  width: number;
  height: number;
  faces: DetectedFace[];
}

export interface StillCheck extends StillFaceCheck {
  /** The original with every face redacted, once it has been made. */
  redacted?: RedactedImage;
}

export interface StillChecks {
  save(incidentId: string, originalId: string, check: StillFaceCheck): void;
  /** Keeps the rendering with every face redacted (made from the saved faces); replaces an older one. */
  saveRendering(incidentId: string, originalId: string, redacted: RedactedImage): void;
  /** The stored check, or undefined when the still was never checked (or retention has deleted it). */
  load(incidentId: string, originalId: string): StillCheck | undefined;
}

// Port: the redaction step as the rest of the appliance sees it. The vision adapters implement it; capture,
// review, SAR export and the web call it. Fail closed: it throws (DetectorUnavailable, BadImage) rather than
// return an image it could not check.
import type { Box, RedactedImage } from '../redaction.js';

export interface RedactionRequest {
  /** Encoded image (JPEG or PNG) in its original, unredacted form. */
  image: Buffer;
  /** Faces to leave visible (the subject a reviewer picked), in pixels of the input image. */
  keep?: Box[];
  /** Reviewer-added regions that are always redacted, face or not. */
  extra?: Box[];
  /** Output only the region around the single keep box, with any other face inside it redacted. */
  cropSubject?: boolean;
  mode?: 'solid' | 'pixelate' | 'blur';
  /**
   * The faces this very image was already checked for (the stored face check of its still): detection is not run
   * again. Only ever the detector's own result for these bytes.
   */
  faces?: DetectedFace[];
}

export interface DetectedFace {
  box: Box;
  score: number;
}

export interface Redactor {
  /** Detects faces (for the review page's "tap a face" step); boxes in pixels of the input image. */
  detect(image: Buffer): Promise<{ width: number; height: number; faces: DetectedFace[] }>;
  redact(request: RedactionRequest): Promise<RedactedImage>;
  /**
   * Set while a weaker detector stands in for the configured one (e.g. BlazeFace because YuNet is not installed):
   * context stills then need a reviewer's confirmation before they can be sent.
   */
  readonly degraded?: DetectorDegraded | undefined;
}

/** Which detector was configured and why a weaker one runs instead. */
export interface DetectorDegraded {
  configured: string;
  reason: string;
}

// Port: a face detector over decoded pixels. ONNX adapters (BlazeFace, YuNet) and the fake implement it; the
// redaction service drives it. Implementations throw DetectorUnavailable rather than return "no faces" on failure.
import type { DetectionPlan } from '../detection-plan.js';
import type { Box } from '../redaction.js';

/** Decoded pixels: 3 channels per pixel, RGB, row-major, no padding. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface Face {
  /** [x, y, w, h] in pixels of the image given to detect(). */
  box: Box;
  score: number;
  /** Key points (eyes, nose, mouth, …) in the same pixels, when the model gives them. */
  landmarks?: [number, number][];
}

export interface DetectOptions {
  /** `verify`: a pass plan different from the primary one (other scales, shifted windows), for the check of a
   * redacted image. */
  variant?: 'primary' | 'verify';
  /** Multiplies the configured score threshold: below 1 the check of a redacted image is stricter than the first
   * look, so a face left near the threshold is not certified by a coin toss. */
  scoreFactor?: number;
  /** Face heights, in pixels of the given image, to plan for instead of the configured range (the certificate's
   * look around a redacted region asks for the original's smallest face, upscaled in the scaled-down output). */
  faces?: [number, number];
}

export interface FaceDetector {
  /** Which model answers, recorded in every redaction report. */
  readonly model: { id: string; sha256: string };
  detect(image: RgbImage, options?: DetectOptions): Promise<Face[]>;
  /** Set when this detector stands in for a stronger configured one that could not be loaded. */
  readonly degraded?: { configured: string; reason: string };
  /** The passes detect() would run on an image of this size (absent for detectors without passes, e.g. the fake). */
  plan?(width: number, height: number, options?: DetectOptions): DetectionPlan;
  /**
   * false: this model's look at a redacted image proves nothing, so its output is never certified (BlazeFace finds
   * "faces" in noise and in filled regions, docs/redaction.md). Absent means it may certify when it has a plan.
   */
  readonly certifies?: boolean;
  /** Releases the inference session. */
  close(): Promise<void>;
}

// Port: a face detector over decoded pixels. ONNX adapters (BlazeFace, YuNet) and the fake implement it; the
// redaction service drives it. Implementations throw DetectorUnavailable rather than return "no faces" on failure.
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

export interface FaceDetector {
  /** Which model answers, recorded in every redaction report. */
  readonly model: { id: string; sha256: string };
  detect(image: RgbImage): Promise<Face[]>;
  /** Releases the inference session. */
  close(): Promise<void>;
}

// Wires the redaction step from the `redaction` config section: the verified ONNX detector and the sharp codec.
import { SharpCodec } from '../adapters/imaging/sharp-codec.js';
import { createFaceDetector } from '../adapters/vision/create-detector.js';
import type { RedactionConfig } from '../config/schema.js';
import type { FaceDetector } from '../core/ports/face-detector.js';
import { RedactionService } from '../services/redaction/redaction-service.js';

export async function createDetectorFromConfig(c: RedactionConfig): Promise<FaceDetector> {
  return createFaceDetector({
    model: c.model,
    modelPath: c.modelPath,
    modelSha256: c.modelSha256,
    scoreThreshold: c.scoreThreshold,
    threads: c.threads,
    tiles: c.tiles,
    tileSizes: c.tileSizes,
    tileOverlap: c.tileOverlap,
    scales: c.scales,
  });
}

export function codecFromConfig(c: RedactionConfig): SharpCodec {
  return new SharpCodec({ maxInputPixels: c.maxInputPixels, jpegQuality: c.jpegQuality });
}

/** The Redactor the rest of the appliance calls; close() releases the model session. */
export async function createRedactor(
  c: RedactionConfig,
): Promise<{ redactor: RedactionService; detector: FaceDetector; close(): Promise<void> }> {
  const detector = await createDetectorFromConfig(c);
  const redactor = new RedactionService(detector, codecFromConfig(c), {
    margin: c.margin,
    mode: c.mode,
    maxLongSide: c.maxLongSide,
    subjectCropMargin: c.subjectCropMargin,
  });
  return { redactor, detector, close: () => detector.close() };
}

// Shared set-up for vision tests: the real default detector (BlazeFace, tiled), the sharp codec and a service.
import { SharpCodec } from '../../src/adapters/imaging/sharp-codec.js';
import { createFaceDetector } from '../../src/adapters/vision/create-detector.js';
import { centre, contains } from '../../src/core/box-geometry.js';
import type { Face, FaceDetector } from '../../src/core/ports/face-detector.js';
import type { Box } from '../../src/core/redaction.js';
import { RedactionService, type RedactionSettings } from '../../src/services/redaction/redaction-service.js';
import { pixels } from './synthetic-faces.js';

export const DETECTION = {
  scoreThreshold: 0.5,
  threads: 2,
  tiles: true,
  minFacePx: 16,
  planBudget: 4,
};
export const SETTINGS: RedactionSettings = { margin: 1.4, mode: 'solid', maxLongSide: 1280, subjectCropMargin: 2.5 };

export const blazeface = () => createFaceDetector({ model: 'blazeface', ...DETECTION });
export const yunetAt = (modelPath: string) => createFaceDetector({ model: 'yunet', modelPath, ...DETECTION });

/** A fixed noise source so blurred output is repeatable in tests. */
export const fixedRandom = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7919) % 256);

export function codec(maxInputPixels = 40_000_000): SharpCodec {
  return new SharpCodec({ maxInputPixels, jpegQuality: 85, random: fixedRandom });
}

export function service(detector: FaceDetector, settings: Partial<RedactionSettings> = {}): RedactionService {
  return new RedactionService(detector, codec(), { ...SETTINGS, ...settings });
}

/** Runs a detector over an encoded image. */
export async function detectIn(detector: FaceDetector, image: Buffer): Promise<Face[]> {
  const p = await pixels(image);
  return detector.detect({ data: p.data, width: p.width, height: p.height });
}

/** Faces whose centre lies inside one of the regions. */
export function facesInside(faces: readonly Face[], regions: readonly Box[]): Face[] {
  return faces.filter((f) => regions.some((r) => contains(r, centre(f.box))));
}

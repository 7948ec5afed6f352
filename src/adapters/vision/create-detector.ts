// Builds the configured FaceDetector: verifies the model file, then opens one onnxruntime session for it.
import type { FaceDetector } from '../../core/ports/face-detector.js';
import { loadVerifiedModel, type ModelRequest } from './model-manifest.js';
import { type OnnxDetectorOptions, OnnxFaceDetector } from './onnx-face-detector.js';

export type DetectorConfig = ModelRequest & OnnxDetectorOptions;

export async function createFaceDetector(config: DetectorConfig): Promise<FaceDetector> {
  return OnnxFaceDetector.load(loadVerifiedModel(config), config);
}

// Runs the FaceDetector contract against the fake, BlazeFace (installed by npm) and YuNet (../shared, when present).
import { readFileSync } from 'node:fs';
import { createFaceDetector } from '../../src/adapters/vision/create-detector.js';
import { FakeFaceDetector } from '../../src/adapters/vision/fake-face-detector.js';
import type { Box } from '../../src/core/redaction.js';
import { sharedOrSkip } from '../support/shared.js';
import { faceBox, TRIO } from '../support/synthetic-faces.js';
import { faceDetectorContract } from './face-detector.contract.js';

const settings = {
  scoreThreshold: 0.5,
  threads: 2,
  tiles: true,
  minFacePx: 16,
  planBudget: 4,
};

faceDetectorContract(
  'fake',
  async () =>
    new FakeFaceDetector((img) => {
      // The fake "sees" the drawn trio in any non-uniform image, scaled to the image it is given.
      if (img.data.every((v) => v === img.data[0])) return [];
      const s = img.width / 960;
      return TRIO.map((f) => ({ box: faceBox(f).map((v) => v * s) as Box, score: 0.9 }));
    }),
);

faceDetectorContract('blazeface-back-256 (npm package)', () => createFaceDetector({ model: 'blazeface', ...settings }));

for (const file of ['yunet_n_dynamic.onnx', 'yunet_s_dynamic.onnx', 'yunet_n_640_640.onnx']) {
  const path = sharedOrSkip('models', 'yunet', file);
  if (path) {
    readFileSync(path); // present and readable
    faceDetectorContract(file, () => createFaceDetector({ model: 'yunet', modelPath: path, ...settings }));
  }
}

// The default redaction (YuNet, verified) against detectors on real stills: neither YuNet nor BlazeFace may find a
// face where the redaction put one, in every mode. Skips with a clear line when ../shared is absent. (BlazeFace-driven
// redaction is only the stand-in now; its verification refuses some of these stills — see docs/redaction.md.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceDetector } from '../../src/core/ports/face-detector.js';
import type { RedactionMode } from '../../src/core/ports/image-codec.js';
import type { Box } from '../../src/core/redaction.js';
import { sharedOrSkip } from '../support/shared.js';
import { blazeface, detectIn, facesInside, service, yunetAt } from '../support/vision.js';

const media = sharedOrSkip('media', 'faces.json');
const yunetPath = sharedOrSkip('models', 'yunet', 'yunet_n_dynamic.onnx');

describe.skipIf(!media || !yunetPath)('redacted real stills defeat an independent detector (YuNet)', () => {
  let blaze: FaceDetector;
  let yunet: FaceDetector;
  const truth = media ? (JSON.parse(readFileSync(media, 'utf8')) as { images: Record<string, Box[]> }).images : {};
  const dir = media ? join(media, '..') : '';
  beforeAll(async () => {
    blaze = await blazeface();
    yunet = await yunetAt(yunetPath!);
  });
  afterAll(async () => {
    await blaze?.close();
    await yunet?.close();
  });

  const stills = [
    'still-trio.jpg',
    'still-classroom.jpg',
    'still-hallway.jpg',
    'three-people.jpg',
    'two-people-head-pose.jpg',
    'shop-cctv-1080p-frame.jpg',
  ];
  for (const mode of ['solid', 'pixelate', 'blur'] as RedactionMode[]) {
    it(`${mode}: YuNet and BlazeFace find no face inside any redacted region`, async () => {
      for (const file of stills) {
        const image = readFileSync(join(dir, file));
        const before = await detectIn(yunet, image);
        const out = await service(yunet, { mode, maxLongSide: 4096 }).redact({ image });
        expect(out.report.verification?.result, file).toBe('verified');
        const regions = out.report.boxes!.redacted;
        expect(regions.length, file).toBeGreaterThanOrEqual(truth[file]!.length);
        expect(facesInside(before, regions).length, `${file}: YuNet saw faces there before`).toBeGreaterThan(0);
        expect(facesInside(await detectIn(yunet, out.bytes), regions), `${file} YuNet after ${mode}`).toEqual([]);
        expect(facesInside(await detectIn(blaze, out.bytes), regions), `${file} BlazeFace after ${mode}`).toEqual([]);
      }
    });
  }
});

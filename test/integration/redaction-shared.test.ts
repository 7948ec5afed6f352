// The default redaction (YuNet, verified) against detectors on real stills: YuNet may find no face where the
// redaction put one, in every mode, neither on the whole output nor on each redacted box cut out and enlarged into its
// sweet spot. BlazeFace, the second opinion, fires on face-sized blobs: a "face" it reports inside a box that is one
// flat colour is its own false positive (measured: such boxes of still-hallway), so in solid mode only boxes with
// something left in them count; in blur and pixelate mode the enlarged-box check by YuNet decides (docs/redaction.md).
// Skips with a clear line when ../shared is absent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand, toPixels } from '../../src/core/box-geometry.js';
import type { FaceDetector } from '../../src/core/ports/face-detector.js';
import type { RedactionMode } from '../../src/core/ports/image-codec.js';
import type { Box } from '../../src/core/redaction.js';
import { sharedOrSkip } from '../support/shared.js';
import { pixels } from '../support/synthetic-faces.js';
import { blazeface, detectIn, facesInside, service, yunetAt } from '../support/vision.js';

/** Largest per-channel standard deviation inside a box, 2 px in from its edges (past JPEG's ringing). */
async function spread(bytes: Buffer, box: Box): Promise<number> {
  const p = await pixels(bytes);
  const [x0, y0, w, h] = box.map(Math.round) as [number, number, number, number];
  let worst = 0;
  for (let c = 0; c < 3; c++) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (let y = Math.max(0, y0 + 2); y < Math.min(p.height, y0 + h - 2); y++)
      for (let x = Math.max(0, x0 + 2); x < Math.min(p.width, x0 + w - 2); x++) {
        const v = p.data[(y * p.width + x) * 3 + c]!;
        n++;
        sum += v;
        sq += v * v;
      }
    if (n) worst = Math.max(worst, Math.sqrt(sq / n - (sum / n) ** 2));
  }
  return worst;
}

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
        const meta = await sharp(out.bytes).metadata();
        if (mode === 'solid') {
          const flat = await Promise.all(regions.map(async (r) => (await spread(out.bytes, r)) < 6));
          const withSomething = regions.filter((_, i) => !flat[i]);
          expect(flat.every(Boolean), `${file}: every solid box is one flat colour`).toBe(true);
          expect(
            facesInside(await detectIn(blaze, out.bytes), withSomething),
            `${file} BlazeFace after ${mode}`,
          ).toEqual([]);
        } else {
          // Each box cut out with some surroundings and enlarged so the box is 48 px high: YuNet at its best scale.
          for (const r of regions) {
            const cut = toPixels(expand(r, 1.5), meta.width!, meta.height!)!;
            const crop = await sharp(out.bytes)
              .extract({ left: cut[0], top: cut[1], width: cut[2], height: cut[3] })
              .resize({ height: Math.round((48 * cut[3]) / r[3]) })
              .jpeg()
              .toBuffer();
            expect(await detectIn(yunet, crop), `${file} YuNet on the enlarged box ${r} after ${mode}`).toEqual([]);
          }
        }
      }
    });
  }
});

// The one contract every FaceDetector keeps (BlazeFace, YuNet, the fake): finds the faces of a still the project
// draws itself, nothing on a blank frame, boxes in the pixels of the image it was given, repeatable answers.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centre, contains, iou } from '../../src/core/box-geometry.js';
import type { Face, FaceDetector, RgbImage } from '../../src/core/ports/face-detector.js';
import { pixels, syntheticStill } from '../support/synthetic-faces.js';

async function rgb(image: Buffer): Promise<RgbImage> {
  const p = await pixels(image);
  return { data: p.data, width: p.width, height: p.height };
}

export function faceDetectorContract(name: string, make: () => Promise<FaceDetector>): void {
  describe(`FaceDetector contract: ${name}`, () => {
    let detector: FaceDetector;
    let still: Awaited<ReturnType<typeof syntheticStill>>;
    let image: RgbImage;
    let faces: Face[];

    beforeAll(async () => {
      detector = await make();
      still = await syntheticStill();
      image = await rgb(still.image);
      faces = await detector.detect(image);
    });
    afterAll(async () => {
      await detector?.close();
    });

    it('names its model and the SHA-256 of the model file', () => {
      expect(detector.model.id).toMatch(/\S/);
      expect(detector.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it('finds every face of the drawn still, large and small, and nothing else', () => {
      for (const truth of still.boxes) {
        const hit = faces.find((f) => contains(truth, centre(f.box)) && iou(truth, f.box) >= 0.3);
        expect(hit, `face at ${truth.map(Math.round).join(',')} in ${JSON.stringify(faces)}`).toBeDefined();
      }
      expect(faces).toHaveLength(still.boxes.length);
    });

    it('gives boxes inside the image and scores between 0 and 1', () => {
      for (const f of faces) {
        expect(f.box[0]).toBeGreaterThanOrEqual(0);
        expect(f.box[1]).toBeGreaterThanOrEqual(0);
        expect(f.box[0] + f.box[2]).toBeLessThanOrEqual(image.width + 0.01);
        expect(f.box[1] + f.box[3]).toBeLessThanOrEqual(image.height + 0.01);
        expect(f.score).toBeGreaterThan(0);
        expect(f.score).toBeLessThanOrEqual(1);
      }
    });

    it('finds nothing in a blank frame', async () => {
      const blank = { data: new Uint8Array(640 * 360 * 3).fill(128), width: 640, height: 360 };
      expect(await detector.detect(blank)).toEqual([]);
    });

    it('answers in the pixels of the image it was given (a 2× still gives 2× boxes)', async () => {
      const big = await rgb(await sharp(still.image).resize(1920, 1080).png().toBuffer());
      const bigFaces = await detector.detect(big);
      for (const truth of still.boxes) {
        const doubled = truth.map((v) => v * 2) as typeof truth;
        expect(
          bigFaces.some((f) => iou(doubled, f.box) >= 0.3),
          `face at ${doubled.map(Math.round).join(',')} in ${JSON.stringify(bigFaces)}`,
        ).toBe(true);
      }
    });

    it('gives the same answer for the same pixels', async () => {
      expect(await detector.detect(image)).toEqual(faces);
    });
  });
}

// The redaction step end to end on stills the project draws itself: real BlazeFace inference, sharp pixels.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BLUR_SIGMA_FRACTION,
  PIXELATE_BLOCKS,
  SharpCodec,
  SOLID_COLOUR,
} from '../../src/adapters/imaging/sharp-codec.js';
import { FakeFaceDetector } from '../../src/adapters/vision/fake-face-detector.js';
import { coveredFraction, expand, iou, toPixels } from '../../src/core/box-geometry.js';
import { buildPacketContents } from '../../src/core/packet/build.js';
import type { FaceDetector, RgbImage } from '../../src/core/ports/face-detector.js';
import type { RedactionMode } from '../../src/core/ports/image-codec.js';
import type { Box } from '../../src/core/redaction.js';
import { BadImage, DetectorUnavailable } from '../../src/core/redaction-errors.js';
import { sharedOrSkip } from '../support/shared.js';
import { faceBox, noiseStill, pixels, syntheticStill } from '../support/synthetic-faces.js';
import { blazeface, codec, detectIn, facesInside, service, yunetAt } from '../support/vision.js';

const MODES: RedactionMode[] = ['solid', 'pixelate', 'blur'];

describe('redaction with BlazeFace on drawn faces', () => {
  let detector: FaceDetector;
  let yunet: FaceDetector | undefined;
  let still: Awaited<ReturnType<typeof syntheticStill>>;
  beforeAll(async () => {
    detector = await blazeface();
    const path = sharedOrSkip('models', 'yunet', 'yunet_n_dynamic.onnx');
    if (path) yunet = await yunetAt(path);
    still = await syntheticStill();
  });
  afterAll(async () => {
    await detector?.close();
    await yunet?.close();
  });

  it('finds the faces before redaction (otherwise the next tests prove nothing)', async () => {
    expect(await detectIn(detector, still.image)).toHaveLength(3);
  });

  for (const mode of MODES) {
    it(`${mode}: neither BlazeFace nor YuNet finds a face where one was redacted`, async () => {
      const out = await service(detector, { mode }).redact({ image: still.image });
      expect(out.report.facesRedacted).toBe(3);
      const regions = out.report.boxes!.redacted;
      for (const truth of still.boxes) expect(regions.some((r) => iou(r, truth) > 0.3)).toBe(true);
      // BlazeFace may see a face-shaped blob in a filled or blurred box (measured: scores 0.53 and 0.62 on the box
      // of the 49 px face); nothing of that face is left there (the pixel tests below, and YuNet finds nothing), so
      // a leak is a face found outside the boxes — and in solid mode the box must be one flat colour.
      const after = await detectIn(detector, out.bytes);
      expect(after.filter((f) => facesInside([f], regions).length === 0)).toEqual([]);
      if (mode === 'solid') {
        const p = await pixels(out.bytes);
        for (const r of regions) expect(spread(p, r)).toBeLessThan(6);
      }
      if (yunet) expect(facesInside(await detectIn(yunet, out.bytes), regions)).toEqual([]);
    });
  }

  it('leaves the kept subject visible and identical, and redacts the others', async () => {
    const subject = still.boxes[0]!;
    const out = await service(detector).redact({ image: still.image, keep: [subject] });
    expect(out.report).toMatchObject({ facesFound: 3, facesKept: 1, facesRedacted: 2 });
    const after = await detectIn(detector, out.bytes);
    expect(after).toHaveLength(1);
    expect(iou(after[0]!.box, subject)).toBeGreaterThan(0.3);
    // The subject's pixels are exactly those of a plain re-encode of the original.
    const a = await pixels(out.bytes);
    const b = await pixels(await sharp(still.image).jpeg({ quality: 85, chromaSubsampling: '4:2:0' }).toBuffer());
    const [x0, y0, w, h] = subject.map(Math.round);
    let differ = 0;
    for (let y = y0!; y < y0! + h!; y++)
      for (let x = x0!; x < x0! + w!; x++)
        if (a.data[(y * a.width + x) * 3] !== b.data[(y * b.width + x) * 3]) differ++;
    expect(differ).toBe(0);
  });

  it('BlazeFace does not certify its own output: no verification in the report nor in the packet', async () => {
    const out = await service(detector).redact({ image: still.image });
    expect(out.report.verification).toBeUndefined();
  });

  it('YuNet certifies each image: the packet manifest carries the verification, summed, and no bystander boxes', async () => {
    if (!yunet) return; // sharedOrSkip printed why
    const out = await service(yunet).redact({ image: still.image, keep: [still.boxes[0]!], cropSubject: true });
    const ctx = await service(yunet).redact({ image: still.image, keep: [still.boxes[0]!] });
    expect(ctx.report.verification!.result).toBe('verified');
    const contents = buildPacketContents(
      {
        id: '019ab0f2-4c00-7000-8000-00000000c0de',
        siteId: 'shop-001',
        deviceId: 'a'.repeat(64),
        createdAt: new Date('2026-11-23T10:05:00Z'),
        incidentTime: new Date('2026-11-23T10:00:00Z'),
        category: 'theft',
        retentionClass: 'shared-12m',
      },
      [
        { role: 'subject', image: out },
        { role: 'context', image: ctx },
      ],
    );
    const r = contents.manifest.redaction;
    expect(r.verification).toEqual({
      result: 'verified',
      passes: out.report.verification!.passes + ctx.report.verification!.passes,
      facesFoundAfterRedaction:
        out.report.verification!.facesFoundAfterRedaction + ctx.report.verification!.facesFoundAfterRedaction,
    });
    expect(JSON.stringify(contents.manifest)).not.toMatch(/boxes|redacted"/);
  });

  it('YuNet: the check around a redacted face reaches the original resolution (a 20 px face the first look missed is found)', async () => {
    if (!yunet) return; // sharedOrSkip printed why
    // A 1920×1080 still is written at 1280×720, where a 20 px face is 13 px: below what a look at the output's own
    // scale finds. Two such faces side by side; the first look is told it found only the left one.
    const pair = await syntheticStill({
      width: 1920,
      height: 1080,
      faces: [
        { cx: 900, cy: 500, scale: 0.16 },
        { cx: 926, cy: 500, scale: 0.16 },
      ],
    });
    const seen = await detectIn(yunet, pair.image);
    expect(facesInside(seen, [expand(pair.boxes[1]!, 1.2)])).toHaveLength(1); // YuNet sees it at full resolution
    const left = facesInside(seen, [expand(pair.boxes[0]!, 1.2)]);
    expect(left).toHaveLength(1);
    const out = await service(yunet).redact({ image: pair.image, faces: left });
    expect(out.width).toBe(1280);
    const v = out.report.verification!;
    expect(v).toMatchObject({ result: 'verified', facesFoundAfterRedaction: 1, regionsChecked: 1 });
    // The certificate says what it covered, in pixels of the original: from the configured 16 px around each region.
    expect(v.covers!.local[0]).toBe(16);
    expect(v.covers!.wholeFrame![0]).toBeGreaterThan(16);
    expect(coveredFraction(pair.boxes[1]!, out.report.boxes!.redacted)).toBeGreaterThanOrEqual(0.9);
  });

  it('always redacts reviewer-added boxes, face or not', async () => {
    const extra: Box = [40, 40, 64, 64];
    const out = await service(detector).redact({ image: still.image, extra: [extra] });
    expect(out.report.extraBoxes).toBe(1);
    const p = await pixels(out.bytes);
    for (const [x, y] of [
      [50, 50],
      [90, 90],
      [72, 60],
    ] as const) {
      const i = (y * p.width + x) * 3;
      expect(Math.abs(p.data[i]! - SOLID_COLOUR[0])).toBeLessThan(6);
    }
  });

  it('subject crop: only the region around the subject leaves, with a face beside it redacted', async () => {
    const pair = await syntheticStill({
      faces: [
        { cx: 300, cy: 270, scale: 1 },
        { cx: 430, cy: 250, scale: 0.6 },
        { cx: 800, cy: 250, scale: 0.8 },
      ],
    });
    const subject = faceBox({ cx: 300, cy: 270, scale: 1 });
    const out = await service(detector).redact({ image: pair.image, keep: [subject], cropSubject: true });
    const crop = toPixels(expand(subject, 2.5), pair.width, pair.height)!;
    expect(out.report.boxes!.crop).toEqual(crop);
    expect([out.width, out.height]).toEqual([crop[2], crop[3]]);
    const inCrop = await detectIn(detector, out.bytes);
    expect(inCrop).toHaveLength(1); // the subject; the neighbour inside the crop is redacted
    const centreX = inCrop[0]!.box[0] + inCrop[0]!.box[2] / 2 + crop[0];
    expect(Math.abs(centreX - 300)).toBeLessThan(20);
  });

  it('caps the output at 1280 px on the long side', async () => {
    const big = await syntheticStill({ width: 2400, height: 1200, faces: [{ cx: 600, cy: 600, scale: 2 }] });
    const out = await service(detector).redact({ image: big.image });
    expect([out.width, out.height]).toEqual([1280, 640]);
    expect(out.report.input).toEqual({ width: 2400, height: 1200 });
    expect(out.report.facesRedacted).toBe(1);
  });
});

describe('pixels: irrecoverable inside every box, untouched outside', () => {
  const boxes: Box[] = [
    [96, 96, 80, 80],
    [400, 208, 64, 96],
  ];
  const fake = new FakeFaceDetector(() => boxes.map((box) => ({ box, score: 0.9 })));
  let original: RgbImage;
  beforeAll(async () => {
    const p = await pixels(await noiseStill(640, 480));
    original = { data: p.data, width: p.width, height: p.height };
  });
  const regions = boxes.map((b) => toPixels(expand(b, 1.4), 640, 480)!);
  const inside = (x: number, y: number, grow = 0) =>
    regions.some((r) => x >= r[0] - grow && x < r[0] + r[2] + grow && y >= r[1] - grow && y < r[1] + r[3] + grow);

  function correlation(a: RgbImage, b: RgbImage, r: Box): number {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let y = r[1]; y < r[1] + r[3]; y++)
      for (let x = r[0]; x < r[0] + r[2]; x++) {
        const i = (y * a.width + x) * 3;
        xs.push(a.data[i]!);
        ys.push(b.data[i]!);
      }
    const mean = (v: number[]) => v.reduce((s, n) => s + n, 0) / v.length;
    const mx = mean(xs);
    const my = mean(ys);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
      syy += (ys[i]! - my) ** 2;
    }
    return sxx && syy ? sxy / Math.sqrt(sxx * syy) : 0;
  }

  for (const mode of MODES) {
    it(`${mode}: every pixel outside the boxes is the original, inside nothing of it survives`, async () => {
      const red = await codec().redact(original, regions, mode);
      // The same without the added noise, to see the structure underneath.
      const quiet = await new SharpCodec({
        maxInputPixels: 1e8,
        jpegQuality: 85,
        random: (n) => new Uint8Array(n).fill(128),
      }).redact(original, regions, mode);
      let changedOutside = 0;
      for (let y = 0; y < 480; y++)
        for (let x = 0; x < 640; x++) {
          if (inside(x, y)) continue;
          const i = (y * 640 + x) * 3;
          if (red.data[i] !== original.data[i] || red.data[i + 1] !== original.data[i + 1]) changedOutside++;
        }
      expect(changedOutside).toBe(0);
      for (const r of regions) expect(Math.abs(correlation(original, red, r))).toBeLessThan(0.15);
      if (mode === 'solid') {
        const r = regions[0]!;
        const i = ((r[1] + 5) * 640 + r[0] + 5) * 3;
        expect([...red.data.subarray(i, i + 3)]).toEqual([...SOLID_COLOUR]);
      }
      if (mode === 'pixelate') {
        for (const r of regions) {
          const colours = new Set<string>();
          for (let y = r[1]; y < r[1] + r[3]; y++)
            for (let x = r[0]; x < r[0] + r[2]; x++) {
              const i = (y * 640 + x) * 3;
              colours.add(`${quiet.data[i]},${quiet.data[i + 1]},${quiet.data[i + 2]}`);
            }
          expect(colours.size).toBeLessThanOrEqual(PIXELATE_BLOCKS * PIXELATE_BLOCKS);
        }
      }
      if (mode !== 'solid') {
        // Noise on top: the output is not a function of the original alone.
        let differs = 0;
        for (let i = 0; i < red.data.length; i++) if (red.data[i] !== quiet.data[i]) differs++;
        expect(differs).toBeGreaterThan(0);
      }
      if (mode === 'blur') expect(BLUR_SIGMA_FRACTION).toBeGreaterThanOrEqual(0.25);
    });
  }

  it('in the encoded JPEG, blocks away from the boxes equal a plain re-encode of the original', async () => {
    const input = await noiseStill(640, 480);
    const out = await service(fake).redact({ image: input });
    const reencoded = await sharp(input).jpeg({ quality: 85, chromaSubsampling: '4:2:0' }).toBuffer();
    const a = await pixels(out.bytes);
    const b = await pixels(reencoded);
    let compared = 0;
    let differ = 0;
    let insideDiff = 0;
    let insideN = 0;
    for (let y = 0; y < 480; y++)
      for (let x = 0; x < 640; x++) {
        const i = (y * 640 + x) * 3;
        if (inside(x, y)) {
          insideDiff += Math.abs(a.data[i]! - original.data[i]!);
          insideN++;
        } else if (!inside(x, y, 24)) {
          compared++;
          if (a.data[i] !== b.data[i]) differ++;
        }
      }
    expect(compared).toBeGreaterThan(200_000);
    expect(differ).toBe(0);
    expect(insideDiff / insideN).toBeGreaterThan(40);
  });
});

describe('metadata never leaves', () => {
  it('drops EXIF (with GPS), XMP, ICC and comments', async () => {
    const still = await syntheticStill();
    const tagged = await sharp(still.image)
      .withExif({
        IFD0: { Make: 'ShopCam', Model: 'SN-998877', Artist: 'Till staff', ImageDescription: 'Aisle 3' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
      })
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:source="SN-998877"/></rdf:RDF></x:xmpmeta>',
      )
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    // A JPEG comment segment (COM, FF FE) after SOI, as some NVRs write.
    const comment = Buffer.from('camera SN-998877');
    const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0, comment.length + 2]), comment]);
    const input = Buffer.concat([tagged.subarray(0, 2), com, tagged.subarray(2)]);
    const inMeta = await sharp(input).metadata();
    expect(inMeta.exif).toBeDefined();
    expect(inMeta.xmp).toBeDefined();
    expect(inMeta.icc).toBeDefined();
    expect(input.includes('SN-998877')).toBe(true);

    const fake = new FakeFaceDetector(() => []);
    const out = await service(fake).redact({ image: input });
    const meta = await sharp(out.bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(meta.comments ?? []).toEqual([]);
    for (const marker of ['SN-998877', 'Exif', 'ICC_PROFILE', 'http://ns.adobe.com', 'Photoshop', 'GPS'])
      expect(out.bytes.includes(marker), marker).toBe(false);
    expect(out.bytes.includes(Buffer.from([0xff, 0xfe]))).toBe(false);
  });

  it('drops the metadata and the unblurred EXIF thumbnail of ../shared/media/exif-gps-thumbnail.jpg', async () => {
    const path = sharedOrSkip('media', 'exif-gps-thumbnail.jpg');
    if (!path) return;
    const input = await sharp(path).toBuffer();
    const soi = (b: Buffer) => {
      let n = 0;
      for (
        let i = b.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
        i >= 0;
        i = b.indexOf(Buffer.from([0xff, 0xd8, 0xff]), i + 1)
      )
        n++;
      return n;
    };
    const raw = (await import('node:fs')).readFileSync(path);
    expect(soi(raw)).toBeGreaterThan(1); // the thumbnail is a second JPEG inside the first
    void input;
    const out = await service(new FakeFaceDetector(() => [])).redact({ image: raw });
    expect(soi(out.bytes)).toBe(1);
    const meta = await sharp(out.bytes).metadata();
    expect([meta.exif, meta.xmp, meta.icc, meta.iptc]).toEqual([undefined, undefined, undefined, undefined]);
    expect(out.bytes.includes('GPS')).toBe(false);
  });
});

describe('fail closed', () => {
  it('a detector that cannot run stops the redaction: no image comes back', async () => {
    const broken = new FakeFaceDetector(() => [], { failWith: 'model session lost' });
    const still = await syntheticStill();
    await expect(service(broken).redact({ image: still.image })).rejects.toThrow(DetectorUnavailable);
    await expect(service(broken).detect(still.image)).rejects.toThrow(/model session lost/);
    const throwing = new FakeFaceDetector(() => {
      throw new Error('onnxruntime: bad alloc');
    });
    await expect(service(throwing).redact({ image: still.image })).rejects.toThrow(
      /face detection failed: onnxruntime: bad alloc/,
    );
  });

  it('a real ONNX session that fails mid-inference gives DetectorUnavailable, not an empty face list', async () => {
    const detector = await blazeface();
    await detector.close(); // the session is gone: every run now throws inside onnxruntime
    const still = await syntheticStill();
    await expect(service(detector).redact({ image: still.image })).rejects.toThrow(
      /face detection failed with model blazeface-back-256/,
    );
  });

  it('refuses corrupt, truncated, foreign and oversized images with a clear error', async () => {
    const fake = new FakeFaceDetector(() => []);
    const s = service(fake);
    const jpeg = (await syntheticStill()).image;
    await expect(s.redact({ image: jpeg.subarray(0, jpeg.length / 2) })).rejects.toThrow(/truncated or corrupt/);
    await expect(s.redact({ image: Buffer.from('hello, not an image') })).rejects.toThrow(/not an image/);
    await expect(s.redact({ image: Buffer.alloc(0) })).rejects.toThrow(BadImage);
    const gif = await sharp(jpeg).gif().toBuffer();
    await expect(s.redact({ image: gif })).rejects.toThrow(/unsupported image format gif/);
    const small = codec(100_000);
    await expect(small.decode(await noiseStill(400, 400))).rejects.toThrow(
      /400×400 pixels is over the limit of 100000/,
    );
    expect(fake.calls).toBe(0);
  });
});

/** A fake that can be certified: the service verifies only detectors with a pass plan. */
const withPlan = (d: FakeFaceDetector) =>
  Object.assign(d, { plan: () => ({ passes: [], covers: [0, 0] as [number, number], inputPixels: 0 }) });

describe('the verification pass fails closed', () => {
  it('a face the check keeps finding outside the kept boxes refuses the image with the reason', async () => {
    const still = await syntheticStill();
    // A detector that sees a face only in redacted output (as a model might in blurred pixels), every time.
    let call = 0;
    const stubborn = withPlan(
      new FakeFaceDetector(() => (call++ === 0 ? [] : [{ box: [600, 40, 80, 90] as Box, score: 0.9 }])),
    );
    await expect(service(stubborn, { mode: 'blur' }).redact({ image: still.image })).rejects.toThrow(
      /a face was still found after redaction \(\d+ at (.*; )?600,40,80,90.*model fake\); the image is refused/,
    );
  });

  it('a face only the check finds is redacted as well and counted', async () => {
    const still = await syntheticStill();
    let call = 0;
    const late = withPlan(
      new FakeFaceDetector(() => (call++ === 1 ? [{ box: [600, 40, 80, 90] as Box, score: 0.9 }] : [])),
    );
    const out = await service(late).redact({ image: still.image });
    expect(out.report.verification).toMatchObject({ result: 'verified', facesFoundAfterRedaction: 1 });
    expect(out.report.boxes!.redacted).toHaveLength(1);
  });
});

/** Largest per-channel standard deviation inside a box (2 px in from its edges, past JPEG's ringing). */
function spread(p: RgbImage, box: Box): number {
  const [x0, y0, w, h] = box.map(Math.round) as [number, number, number, number];
  let worst = 0;
  for (let c = 0; c < 3; c++) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (let y = y0 + 2; y < y0 + h - 2; y++)
      for (let x = x0 + 2; x < x0 + w - 2; x++) {
        const v = p.data[(y * p.width + x) * 3 + c]!;
        n++;
        sum += v;
        sq += v * v;
      }
    worst = Math.max(worst, Math.sqrt(sq / n - (sum / n) ** 2));
  }
  return worst;
}

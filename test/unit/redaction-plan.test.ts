import { describe, expect, it } from 'vitest';
import { nms } from '../../src/adapters/vision/nms.js';
import { coveredFraction, expand, iou, toPixels } from '../../src/core/box-geometry.js';
import { type DetectionPlan, type ModelGeometry, planDetection, windowOrigins } from '../../src/core/detection-plan.js';
import type { Box } from '../../src/core/redaction.js';
import { InvalidRedactionRequest } from '../../src/core/redaction-errors.js';
import { planRedaction } from '../../src/core/redaction-plan.js';
import { planVerification } from '../../src/core/verification-plan.js';

const base = { width: 1000, height: 600, keep: [], extra: [], margin: 1.4, cropSubject: false, subjectCropMargin: 2.5 };

describe('box geometry', () => {
  it('grows a box about its centre and clips it to whole pixels inside the image', () => {
    expect(expand([100, 100, 50, 100], 1.4)).toEqual([90, 80, 70, 140]);
    expect(toPixels([-10.5, 590.2, 30, 30], 1000, 600)).toEqual([0, 590, 20, 10]);
    expect(toPixels([1200, 0, 10, 10], 1000, 600)).toBeUndefined();
  });

  it('measures how much of a face lies inside redacted regions, counting overlaps once', () => {
    expect(coveredFraction([0, 0, 10, 10], [[0, 0, 5, 10]])).toBe(0.5);
    expect(
      coveredFraction(
        [0, 0, 10, 10],
        [
          [0, 0, 5, 10],
          [0, 0, 5, 10],
          [5, 0, 5, 5],
        ],
      ),
    ).toBe(0.75);
    expect(coveredFraction([0, 0, 10, 10], [])).toBe(0);
    // A region wholly left of (or above) the box covers none of it.
    expect(coveredFraction([100, 100, 80, 100], [[0, 50, 60, 200]])).toBe(0);
    expect(coveredFraction([100, 100, 80, 100], [[0, 0, 300, 60]])).toBe(0);
    expect(iou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(1 / 3);
  });
});

describe('NMS across tiles', () => {
  it('keeps the best of overlapping boxes, but never drops a whole face for a better-scored part of it', () => {
    const kept = nms([
      { box: [0, 0, 100, 100], score: 0.8 },
      { box: [5, 5, 100, 100], score: 0.9 },
      { box: [10, 10, 30, 30], score: 0.95 },
      { box: [300, 300, 50, 50], score: 0.6 },
    ]);
    expect(kept.map((f) => f.score)).toEqual([0.95, 0.9, 0.6]);
  });

  it('suppresses a box that lies mostly inside a better one', () => {
    const kept = nms([
      { box: [0, 0, 100, 100], score: 0.9 },
      { box: [10, 10, 30, 30], score: 0.6 },
    ]);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.score).toBe(0.9);
  });
});

describe('detection planner', () => {
  const yunet: ModelGeometry = {
    input: { kind: 'dynamic', multipleOf: 32, maxSide: 1920 },
    sweetSpot: { min: 24, max: 64 },
  };
  const blaze: ModelGeometry = { input: { kind: 'fixed', width: 256, height: 256 }, sweetSpot: { min: 64, max: 96 } };
  const FRAMES = [
    [320, 240],
    [640, 480],
    [1280, 720],
    [1920, 1080],
    [2560, 1440],
    [3840, 2160],
  ] as const;

  it('a model measured to see small faces at native scale (nativeFrom) gets no upscaled pass for them', () => {
    const native: ModelGeometry = { ...yunet, nativeFrom: 16 };
    for (const variant of ['primary', 'verify'] as const) {
      const plan = planDetection({ width: 1920, height: 1080, minFacePx: 16, variant }, native);
      expect(plan.passes[0]).toMatchObject({ scale: 1, faces: [16, expect.any(Number)] });
      expect(Math.max(...plan.passes.map((p) => p.scale))).toBe(1);
      expect(plan.covers[0]).toBe(16);
      // Above the first pass, every face is inside the sweet spot as before.
      assertCovers({ ...plan, passes: plan.passes.slice(1) }, native, plan.passes[1]!.faces[0], 1080);
      assertWindows(plan);
    }
    // Without the measurement the same range costs an upscaled pass: 1.9× the model input of the native plan.
    const up = planDetection({ width: 1920, height: 1080, minFacePx: 16 }, yunet);
    expect(up.passes[0]!.scale).toBe(1.5);
    const nat = planDetection({ width: 1920, height: 1080, minFacePx: 16 }, native);
    expect(up.inputPixels / nat.inputPixels).toBeGreaterThan(1.8);
    // Faces below nativeFrom are still upscaled.
    expect(planDetection({ width: 1920, height: 1080, minFacePx: 12 }, native).passes[0]!.scale).toBe(2);
  });

  /** Every face height in [lo, hi], sampled densely, lies in some pass's range and inside the sweet spot there. */
  function assertCovers(plan: DetectionPlan, model: ModelGeometry, lo: number, hi: number) {
    for (let f = lo; f <= hi; f *= 1.02) {
      const pass = plan.passes.find((p) => p.faces[0] <= f + 1e-6 && f <= p.faces[1] + 1e-6);
      expect(pass, `face ${f.toFixed(1)} px in ${JSON.stringify(plan.passes.map((p) => p.faces))}`).toBeDefined();
      const atInput = f * pass!.scale;
      expect(atInput).toBeGreaterThanOrEqual(model.sweetSpot.min - 0.01);
      expect(atInput).toBeLessThanOrEqual(model.sweetSpot.max + 0.01);
    }
  }

  /** Windows tile the scaled image, and neighbours share more than the largest face the pass is responsible for. */
  function assertWindows(plan: DetectionPlan) {
    for (const p of plan.passes) {
      const xs = [...new Set(p.windows.map((w) => w.x))].sort((a, b) => a - b);
      const ys = [...new Set(p.windows.map((w) => w.y))].sort((a, b) => a - b);
      expect(xs[0]).toBeLessThanOrEqual(0);
      expect(ys[0]).toBeLessThanOrEqual(0);
      expect(xs.at(-1)! + p.inputWidth).toBeGreaterThanOrEqual(p.width);
      expect(ys.at(-1)! + p.inputHeight).toBeGreaterThanOrEqual(p.height);
      const largest = p.faces[1] * p.scale;
      for (let i = 1; i < xs.length; i++) expect(xs[i - 1]! + p.inputWidth - xs[i]!).toBeGreaterThan(largest);
      for (let i = 1; i < ys.length; i++) expect(ys[i - 1]! + p.inputHeight - ys[i]!).toBeGreaterThan(largest);
    }
  }

  for (const [w, h] of FRAMES)
    for (const [name, model] of [
      ['dynamic YuNet', yunet],
      ['fixed 256 BlazeFace', blaze],
    ] as const)
      for (const variant of ['primary', 'verify'] as const)
        it(`${w}×${h}, ${name}, ${variant}: every face 16 px…frame height is seen inside the sweet spot`, () => {
          const plan = planDetection({ width: w, height: h, minFacePx: 16, variant }, model);
          assertCovers(plan, model, 16, h);
          assertWindows(plan);
          expect(plan.covers[0]).toBeLessThanOrEqual(16);
          expect(plan.covers[1]).toBeGreaterThanOrEqual(h);
        });

  it('upscales a small image when the smallest face needs it, and never beyond the limit', () => {
    const plan = planDetection({ width: 320, height: 240, minFacePx: 12 }, yunet);
    expect(plan.passes[0]!.scale).toBeCloseTo(2, 5);
    expect(plan.passes[0]!.width).toBe(640);
    const capped = planDetection({ width: 320, height: 240, minFacePx: 4, maxScale: 4 }, yunet);
    expect(capped.passes[0]!.scale).toBe(4);
    expect(capped.covers[0]).toBe(6);
  });

  it('the verification plan uses other scales than the primary one, and shifts fixed windows', () => {
    const a = planDetection({ width: 1920, height: 1080, minFacePx: 16 }, yunet);
    const b = planDetection({ width: 1920, height: 1080, minFacePx: 16, variant: 'verify' }, yunet);
    const scalesA = a.passes.slice(1).map((p) => p.scale);
    for (const s of b.passes.slice(1).map((p) => p.scale)) expect(scalesA).not.toContain(s);
    const fa = planDetection({ width: 640, height: 480, minFacePx: 80 }, blaze);
    const fb = planDetection({ width: 640, height: 480, minFacePx: 80, variant: 'verify' }, blaze);
    expect(fa.passes[0]!.windows[0]).toEqual({ x: 0, y: 0 });
    expect(fb.passes[0]!.windows[0]!.x).toBeLessThan(0);
  });

  it('within a budget it raises the smallest face covered and says so', () => {
    const free = planDetection({ width: 1920, height: 1080, minFacePx: 16 }, blaze);
    const budget = planDetection({ width: 1920, height: 1080, minFacePx: 16, budget: 4 }, blaze);
    expect(free.covers[0]).toBe(16);
    expect(budget.inputPixels).toBeLessThanOrEqual(4 * 1920 * 1080);
    expect(budget.covers[0]).toBeGreaterThan(16);
    assertCovers(budget, blaze, budget.passes[0]!.faces[0], 1080);
    // YuNet covers 16 px faces in a 1080p frame within the same budget.
    expect(planDetection({ width: 1920, height: 1080, minFacePx: 16, budget: 4 }, yunet).covers[0]).toBe(16);
  });

  it('caps the window of a dynamic model and tiles beyond it', () => {
    const plan = planDetection({ width: 3840, height: 2160, minFacePx: 16 }, yunet);
    for (const p of plan.passes) expect(Math.max(p.inputWidth, p.inputHeight)).toBeLessThanOrEqual(1920);
    expect(plan.passes[0]!.windows.length).toBeGreaterThan(1);
  });

  it('tiles beyond the cap with windows only as large as they need to be', () => {
    const native: ModelGeometry = { ...yunet, nativeFrom: 16 };
    for (const [w, h] of [
      [2560, 1440],
      [3840, 2160],
    ] as const) {
      const first = planDetection({ width: w, height: h, minFacePx: 16 }, native).passes[0]!;
      expect(first.scale).toBe(1);
      expect(Math.max(first.inputWidth, first.inputHeight)).toBeLessThanOrEqual(1920);
      // The windows together hold the frame plus their overlaps, not a third more (1920-wide windows in a 2560 frame).
      expect((first.windows.length * first.inputWidth * first.inputHeight) / (w * h)).toBeLessThan(1.15);
    }
  });

  it('refuses a nonsense image size or sweet spot', () => {
    expect(() => planDetection({ width: 0, height: 10, minFacePx: 16 }, yunet)).toThrow(/not positive/);
    expect(() =>
      planDetection({ width: 10, height: 10, minFacePx: 16 }, { ...yunet, sweetSpot: { min: 5, max: 5 } }),
    ).toThrow(/not a range/);
  });

  it('windowOrigins: covers the length, shifted grids start before 0', () => {
    const xs = windowOrigins(960, 256, 64);
    expect(xs[0]).toBe(0);
    expect(xs.at(-1)! + 256).toBe(960);
    for (let i = 1; i < xs.length; i++) expect(xs[i - 1]! + 256 - xs[i]!).toBeGreaterThanOrEqual(64);
    expect(windowOrigins(200, 256, 64)).toEqual([0]);
    const shifted = windowOrigins(960, 256, 64, true);
    expect(shifted[0]).toBe(-96);
    expect(shifted.at(-1)! + 256).toBeGreaterThanOrEqual(960);
  });
});

describe('verification plan (the redaction certificate)', () => {
  it('looks again around every redacted region with context, for the faces the first look was responsible for', () => {
    // A 1920×1080 still written out at 1280×720 (k = 2/3).
    const plan = planVerification({
      output: { width: 1280, height: 720 },
      origin: [0, 0, 1920, 1080],
      regions: [[300, 300, 60, 60]],
      faces: [16, 1080],
      context: 1,
    });
    expect(plan.local).toEqual([{ window: [160, 160, 120, 120], faces: [10.7, 120] }]);
    // 16 px faces of the original are 10.7 px in the output: below the detector's native range, so it upscales —
    // the check reaches the original's resolution. The certificate states the range in input pixels.
    expect(plan.covers).toEqual({ local: [16, 1080] });
    expect(plan.wholeFrame).toBeUndefined();
  });

  it('merges windows that overlap (a group of faces) and clips them to the output', () => {
    const plan = planVerification({
      output: { width: 640, height: 480 },
      origin: [0, 0, 640, 480],
      regions: [
        [0, 0, 40, 40],
        [60, 10, 40, 40],
        [500, 400, 40, 40],
      ],
      faces: [16, 480],
      context: 1,
    });
    expect(plan.local.map((c) => c.window)).toEqual([
      [0, 0, 140, 90],
      [460, 360, 120, 120],
    ]);
  });

  it('maps a subject crop to output pixels and states what the whole-frame look covers', () => {
    const plan = planVerification({
      output: { width: 400, height: 300 },
      origin: [1000, 500, 800, 600],
      regions: [[1100, 600, 40, 40]],
      faces: [16, 1080],
      wholeFrameFrom: 16,
      context: 1,
    });
    expect(plan.local[0]!.window).toEqual([30, 30, 60, 60]);
    expect(plan.local[0]!.faces[0]).toBe(8);
    expect(plan.wholeFrame).toEqual({ window: [0, 0, 400, 300], faces: [16, 300] });
    // Whole-frame faces from 16 output px are 32 px of the input: said so, not implied.
    expect(plan.covers).toEqual({ local: [16, 600], wholeFrame: [32, 600] });
  });
});

describe('redaction plan', () => {
  const faces = [
    { box: [100, 100, 50, 60] as Box, score: 0.9 },
    { box: [500, 200, 40, 40] as Box, score: 0.8 },
  ];

  it('redacts every face grown by the margin', () => {
    const p = planRedaction({ ...base, faces });
    expect(p.redactedFaces).toBe(2);
    expect(p.regions).toEqual([
      [90, 88, 70, 84],
      [492, 192, 56, 56],
    ]);
  });

  it('leaves the face a keep box points at, and always redacts extra boxes', () => {
    const p = planRedaction({ ...base, faces, keep: [[95, 95, 60, 70]], extra: [[10, 10, 20, 20]] });
    expect(p.keptFaces).toBe(1);
    expect(p.redactedFaces).toBe(1);
    expect(p.regions).toEqual([
      [492, 192, 56, 56],
      [10, 10, 20, 20],
    ]);
  });

  it('crops around the single subject and refuses a crop without exactly one keep box', () => {
    const p = planRedaction({ ...base, faces, keep: [[100, 100, 50, 60]], cropSubject: true });
    expect(p.crop).toEqual([62, 55, 126, 150]);
    expect(() => planRedaction({ ...base, faces, cropSubject: true })).toThrow(InvalidRedactionRequest);
    expect(() => planRedaction({ ...base, faces, cropSubject: true, keep: [faces[0]!.box, faces[1]!.box] })).toThrow(
      /exactly one keep box/,
    );
  });

  it('refuses boxes that are empty or outside the image, naming them', () => {
    expect(() => planRedaction({ ...base, faces, extra: [[10, 10, 0, 5]] })).toThrow(/extra box \[10,10,0,5\]/);
    expect(() => planRedaction({ ...base, faces, keep: [[2000, 10, 5, 5]] })).toThrow(/outside the 1000×600 image/);
  });
});

import { describe, expect, it } from 'vitest';
import { nms } from '../../src/adapters/vision/nms.js';
import { planPasses, tileOrigins } from '../../src/adapters/vision/tiling.js';
import { coveredFraction, expand, iou, toPixels } from '../../src/core/box-geometry.js';
import type { Box } from '../../src/core/redaction.js';
import { InvalidRedactionRequest } from '../../src/core/redaction-errors.js';
import { planRedaction } from '../../src/core/redaction-plan.js';

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

describe('tiling plan', () => {
  it('covers the whole length with windows that overlap by at least the asked fraction', () => {
    const xs = tileOrigins(1920 * 0.5, 256, 0.25);
    expect(xs[0]).toBe(0);
    expect(xs.at(-1)! + 256).toBe(960);
    for (let i = 1; i < xs.length; i++) expect(xs[i - 1]! + 256 - xs[i]!).toBeGreaterThanOrEqual(64);
    expect(tileOrigins(200, 256, 0.25)).toEqual([0]);
  });

  const settings = { tiles: true, tileSizes: [512], tileOverlap: 0.25, scales: [1, 0.5] };

  it('gives fixed-input models the letterboxed frame plus tiles, and dynamic ones each scale', () => {
    const fixed = planPasses(1920, 1080, { kind: 'fixed', width: 256, height: 256 }, settings);
    expect(fixed[0]).toMatchObject({ width: 256, height: 144, windows: [{ x: 0, y: 0 }] });
    expect(fixed[1]).toMatchObject({ scale: 0.5, width: 960, height: 540 });
    expect(fixed[1]!.windows).toHaveLength(5 * 3);
    const dynamic = planPasses(1920, 1080, { kind: 'dynamic', multipleOf: 32 }, settings);
    expect(dynamic.map((p) => [p.inputWidth, p.inputHeight])).toEqual([
      [1920, 1088],
      [960, 544],
    ]);
    expect(
      planPasses(1920, 1080, { kind: 'fixed', width: 256, height: 256 }, { ...settings, tiles: false }),
    ).toHaveLength(1);
    // A 6000 px still is never fed whole at full size to a dynamic model.
    expect(planPasses(6000, 4000, { kind: 'dynamic', multipleOf: 32 }, settings).map((p) => p.width)).toEqual([2560]);
    expect(planPasses(3000, 2000, { kind: 'dynamic', multipleOf: 32 }, settings).map((p) => p.width)).toEqual([
      2560, 1500,
    ]);
    // A tile as big as the image would only repeat the whole-frame pass.
    expect(planPasses(480, 270, { kind: 'fixed', width: 256, height: 256 }, settings)).toHaveLength(1);
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

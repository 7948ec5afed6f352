// The tracker's promise to the clip maker: a face the detector finds on every other frame is covered on every frame
// in between, whatever its size, speed and the detector's jitter; a face that leaves is let go after the hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coveredFraction } from '../../../src/core/box-geometry.js';
import { FaceTracker, matchFace } from '../../../src/core/face-tracker.js';
import type { Box } from '../../../src/core/redaction.js';

const covered = (face: Box, covers: Box[]) => coveredFraction(face, covers);

interface Walk {
  x: number;
  y: number;
  size: number;
  vx: number;
  vy: number;
  /** Change of speed per frame (a person speeding up or turning). */
  ax: number;
  ay: number;
}

const walk = fc.record({
  x: fc.double({ min: 0, max: 1500, noNaN: true }),
  y: fc.double({ min: 0, max: 800, noNaN: true }),
  size: fc.double({ min: 24, max: 160, noNaN: true }),
  // Up to a fifth of the face's width per frame: at 8 fps a 60 px face crossing the frame in ~10 s moves far less.
  vx: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
  vy: fc.double({ min: -0.1, max: 0.1, noNaN: true }),
  ax: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
  ay: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
});

/** The true face box on frame i (speeds are in face widths per frame). */
function at(w: Walk, i: number): Box {
  const vx = (w.vx + w.ax * i) * w.size;
  const vy = (w.vy + w.ay * i) * w.size;
  return [w.x + vx * i, w.y + vy * i, w.size, w.size * 1.2];
}

/** What a detector reports: the face, a few percent off in position and size. */
function jittered(b: Box, j: number): Box {
  return [b[0] + j * b[2] * 0.05, b[1] - j * b[3] * 0.05, b[2] * (1 + j * 0.06), b[3] * (1 - j * 0.04)];
}

describe('FaceTracker', () => {
  it('covers a moving face on every frame when the detector runs only on every other frame', () => {
    fc.assert(
      fc.property(
        fc.array(walk, { minLength: 1, maxLength: 3 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 40, maxLength: 40 }),
        (walks, jitter) => {
          const tracker = new FaceTracker({ margin: 1.4 });
          for (let i = 0; i < 40; i++) {
            const truth = walks.map((w) => at(w, i));
            const detections = i % 2 === 0 ? truth.map((b, k) => jittered(b, jitter[(i + k) % 40]!)) : null;
            const frame = tracker.step(detections);
            const covers = frame.faces.map((f) => f.cover);
            for (const face of truth) expect(covered(face, covers)).toBeGreaterThanOrEqual(0.999);
          }
        },
      ),
      { numRuns: 300, seed: 18 },
    );
  });

  it('keeps covering a face the detector misses for a few frames, then lets it go', () => {
    const tracker = new FaceTracker({ margin: 1.4, holdFrames: 4 });
    const face = (i: number): Box => [100 + 6 * i, 200, 60, 72];
    for (let i = 0; i < 6; i++) tracker.step([face(i)]);
    // Hidden behind a shelf for 3 frames while detection still runs: held, and still covered.
    for (let i = 6; i < 9; i++) {
      const f = tracker.step([]);
      expect(f.faces).toHaveLength(1);
      expect(f.faces[0]!.state).toBe('held');
      expect(f.unsure).toBe(true);
      expect(covered(face(i), [f.faces[0]!.cover])).toBeGreaterThanOrEqual(0.999);
    }
    // Found again within the hold: same track.
    const back = tracker.step([face(9)]);
    expect(back.faces.map((f) => f.id)).toEqual([1]);
    expect(back.faces[0]!.state).toBe('detected');
    // Gone for longer than the hold: dropped, and a face found later is a new track the reviewer must confirm.
    for (let i = 10; i < 15; i++) tracker.step([]);
    expect(tracker.step([]).faces).toHaveLength(0);
    expect(tracker.step([face(16)]).faces[0]!.id).toBe(2);
  });

  it('keeps two faces apart as they pass each other', () => {
    const tracker = new FaceTracker();
    const a = (i: number): Box => [100 + 10 * i, 200, 60, 70];
    const b = (i: number): Box => [500 - 10 * i, 230, 60, 70];
    let ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const f = tracker.step(i % 2 === 0 ? [a(i), b(i)] : null);
      expect(
        covered(
          a(i),
          f.faces.map((x) => x.cover),
        ),
      ).toBeGreaterThanOrEqual(0.999);
      expect(
        covered(
          b(i),
          f.faces.map((x) => x.cover),
        ),
      ).toBeGreaterThanOrEqual(0.999);
      ids = f.faces.map((x) => x.id);
    }
    // After crossing, track 1 is still the face that started on the left (now on the right).
    const last = tracker.step([a(40), b(40)]);
    const t1 = last.faces.find((f) => f.id === 1)!;
    expect(t1.box[0]).toBeCloseTo(a(40)[0], 0);
    expect(ids.sort()).toEqual([1, 2]);
  });

  it('asks for a detection while a track is new or lost, and not for a steady one', () => {
    const tracker = new FaceTracker();
    expect(tracker.step([[10, 10, 50, 60]]).unsure).toBe(true);
    expect(tracker.step([[12, 10, 50, 60]]).unsure).toBe(false);
    expect(tracker.step(null).unsure).toBe(true);
    expect(tracker.step([[16, 10, 50, 60]]).unsure).toBe(false);
  });

  it('does not let a still face cover more than its margin', () => {
    const tracker = new FaceTracker({ margin: 1.4 });
    let f = tracker.step([[100, 100, 50, 50]]);
    for (let i = 0; i < 10; i++) f = tracker.step([[100, 100, 50, 50]]);
    const c = f.faces[0]!.cover;
    expect(c[2]).toBeCloseTo(70, 5);
    expect(c[3]).toBeCloseTo(70, 5);
  });

  it('matches a picked subject box to the face it surrounds', () => {
    const tracker = new FaceTracker();
    const f = tracker.step([
      [100, 100, 50, 60],
      [300, 100, 50, 60],
    ]);
    expect(matchFace(f.faces, [290, 90, 80, 90])?.id).toBe(2);
    expect(matchFace(f.faces, [600, 600, 40, 40])).toBeUndefined();
  });
});

// Tracks faces across the frames of a clip (SORT-style: greedy IoU association, constant-velocity motion per track)
// so that a face stays covered on the frames between detections. Pure and synchronous: the clip maker feeds it one
// frame at a time, with the detector's boxes on the frames it ran and `null` on the frames it skipped.
import { area, expand, intersection, iou } from './box-geometry.js';
import type { Box } from './redaction.js';

export interface TrackerSettings {
  /** Each face box grows by this factor about its centre before it is filled (the redaction margin, e.g. 1.4). */
  margin: number;
  /** A detection joins the track it overlaps most when that overlap (IoU of predicted and found box) is at least this. */
  minIou: number;
  /** Frames a track is still covered after the detector last found it (it may be hidden, or the detector missed it). */
  holdFrames: number;
  /**
   * Extra growth per frame since the last detection, as a fraction of the box's side: covers a change of speed or
   * direction the constant-velocity model cannot foresee. A new track (speed unknown) grows twice as fast.
   */
  uncertaintyPerFrame: number;
  /** The most the uncertainty may add, as a fraction of the side (per side). */
  maxGrowth: number;
  /** How strongly a new measurement of speed replaces the old (0..1). */
  velocityGain: number;
}

export const DEFAULT_TRACKER: TrackerSettings = {
  margin: 1.4,
  minIou: 0.1,
  holdFrames: 4,
  uncertaintyPerFrame: 0.15,
  maxGrowth: 0.6,
  velocityGain: 0.7,
};

export type TrackState = 'detected' | 'predicted' | 'held';

export interface TrackedFace {
  /** Stable for the life of the track; a face lost longer than holdFrames and found again gets a new id. */
  id: number;
  /** The face as found (detected) or as the motion model places it, without margin. */
  box: Box;
  /** What must be filled to hide it: the box grown by the margin, its motion and the uncertainty since it was seen. */
  cover: Box;
  /** detected: found on this frame; predicted: no detection ran; held: detection ran and did not find it. */
  state: TrackState;
  /** Frames since the detector last found this face (0 when detected now). */
  sinceSeen: number;
  /** Detections this track has had. */
  hits: number;
}

export interface TrackedFrame {
  index: number;
  faces: TrackedFace[];
  /** True when the next frame should be checked by the detector (a track is held or moving fast, or brand new). */
  unsure: boolean;
}

interface Track {
  id: number;
  /** Centre x, centre y, width, height at the current frame. */
  cx: number;
  cy: number;
  w: number;
  h: number;
  /** Pixels per frame. */
  vx: number;
  vy: number;
  hits: number;
  sinceSeen: number;
  /** Frame of the last detection, for the speed estimate over skipped frames. */
  seenAt: number;
  seenCx: number;
  seenCy: number;
}

const boxOf = (t: Pick<Track, 'cx' | 'cy' | 'w' | 'h'>): Box => [t.cx - t.w / 2, t.cy - t.h / 2, t.w, t.h];

/** The smallest box holding both. */
export function union(a: Box, b: Box): Box {
  const x0 = Math.min(a[0], b[0]);
  const y0 = Math.min(a[1], b[1]);
  const x1 = Math.max(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.max(a[1] + a[3], b[1] + b[3]);
  return [x0, y0, x1 - x0, y1 - y0];
}

export class FaceTracker {
  readonly #s: TrackerSettings;
  #tracks: Track[] = [];
  #nextId = 1;
  #frame = -1;

  constructor(settings: Partial<TrackerSettings> = {}) {
    this.#s = { ...DEFAULT_TRACKER, ...settings };
    if (!(this.#s.margin >= 1)) throw new RangeError('tracker margin must be at least 1');
  }

  /**
   * Advances one frame. `detections` are the faces the detector found on it, or null when it did not run; the
   * answer lists every face to cover on this frame, tracks held after a miss included.
   */
  step(detections: readonly Box[] | null): TrackedFrame {
    const s = this.#s;
    this.#frame += 1;
    const frame = this.#frame;
    // Predict: every track moves on by its speed.
    for (const t of this.#tracks) {
      t.cx += t.vx;
      t.cy += t.vy;
      t.sinceSeen += 1;
    }
    const matched = new Set<Track>();
    const state = new Map<Track, TrackState>();
    if (detections) {
      // Greedy association by IoU, best pair first (SORT uses the Hungarian method; with a handful of faces per
      // frame greedy picks the same pairs except in near ties, where either choice is covered by the margin).
      const pairs: { t: Track; d: number; score: number }[] = [];
      detections.forEach((d, di) => {
        for (const t of this.#tracks) {
          const score = iou(boxOf(t), d);
          if (score >= s.minIou) pairs.push({ t, d: di, score });
        }
      });
      pairs.sort((a, b) => b.score - a.score);
      const used = new Set<number>();
      for (const p of pairs) {
        if (matched.has(p.t) || used.has(p.d)) continue;
        matched.add(p.t);
        used.add(p.d);
        this.#update(p.t, detections[p.d]!, frame);
        state.set(p.t, 'detected');
      }
      detections.forEach((d, di) => {
        if (used.has(di)) return;
        const t: Track = {
          id: this.#nextId++,
          cx: d[0] + d[2] / 2,
          cy: d[1] + d[3] / 2,
          w: d[2],
          h: d[3],
          vx: 0,
          vy: 0,
          hits: 1,
          sinceSeen: 0,
          seenAt: frame,
          seenCx: d[0] + d[2] / 2,
          seenCy: d[1] + d[3] / 2,
        };
        this.#tracks.push(t);
        state.set(t, 'detected');
      });
    }
    // Drop tracks lost for longer than the hold.
    this.#tracks = this.#tracks.filter((t) => t.sinceSeen <= s.holdFrames);
    const faces = this.#tracks.map((t): TrackedFace => {
      const st = state.get(t) ?? (detections ? 'held' : 'predicted');
      return { id: t.id, box: boxOf(t), cover: this.#cover(t), state: st, sinceSeen: t.sinceSeen, hits: t.hits };
    });
    const unsure = this.#tracks.some(
      (t) =>
        t.sinceSeen > 0 ||
        t.hits < 2 ||
        // Moving more than a quarter of its width per frame: one skipped frame is a big jump.
        Math.hypot(t.vx, t.vy) > 0.25 * Math.max(t.w, t.h),
    );
    return { index: frame, faces, unsure };
  }

  #update(t: Track, d: Box, frame: number): void {
    const s = this.#s;
    const cx = d[0] + d[2] / 2;
    const cy = d[1] + d[3] / 2;
    const dt = Math.max(1, frame - t.seenAt);
    const mvx = (cx - t.seenCx) / dt;
    const mvy = (cy - t.seenCy) / dt;
    // The first measured speed is taken whole; later ones are blended so one noisy box does not fling the track.
    const g = t.hits === 1 ? 1 : s.velocityGain;
    t.vx = g * mvx + (1 - g) * t.vx;
    t.vy = g * mvy + (1 - g) * t.vy;
    t.cx = cx;
    t.cy = cy;
    t.w = d[2];
    t.h = d[3];
    t.hits += 1;
    t.sinceSeen = 0;
    t.seenAt = frame;
    t.seenCx = cx;
    t.seenCy = cy;
  }

  /**
   * The box to fill: the face grown by the margin, stretched back along its motion to where it was last seen (so a
   * wrong speed still leaves the face between the two), and grown by the uncertainty since it was last found.
   */
  #cover(t: Track): Box {
    const s = this.#s;
    const now = expand(boxOf(t), s.margin);
    const seen = expand(boxOf({ cx: t.seenCx, cy: t.seenCy, w: t.w, h: t.h }), s.margin);
    let c = union(now, seen);
    if (t.sinceSeen > 0) {
      const rate = t.hits < 2 ? 2 * s.uncertaintyPerFrame : s.uncertaintyPerFrame;
      // Capped: a face hidden behind a pillar for a second should not grow a cover over half the frame.
      const grow = Math.min(rate * t.sinceSeen, s.maxGrowth);
      const dx = grow * t.w * s.margin;
      const dy = grow * t.h * s.margin;
      c = [c[0] - dx, c[1] - dy, c[2] + 2 * dx, c[3] + 2 * dy];
    }
    return c;
  }
}

/** The tracked face on `faces` that best matches `box` (a picked subject), or undefined when none overlaps it. */
export function matchFace<F extends Pick<TrackedFace, 'box'>>(faces: readonly F[], box: Box): F | undefined {
  let best: F | undefined;
  let bestScore = 0;
  for (const f of faces) {
    // Overlap of the pick with the face, relative to the smaller of the two: a loose click-drag around a face
    // still picks it, a small box on one face does not pick a large neighbour.
    const inter = intersection(f.box, box);
    const score = inter / Math.max(1, Math.min(area(f.box), area(box)));
    if (score > bestScore) {
      best = f;
      bestScore = score;
    }
  }
  return bestScore >= 0.3 ? best : undefined;
}

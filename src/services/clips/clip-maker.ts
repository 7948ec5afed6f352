// Redacted clips: the clip's frames are decoded once to find and track every face (analyse), then decoded again
// and written with every tracked face filled solid except the subject's track (render), then the encoded output is
// decoded a third time and searched for faces outside the subject's track (verify: a face found there fails the
// clip). Frames flow as raw RGB through the VideoCodec's pipes; only a few frames are in memory at any moment, and
// what is kept between the passes is the track list (boxes), never pixels.
import { rmSync } from 'node:fs';
import { centre, contains, expand, toPixels } from '../../core/box-geometry.js';
import { AppError } from '../../core/errors.js';
import {
  DEFAULT_TRACKER,
  FaceTracker,
  matchFace,
  type TrackedFace,
  type TrackerSettings,
} from '../../core/face-tracker.js';
import type { FaceDetector } from '../../core/ports/face-detector.js';
import type { DecodeRequest, VideoCodec } from '../../core/ports/video.js';
import type { Box } from '../../core/redaction.js';

/** The colour of a filled face: the stills' solid colour (adapters/imaging SOLID_COLOUR), so both look alike. */
export const CLIP_FILL: readonly [number, number, number] = [32, 32, 32];

export interface ClipSettings {
  /** Output frames per second. */
  fps: number;
  /** Longer side of the output in pixels (never enlarged). */
  maxSide: number;
  /** The detector runs at least on every `detectEvery`-th frame, and on every frame where the tracker is unsure. */
  detectEvery: number;
  /** The encoded clip may not be larger than this. */
  maxBytes: number;
  tracker?: Partial<TrackerSettings>;
}

export const DEFAULT_CLIP: ClipSettings = { fps: 8, maxSide: 960, detectEvery: 2, maxBytes: 8_000_000 };

export interface ClipFrame {
  detected: boolean;
  faces: Pick<TrackedFace, 'id' | 'box' | 'cover' | 'state'>[];
}

/** What analyse() found: kept (as JSON) between analysing a clip and rendering it for a chosen subject. */
export interface ClipAnalysis {
  width: number;
  height: number;
  fps: number;
  frames: ClipFrame[];
  model: { id: string; sha256: string };
  /** Frames the detector ran on. */
  detections: number;
  timingsMs: { decode: number; detect: number; track: number; total: number };
}

/** The reviewer's pick: a box around the subject's face on the frame at `atSeconds` (clip pixels). */
export interface SubjectPick {
  box: Box;
  atSeconds: number;
}

/**
 * A box the reviewer adds, filled on every frame in [fromSeconds, toSeconds] (clip pixels); with `toBox` it moves
 * linearly from `box` at the start to `toBox` at the end (a face the detector never found, followed by hand).
 */
export interface ExtraBox {
  box: Box;
  fromSeconds: number;
  toSeconds: number;
  toBox?: Box;
}

/** Where an extra box is at `seconds` (undefined outside its range). */
export function extraBoxAt(e: ExtraBox, seconds: number): Box | undefined {
  if (seconds < e.fromSeconds || seconds > e.toSeconds) return undefined;
  if (!e.toBox || e.toSeconds <= e.fromSeconds) return e.box;
  const f = (seconds - e.fromSeconds) / (e.toSeconds - e.fromSeconds);
  const to = e.toBox;
  return e.box.map((v, i) => v + (to[i]! - v) * f) as Box;
}

export interface SubjectReport {
  /** Tracks kept visible (one per pick; a pick on the same track as another adds nothing). */
  tracks: number[];
  /** Frames on which a subject track is present. */
  frames: number;
  /**
   * Runs of frames [from, to] between the subject's first and last appearance where no subject track was found by
   * the detector's last run: the subject is absent or only predicted (kept visible, unconfirmed). The review page
   * warns on these.
   */
  lost: [number, number][];
  /** Tracks that begin near where a subject track ended: maybe the subject found again; the reviewer confirms. */
  candidates: { track: number; frame: number; box: Box }[];
}

export interface RenderReport {
  frames: number;
  width: number;
  height: number;
  fps: number;
  durationSeconds: number;
  bytes: number;
  /** Distinct tracks (faces) in the clip, and how many were filled. */
  tracks: number;
  filledTracks: number;
  /** Face boxes filled over all frames, and reviewer boxes. */
  filledBoxes: number;
  extraBoxes: number;
  subject: SubjectReport | null;
  timingsMs: { decode: number; fill: number; encode: number; total: number };
}

export interface VerifyReport {
  frames: number;
  facesFound: number;
  /** Faces the detector found outside every subject track: each one fails the clip. */
  leaks: { frame: number; box: Box; score: number }[];
  passed: boolean;
  timingsMs: { decode: number; detect: number; total: number };
}

export interface ClipMakerDeps {
  video: VideoCodec;
  detector: FaceDetector;
  settings?: Partial<ClipSettings>;
}

/** Fills `b` (clipped to the frame) with the solid colour, in place. */
export function fillBox(frame: Uint8Array, width: number, height: number, b: Box): boolean {
  const p = toPixels(b, width, height);
  if (!p) return false;
  const [x, y, w, h] = p;
  const row = new Uint8Array(w * 3);
  for (let i = 0; i < w; i++) row.set(CLIP_FILL, i * 3);
  for (let r = y; r < y + h; r++) frame.set(row, (r * width + x) * 3);
  return true;
}

const now = () => performance.now();

export class ClipMaker {
  readonly #d: ClipMakerDeps;
  readonly settings: ClipSettings;

  constructor(deps: ClipMakerDeps) {
    this.#d = deps;
    this.settings = { ...DEFAULT_CLIP, ...deps.settings };
    if (this.settings.detectEvery < 1 || this.settings.detectEvery > 2)
      throw new AppError('clip-settings', 'clips detect faces at least on every other frame (detectEvery 1 or 2)');
  }

  #decodeRequest(input: Omit<DecodeRequest, 'fps' | 'maxSide'>): DecodeRequest {
    return { ...input, fps: this.settings.fps, maxSide: this.settings.maxSide };
  }

  /** Pass 1: decode, detect (every other frame, and every frame the tracker is unsure), track. */
  async analyse(input: Omit<DecodeRequest, 'fps' | 'maxSide'>): Promise<ClipAnalysis> {
    const s = this.settings;
    const t0 = now();
    const timings = { decode: 0, detect: 0, track: 0, total: 0 };
    const decoder = await this.#d.video.decode(this.#decodeRequest(input));
    // Held for 1.5 s after a miss: long enough for a shopper to pass behind a pillar or a shelf end and come out
    // still covered by the predicted box.
    const tracker = new FaceTracker({ holdFrames: Math.round(1.5 * s.fps), ...s.tracker });
    const frames: ClipFrame[] = [];
    let detections = 0;
    let unsure = true;
    try {
      let t = now();
      for await (const frame of decoder.frames()) {
        timings.decode += now() - t;
        const i = frames.length;
        let boxes: Box[] | null = null;
        if (i % s.detectEvery === 0 || unsure) {
          const td = now();
          const faces = await this.#d.detector.detect({ data: frame, width: decoder.width, height: decoder.height });
          timings.detect += now() - td;
          boxes = faces.map((f) => f.box);
          detections += 1;
        }
        const tt = now();
        const step = tracker.step(boxes);
        unsure = step.unsure;
        frames.push({
          detected: boxes !== null,
          faces: step.faces.map((f) => ({ id: f.id, box: f.box, cover: f.cover, state: f.state })),
        });
        timings.track += now() - tt;
        t = now();
      }
    } finally {
      await decoder.close();
    }
    timings.total = now() - t0;
    return {
      width: decoder.width,
      height: decoder.height,
      fps: s.fps,
      frames,
      model: this.#d.detector.model,
      detections,
      timingsMs: round(timings),
    };
  }

  /** The subject's tracks for the reviewer's picks; a pick on no tracked face is an error naming the frame. */
  subjectTracks(a: ClipAnalysis, picks: readonly SubjectPick[]): number[] {
    const ids = new Set<number>();
    for (const p of picks) {
      const i = frameAt(a, p.atSeconds);
      const f = matchFace(a.frames[i]?.faces ?? [], p.box);
      if (!f)
        throw new AppError(
          'subject-not-found',
          `no tracked face at ${p.box.map(Math.round).join(',')} on frame ${i} (${(i / a.fps).toFixed(2)} s); pick a face the clip shows filled`,
        );
      ids.add(f.id);
    }
    return [...ids];
  }

  /** Pass 2: decode again and encode with every face filled except the subject's tracks, plus the reviewer's boxes. */
  async render(
    a: ClipAnalysis,
    input: Omit<DecodeRequest, 'fps' | 'maxSide'>,
    out: string,
    choice: { picks?: readonly SubjectPick[]; extra?: readonly ExtraBox[] } = {},
  ): Promise<RenderReport> {
    const t0 = now();
    const timings = { decode: 0, fill: 0, encode: 0, total: 0 };
    const subject = new Set(this.subjectTracks(a, choice.picks ?? []));
    const extra = choice.extra ?? [];
    const decoder = await this.#d.video.decode(this.#decodeRequest(input));
    if (decoder.width !== a.width || decoder.height !== a.height) {
      await decoder.close();
      throw new AppError('clip-changed', 'the video is not the one analysed (its frame size differs)');
    }
    const encoder = await this.#d.video.encode({ width: a.width, height: a.height, fps: a.fps, path: out });
    const filled = new Set<number>();
    const all = new Set<number>();
    let filledBoxes = 0;
    let extraBoxes = 0;
    let n = 0;
    let bytes = 0;
    try {
      let t = now();
      for await (const frame of decoder.frames()) {
        timings.decode += now() - t;
        const tf = now();
        // A frame past the analysed ones (a decoder that gives one more) is filled whole rather than shown unchecked.
        const info = a.frames[n];
        if (!info) fillBox(frame, a.width, a.height, [0, 0, a.width, a.height]);
        for (const f of info?.faces ?? []) {
          all.add(f.id);
          if (subject.has(f.id)) continue;
          if (fillBox(frame, a.width, a.height, f.cover)) filledBoxes += 1;
          filled.add(f.id);
        }
        const sec = n / a.fps;
        for (const e of extra) {
          const b = extraBoxAt(e, sec);
          if (b && fillBox(frame, a.width, a.height, b)) extraBoxes += 1;
        }
        timings.fill += now() - tf;
        const te = now();
        await encoder.write(frame);
        timings.encode += now() - te;
        n += 1;
        t = now();
      }
      const te = now();
      bytes = (await encoder.finish()).bytes;
      timings.encode += now() - te;
    } catch (e) {
      await encoder.abort();
      throw e;
    } finally {
      await decoder.close();
    }
    if (bytes > this.settings.maxBytes)
      throw new AppError(
        'clip-too-large',
        `the clip is ${bytes} bytes, over the ${this.settings.maxBytes}-byte limit (clips.maxBytes); make it shorter or smaller`,
      );
    timings.total = now() - t0;
    return {
      frames: n,
      width: a.width,
      height: a.height,
      fps: a.fps,
      durationSeconds: n / a.fps,
      bytes,
      tracks: all.size,
      filledTracks: filled.size,
      filledBoxes,
      extraBoxes,
      subject: subject.size ? subjectReport(a, subject) : null,
      timingsMs: round(timings),
    };
  }

  /**
   * The whole clip for a choice of subject: render, verify, and when the verification finds a face outside the
   * tracks (a face the detector scored just under its threshold on the source frame, or one that appeared on a frame
   * it skipped), fill that face on its frame and the frames either side and try again, at most `repairs` times.
   * A clip that still shows a face is deleted and refused (fail closed).
   */
  async make(
    a: ClipAnalysis,
    input: Omit<DecodeRequest, 'fps' | 'maxSide'>,
    out: string,
    choice: { picks?: readonly SubjectPick[]; extra?: readonly ExtraBox[] } = {},
    repairs = 3,
  ): Promise<{ render: RenderReport; verify: VerifyReport; repaired: number }> {
    const extra = [...(choice.extra ?? [])];
    const margin = this.settings.tracker?.margin ?? DEFAULT_TRACKER.margin;
    let repaired = 0;
    for (let round = 0; ; round++) {
      const render = await this.render(a, input, out, { ...choice, extra });
      const verify = await this.verify(a, out, render.subject?.tracks ?? []);
      if (verify.passed) return { render, verify, repaired };
      if (round >= repairs) {
        rmSync(out, { force: true });
        const frames = [...new Set(verify.leaks.map((l) => l.frame))];
        throw new AppError(
          'clip-leak',
          `the encoded clip still shows ${verify.leaks.length} face(s) outside the subject's track (frames ${frames.join(', ')}) after ${repairs} repairs; no clip was kept`,
        );
      }
      for (const l of verify.leaks) {
        repaired += 1;
        const t = l.frame / a.fps;
        // One frame either side: the face was there, unfound, on its neighbours too.
        extra.push({ box: expand(l.box, margin * 1.5), fromSeconds: t - 1.01 / a.fps, toSeconds: t + 1.01 / a.fps });
      }
    }
  }

  /**
   * Pass 3: the encoded clip is decoded at its own frame rate and every frame searched; a face whose centre is not
   * inside a subject track's box on that frame is a leak.
   */
  async verify(a: ClipAnalysis, clip: string, subject: readonly number[]): Promise<VerifyReport> {
    const t0 = now();
    const timings = { decode: 0, detect: 0, total: 0 };
    const decoder = await this.#d.video.decode({ input: { kind: 'file', path: clip }, fps: a.fps, maxSide: 1 << 14 });
    const keep = new Set(subject);
    const leaks: VerifyReport['leaks'] = [];
    let facesFound = 0;
    let n = 0;
    try {
      let t = now();
      for await (const frame of decoder.frames()) {
        timings.decode += now() - t;
        const td = now();
        const faces = await this.#d.detector.detect({ data: frame, width: decoder.width, height: decoder.height });
        timings.detect += now() - td;
        facesFound += faces.length;
        const kept = (a.frames[n]?.faces ?? []).filter((f) => keep.has(f.id)).map((f) => f.cover);
        for (const f of faces)
          if (!kept.some((k) => contains(k, centre(f.box)))) leaks.push({ frame: n, box: f.box, score: f.score });
        n += 1;
        t = now();
      }
    } finally {
      await decoder.close();
    }
    timings.total = now() - t0;
    return { frames: n, facesFound, leaks, passed: leaks.length === 0, timingsMs: round(timings) };
  }
}

function frameAt(a: ClipAnalysis, seconds: number): number {
  return Math.min(a.frames.length - 1, Math.max(0, Math.round(seconds * a.fps)));
}

function subjectReport(a: ClipAnalysis, subject: ReadonlySet<number>): SubjectReport {
  const present = a.frames.map((f) => f.faces.some((x) => subject.has(x.id)));
  const sure = a.frames.map((f) => f.faces.some((x) => subject.has(x.id) && x.state !== 'held'));
  const first = sure.indexOf(true);
  const last = sure.lastIndexOf(true);
  const lost: [number, number][] = [];
  for (let i = first; i >= 0 && i <= last; i++) {
    if (sure[i]) continue;
    const start = i;
    while (i + 1 <= last && !sure[i + 1]) i++;
    lost.push([start, i]);
  }
  // Where each subject track was last seen; a track starting later whose first box lies near there may be the
  // subject again (after an occlusion or a cut). Never kept without the reviewer's pick.
  const ends = new Map<number, { frame: number; cover: Box }>();
  const starts = new Map<number, { frame: number; box: Box }>();
  a.frames.forEach((f, i) => {
    for (const x of f.faces) {
      if (subject.has(x.id)) ends.set(x.id, { frame: i, cover: x.cover });
      else if (!starts.has(x.id)) starts.set(x.id, { frame: i, box: x.box });
    }
  });
  const candidates: SubjectReport['candidates'] = [];
  for (const [track, s] of starts) {
    const near = [...ends.values()].some(
      (e) => s.frame > e.frame && s.frame - e.frame <= 3 * a.fps && contains(grow(e.cover, 2), centre(s.box)),
    );
    if (near) candidates.push({ track, frame: s.frame, box: s.box });
  }
  return { tracks: [...subject], frames: present.filter(Boolean).length, lost, candidates };
}

function grow(b: Box, f: number): Box {
  return [b[0] - (b[2] * (f - 1)) / 2, b[1] - (b[3] * (f - 1)) / 2, b[2] * f, b[3] * f];
}

function round<T extends Record<string, number>>(t: T): T {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])) as T;
}

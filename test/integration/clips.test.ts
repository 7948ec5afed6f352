// Redacted clips end to end: real ffmpeg (decode, libx264 encode), real BlazeFace inference, on footage the project
// draws itself with known face positions; a second, differently tuned detector (and YuNet when ../shared has it)
// searches the output for faces outside the subject. ../shared's CCTV clip is used when present.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegVideo } from '../../src/adapters/ffmpeg/raw-video.js';
import { createFaceDetector } from '../../src/adapters/vision/create-detector.js';
import { aisleScene, type ClipScene, faceBoxAt, hidden, writeScene } from '../../src/bench/clip-media.js';
import { expand, scaleBox } from '../../src/core/box-geometry.js';
import type { FaceDetector } from '../../src/core/ports/face-detector.js';
import type { Box } from '../../src/core/redaction.js';
import { CLIP_FILL, type ClipAnalysis, ClipMaker } from '../../src/services/clips/clip-maker.js';
import { sharedOrSkip } from '../support/shared.js';
import { tempDir } from '../support/tmp.js';
import { blazeface, DETECTION, yunetAt } from '../support/vision.js';

/** Decodes an MP4 with plain ffmpeg (not the code under test) into RGB frames at its own rate. */
async function decodeAll(file: string, width: number, height: number): Promise<Buffer[]> {
  const child = spawn('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((r) => child.once('close', r));
  const all = Buffer.concat(chunks);
  const size = width * height * 3;
  return Array.from({ length: Math.floor(all.length / size) }, (_, i) => all.subarray(i * size, (i + 1) * size));
}

/** Share of the pixels in `b` (minus `except`) that have the fill colour, give or take the encoder's rounding. */
function filledShare(frame: Buffer, width: number, b: Box, except: Box[] = []): number | undefined {
  let n = 0;
  let filled = 0;
  for (let y = Math.max(0, Math.floor(b[1])); y < Math.floor(b[1] + b[3]); y++)
    for (let x = Math.max(0, Math.floor(b[0])); x < Math.min(width, Math.floor(b[0] + b[2])); x++) {
      if (except.some((e) => x >= e[0] && x < e[0] + e[2] && y >= e[1] && y < e[1] + e[3])) continue;
      const o = (y * width + x) * 3;
      n += 1;
      if (CLIP_FILL.every((c, k) => Math.abs(frame[o + k]! - c) <= 12)) filled += 1;
    }
  return n > 20 ? filled / n : undefined;
}

describe('redacted clips of drawn shoppers', () => {
  let dir: string;
  let detector: FaceDetector;
  let checker: FaceDetector;
  let yunet: FaceDetector | undefined;
  let scene: ClipScene;
  let source: string;
  let maker: ClipMaker;
  let analysis: ClipAnalysis;
  const k = 960 / 1280;
  const at = (w: number, n: number) => scaleBox(faceBoxAt(scene.walkers[w]!, n / 8), k);
  const pillar = (): Box => [scene.pillar![0] * k, 0, scene.pillar![1] * k, 540];

  beforeAll(async () => {
    dir = tempDir('bcrp-clips-');
    scene = aisleScene(5);
    source = join(dir, 'aisle.mp4');
    detector = await blazeface();
    // The checker: the same model tuned differently (no tiles, one scale), so it does not share the tiling's blind spots.
    checker = await createFaceDetector({ model: 'blazeface', ...DETECTION, tiles: false, scoreThreshold: 0.5 });
    const y = sharedOrSkip('models', 'yunet', 'yunet_n_dynamic.onnx');
    if (y) yunet = await yunetAt(y);
    await writeScene(scene, source);
    maker = new ClipMaker({ video: new FfmpegVideo(), detector });
    analysis = await maker.analyse({ input: { kind: 'file', path: source } });
  }, 180_000);
  afterAll(async () => {
    await detector?.close();
    await checker?.close();
    await yunet?.close();
  });

  it('analyses at 8 fps and 960 px, running the detector on at least every other frame', () => {
    expect(analysis.frames).toHaveLength(40);
    expect([analysis.width, analysis.height]).toEqual([960, 540]);
    analysis.frames.forEach((f, i) => {
      if (i % 2 === 0) expect(f.detected).toBe(true);
    });
    // The three shoppers are tracked.
    expect(analysis.frames[0]!.faces.length).toBe(3);
  });

  it('fills every face on every frame when no subject is picked, and no detector finds one in the output', async () => {
    const out = join(dir, 'all.mp4');
    // As the appliance makes it: render, verify, repair.
    const { render: r } = await maker.make(analysis, { input: { kind: 'file', path: source } }, out);
    expect(r.frames).toBe(40);
    expect(r.subject).toBeNull();
    const frames = await decodeAll(out, 960, 540);
    expect(frames).toHaveLength(40);
    let checked = 0;
    frames.forEach((frame, n) => {
      scene.walkers.forEach((w, wi) => {
        if (hidden(scene, w, n / 8)) return;
        const share = filledShare(frame, 960, expand(at(wi, n), 0.6), [pillar()]);
        if (share === undefined) return;
        checked += 1;
        expect(share, `walker ${wi} on frame ${n}`).toBeGreaterThan(0.97);
      });
    });
    expect(checked).toBeGreaterThan(100);
    const v = await new ClipMaker({ video: new FfmpegVideo(), detector: checker }).verify(analysis, out, []);
    expect(v.frames).toBe(40);
    expect(v.leaks).toEqual([]);
    if (yunet)
      expect(
        (await new ClipMaker({ video: new FfmpegVideo(), detector: yunet }).verify(analysis, out, [])).leaks,
      ).toEqual([]);
  }, 120_000);

  it('keeps the picked subject visible on every frame and fills the others', async () => {
    const out = join(dir, 'subject.mp4');
    const pick = { box: expand(at(0, 16), 1.2), atSeconds: 2 };
    const r = await maker.render(analysis, { input: { kind: 'file', path: source } }, out, { picks: [pick] });
    expect(r.subject?.tracks).toHaveLength(1);
    expect(r.subject?.frames).toBe(40);
    expect(r.subject?.lost).toEqual([]);
    expect(r.filledTracks).toBe(r.tracks - 1);
    const frames = await decodeAll(out, 960, 540);
    frames.forEach((frame, n) => {
      // Where another face's cover overlaps the subject, the fill wins.
      const others = analysis.frames[n]!.faces.filter((f) => !r.subject!.tracks.includes(f.id)).map((f) => f.cover);
      const share = filledShare(frame, 960, expand(at(0, n), 0.6), others);
      if (share !== undefined) expect(share, `subject on frame ${n}`).toBeLessThan(0.05);
      if (!hidden(scene, scene.walkers[2]!, n / 8)) {
        const s2 = filledShare(frame, 960, expand(at(2, n), 0.6), [pillar()]);
        if (s2 !== undefined) expect(s2, `bystander on frame ${n}`).toBeGreaterThan(0.97);
      }
    });
    const v = await maker.verify(analysis, out, r.subject!.tracks);
    expect(v.leaks).toEqual([]);
    // The subject itself is found in the output (it was kept), inside its own track.
    expect(v.facesFound).toBeGreaterThan(10);
  }, 120_000);

  it('warns where the subject is lost behind the pillar, and offers the track that may be them again', async () => {
    // Walker 1 passes behind the pillar for over a second.
    const before = analysis.frames.findIndex((_, n) => !hidden(scene, scene.walkers[1]!, n / 8));
    const picks = [{ box: expand(at(1, before), 1.2), atSeconds: before / 8 }];
    const r = await maker.render(analysis, { input: { kind: 'file', path: source } }, join(dir, 'lost.mp4'), { picks });
    expect(r.subject!.lost.length).toBeGreaterThan(0);
    // With a short hold (as after a cut) the face coming out is a new track: offered, filled until confirmed.
    const short = new ClipMaker({ video: new FfmpegVideo(), detector, settings: { tracker: { holdFrames: 2 } } });
    const a2 = await short.analyse({ input: { kind: 'file', path: source } });
    const r2 = await short.render(a2, { input: { kind: 'file', path: source } }, join(dir, 'lost2.mp4'), { picks });
    expect(r2.subject!.candidates.length).toBeGreaterThan(0);
    const candidate = r2.subject!.candidates[0]!;
    expect(r2.filledTracks).toBe(r2.tracks - 1);
    const both = await short.render(a2, { input: { kind: 'file', path: source } }, join(dir, 'both.mp4'), {
      picks: [...picks, { box: candidate.box, atSeconds: candidate.frame / 8 }],
    });
    expect(both.subject!.tracks).toHaveLength(2);
    expect(both.subject!.candidates.map((c) => c.track)).not.toContain(candidate.track);
  }, 180_000);

  it('fills a reviewer-added box over its time range, moving it when given an end box', async () => {
    const out = join(dir, 'extra.mp4');
    const box: Box = [40, 400, 120, 80];
    const r = await maker.render(analysis, { input: { kind: 'file', path: source } }, out, {
      extra: [{ box, fromSeconds: 1, toSeconds: 2 }],
    });
    expect(r.extraBoxes).toBe(9);
    const frames = await decodeAll(out, 960, 540);
    expect(filledShare(frames[12]!, 960, box)).toBeGreaterThan(0.97);
    expect(filledShare(frames[30]!, 960, box)).toBeLessThan(0.1);
    // A box that moves: from the left at 3 s to the right at 4 s, filled where it is at each frame only.
    const moving = join(dir, 'moving.mp4');
    const from: Box = [40, 420, 80, 60];
    const to: Box = [840, 420, 80, 60];
    await maker.render(analysis, { input: { kind: 'file', path: source } }, moving, {
      extra: [{ box: from, toBox: to, fromSeconds: 3, toSeconds: 4 }],
    });
    const m = await decodeAll(moving, 960, 540);
    expect(filledShare(m[24]!, 960, from)).toBeGreaterThan(0.97);
    expect(filledShare(m[28]!, 960, [440, 420, 80, 60])).toBeGreaterThan(0.97);
    expect(filledShare(m[28]!, 960, from)).toBeLessThan(0.1);
    expect(filledShare(m[32]!, 960, to)).toBeGreaterThan(0.97);
  }, 120_000);

  it('refuses a pick where no face is tracked, naming the frame', async () => {
    await expect(
      maker.render(analysis, { input: { kind: 'file', path: source } }, join(dir, 'x.mp4'), {
        picks: [{ box: [900, 500, 20, 20], atSeconds: 1 }],
      }),
    ).rejects.toThrow(/no tracked face at 900,500,20,20 on frame 8/);
  });

  it('gives a clear error for a truncated or corrupt input and writes no clip', async () => {
    const truncated = join(dir, 'truncated.mp4');
    writeFileSync(truncated, readFileSync(source).subarray(0, 20_000));
    await expect(maker.analyse({ input: { kind: 'file', path: truncated } })).rejects.toMatchObject({
      code: 'clip-unreadable',
      message: expect.stringMatching(/could not be decoded/),
    });
    const garbage = join(dir, 'garbage.mp4');
    writeFileSync(garbage, Buffer.alloc(50_000, 7));
    await expect(maker.analyse({ input: { kind: 'file', path: garbage } })).rejects.toMatchObject({
      code: 'clip-unreadable',
    });
  });

  it('refuses a clip over the size limit', async () => {
    const small = new ClipMaker({ video: new FfmpegVideo(), detector, settings: { maxBytes: 1000 } });
    await expect(
      small.render(analysis, { input: { kind: 'file', path: source } }, join(dir, 'big.mp4')),
    ).rejects.toMatchObject({ code: 'clip-too-large' });
  }, 60_000);

  it('shares only the redacted clip: no audio stream, no metadata', async () => {
    const out = join(dir, 'meta.mp4');
    await maker.render(analysis, { input: { kind: 'file', path: source } }, out);
    const probe = spawn('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', out]);
    let text = '';
    probe.stdout.on('data', (c: Buffer) => {
      text += c.toString();
    });
    await new Promise((r) => probe.once('close', r));
    const info = JSON.parse(text) as {
      streams: { codec_type: string; codec_name: string; pix_fmt: string }[];
      format: { tags?: Record<string, string> };
    };
    expect(info.streams.map((s) => [s.codec_type, s.codec_name, s.pix_fmt])).toEqual([['video', 'h264', 'yuv420p']]);
    expect(
      Object.keys(info.format.tags ?? {}).filter((t) => !/^(major_brand|minor_version|compatible_brands)$/.test(t)),
    ).toEqual([]);
  }, 60_000);
});

describe('redacted clip of the shared CCTV footage', () => {
  // The verification pass as the appliance runs it (the same detector settings). A differently tuned detector
  // finds faces there that the tiled one misses for a frame or two (a recall gap of the detector, issue 15's area):
  // printed, not asserted, so the figure is visible in the test log.
  it('passes its own verification pass (after repairs): no face found outside the filled tracks', async () => {
    const file = sharedOrSkip('media', 'shop-cctv-1080p.mp4');
    if (!file) return;
    const detector = await blazeface();
    const checker = await createFaceDetector({ model: 'blazeface', ...DETECTION, tiles: false, scoreThreshold: 0.5 });
    try {
      const maker = new ClipMaker({ video: new FfmpegVideo(), detector });
      const input = { input: { kind: 'file', path: file } as const, durationSeconds: 4 };
      const a = await maker.analyse(input);
      const out = join(tempDir('bcrp-clips-'), 'cctv.mp4');
      const made = await maker.make(a, input, out);
      const v = made.verify;
      expect(v.frames).toBe(a.frames.length);
      expect(v.leaks).toEqual([]);
      console.log(`shop-cctv-1080p.mp4: ${made.repaired} face(s) the verification found were filled in repair rounds`);
      const other = await new ClipMaker({ video: new FfmpegVideo(), detector: checker }).verify(a, out, []);
      console.log(
        `shop-cctv-1080p.mp4, 4 s: ${a.frames.length} frames, ${a.detections} detector runs; an untiled detector finds ${other.leaks.length} face(s) outside the tracks on frames ${[...new Set(other.leaks.map((l) => l.frame))].join(',') || '-'}`,
      );
    } finally {
      await detector.close();
      await checker.close();
    }
  }, 180_000);
});

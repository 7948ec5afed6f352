// `bcrp-edge redact-clip` as a script uses it: real ffmpeg and BlazeFace on drawn shoppers; a JSON report, a kept
// subject, and clear errors (exit 2 for bad arguments, exit 1 for an unreadable video) with no output left behind.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aisleScene, faceBoxAt, writeScene } from '../../../src/bench/clip-media.js';
import { runCli } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

describe('bcrp-edge redact-clip', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = tempDir('bcrp-redact-clip-');
    input = join(dir, 'aisle.mp4');
    await writeScene(aisleScene(3), input);
  }, 60_000);

  it('writes the clip and reports tracks, the kept subject and the verification in JSON', async () => {
    const scene = aisleScene(3);
    const k = 960 / 1280;
    const b = faceBoxAt(scene.walkers[0]!, 1).map((v) => Math.round(v * k));
    const out = join(dir, 'out.mp4');
    const r = await runCli(['redact-clip', input, '-o', out, '--keep', `${b.join(',')}@1`, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      frames: number;
      facesTracked: number;
      tracksFilled: number;
      subject: { tracks: number[]; frames: number };
      verification: { passed: boolean };
    };
    expect(report.frames).toBe(24);
    expect(report.subject.tracks).toHaveLength(1);
    expect(report.subject.frames).toBe(24);
    expect(report.tracksFilled).toBe(report.facesTracked - 1);
    expect(report.verification.passed).toBe(true);
    expect(existsSync(out)).toBe(true);
  }, 120_000);

  it('says what is wrong with a bad --keep or an unreadable video, and writes nothing', async () => {
    const bad = await runCli(['redact-clip', input, '-o', join(dir, 'x.mp4'), '--keep', '1,2,3@x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--keep 1,2,3@x: expected x,y,w,h@SECONDS/);
    const junk = join(dir, 'junk.mp4');
    writeFileSync(junk, Buffer.alloc(10_000, 3));
    const out = join(dir, 'junk-out.mp4');
    const r = await runCli(['redact-clip', junk, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the video could not be decoded/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

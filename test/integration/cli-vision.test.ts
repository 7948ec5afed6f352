// detect, redact and bench vision as scripts and the hub team call them: output shapes, exit codes, messages.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadVerifiedModel } from '../../src/adapters/vision/model-manifest.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { sharedOrSkip } from '../support/shared.js';
import { syntheticStill } from '../support/synthetic-faces.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const still = join(dir, 'trio.jpg');
// No config file: the commands use the schema's defaults (yunet), and with no yunet file in the data dir BlazeFace.
const noConfig = { BCRP_EDGE_DATA_DIR: join(dir, 'no-models') };

beforeAll(async () => {
  writeFileSync(still, (await syntheticStill()).image);
});

describe('bcrp-edge detect', () => {
  it('prints one JSON object per file with boxes in pixels of the original', async () => {
    const r = await runCli(['detect', still, still, '--json'], noConfig);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    // No yunet file in the (default) data dir: BlazeFace stands in, and says so.
    expect(lines[0].model).toBe('blazeface-back-256');
    expect(r.stderr).toMatch(/warning: running blazeface-back-256 instead of the configured yunet.*models fetch yunet/);
    expect(Object.keys(lines[0])).toEqual(['file', 'width', 'height', 'faces', 'model', 'plan']);
    // The plan the planner derived for this image: passes with scales and windows, covering 16 px upwards.
    expect(lines[0].plan.passes.length).toBeGreaterThan(0);
    expect(Object.keys(lines[0].plan.passes[0])).toEqual(['scale', 'size', 'input', 'windows', 'overlap', 'faces']);
    expect(lines[0]).toMatchObject({ file: still, width: 960, height: 540 });
    expect(lines[0].faces).toHaveLength(3);
    expect(Object.keys(lines[0].faces[0])).toEqual(['box', 'score']);
  });

  it('reports a bad file, still checks the others, and exits 1', async () => {
    const bad = join(dir, 'notes.txt');
    writeFileSync(bad, 'not an image');
    const r = await runCli(['detect', bad, join(dir, 'missing.jpg'), still, '--json'], noConfig);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: not an image`);
    expect(r.stderr).toContain('missing.jpg: file not found');
    expect(JSON.parse(r.stdout).faces).toHaveLength(3);
  });

  it('refuses a model file it does not know, before looking at any image', async () => {
    const fake = join(dir, 'model.onnx');
    writeFileSync(fake, 'weights?');
    const r = await runCli(['detect', still, '--model', fake], noConfig);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing the face model .*not in models\/manifest.json/);
    expect(r.stdout).toBe('');
  });

  it('runs YuNet when given its path (../shared)', async () => {
    const path = sharedOrSkip('models', 'yunet', 'yunet_s_dynamic.onnx');
    if (!path) return;
    const r = await runCli(['detect', still, '--model', path, '--json'], noConfig);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).faces).toHaveLength(3);
  });
});

describe('bcrp-edge redact', () => {
  it('writes a redacted JPEG and a JSON report with counts, boxes, model hash and timings', async () => {
    const out = join(dir, 'out.jpg');
    const r = await runCli(['redact', still, '-o', out, '--extra', '10,10,40,40', '--json'], noConfig);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      facesKept: 0,
      extraBoxes: 1,
      mode: 'solid',
      model: { id: 'blazeface-back-256', sha256: loadVerifiedModel({ model: 'blazeface' }).sha256 },
    });
    expect(report.facesRedacted).toBe(3);
    // BlazeFace stands in for the configured YuNet: said so, and its output is not certified.
    expect(report.detection.degraded).toMatchObject({ configured: 'yunet' });
    expect(report.verification).toBeUndefined();
    expect(report.plan.passes.length).toBe(report.detection.passes);
    expect(report.boxes.redacted).toHaveLength(4);
    expect(Object.keys(report.timingsMs)).toEqual(['decode', 'detect', 'redact', 'verify', 'encode']);
    expect((await sharp(out).metadata()).format).toBe('jpeg');
  });

  it('keeps a subject, crops to it, and uses the asked mode', async () => {
    const out = join(dir, 'crop.jpg');
    const r = await runCli(
      ['redact', still, '-o', out, '--keep', '134,178,132,156', '--crop-subject', '--mode', 'blur', '--json'],
      noConfig,
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ facesKept: 1, mode: 'blur' });
    expect(report.facesRedacted).toBe(2);
    expect([report.width, report.height]).toEqual([report.boxes.crop[2], report.boxes.crop[3]]);
  });

  it('with YuNet (../shared): a certificate, and a plan with no upscaled pass for 16 px faces', async () => {
    const path = sharedOrSkip('models', 'yunet', 'yunet_n_dynamic.onnx');
    if (!path) return;
    const r = await runCli(['redact', still, '-o', join(dir, 'yunet.jpg'), '--model', path, '--json'], noConfig);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.model.id).toBe('yunet-n-dynamic');
    expect(report.verification).toMatchObject({ result: 'verified' });
    expect(report.verification.passes).toBeGreaterThanOrEqual(1);
    expect(report.facesRedacted).toBe(3 + report.verification.facesFoundAfterRedaction);
    expect(report.plan.covers[0]).toBe(16);
    expect(Math.max(...report.plan.passes.map((p: { scale: number }) => p.scale))).toBe(1);
  });

  it.each([
    [['--mode', 'swirl'], /--mode swirl: use solid, pixelate or blur/],
    [['--keep', '1,2,3'], /--keep 1,2,3: expected x,y,w,h/],
    [['--crop-subject'], /a subject crop needs exactly one keep box/],
    [['--extra', '5000,10,20,20'], /extra box 5000,10,20,20 lies outside the 960×540 image/],
  ])('usage error %j exits 2 and writes nothing', async (extra, message) => {
    const out = join(dir, `never-${Math.random()}.jpg`);
    const r = await runCli(['redact', still, '-o', out, ...extra], noConfig);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('needs -o and refuses to overwrite its input', async () => {
    expect((await runCli(['redact', still], noConfig)).stderr).toMatch(/-o OUT is required/);
    expect((await runCli(['redact', still, '-o', still], noConfig)).code).toBe(2);
  });

  it('fails closed on a corrupt image and on a configured model whose hash does not match', async () => {
    const truncated = join(dir, 'cut.jpg');
    const bytes = (await syntheticStill()).image;
    writeFileSync(truncated, bytes.subarray(0, bytes.length / 2));
    const out = join(dir, 'cut-out.jpg');
    const r = await runCli(['redact', truncated, '-o', out], noConfig);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/truncated or corrupt/);
    expect(existsSync(out)).toBe(false);

    const cfgDir = tempDir();
    const config = writeConfig(cfgDir, {
      redaction: {
        model: 'blazeface',
        modelPath: loadVerifiedModel({ model: 'blazeface' }).path,
        modelSha256: 'a'.repeat(64),
      },
    });
    const r2 = await runCli(['redact', still, '-o', out, '--config', config], noConfig);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/refusing the face model .* but a{64} was expected/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('bcrp-edge bench', () => {
  it('asks which benchmark when none or an unknown one is named', async () => {
    const r = await runCli(['bench'], noConfig);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vision/);
    expect((await runCli(['bench', 'teleport'], noConfig)).stderr).toMatch(/unknown benchmark 'teleport'/);
  });

  it('bench vision prints per-stage p50/p95 and the ratio to ffmpeg decode (generated stills)', async () => {
    // The smallest plan budget keeps this shape check quick on a loaded machine; figures come from the real bench.
    const config = writeConfig(tempDir(), { redaction: { model: 'blazeface', planBudget: 1 } });
    const r = await runCli(['bench', 'vision', '--runs', '1', '--json', '--config', config], noConfig);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout);
    expect(b.stills).toBe(3);
    expect(b.files).toBe('generated');
    for (const stage of ['decode', 'detect', 'redact', 'encode', 'total'])
      expect(b.main.timing.ms[stage].p95).toBeGreaterThanOrEqual(b.main.timing.ms[stage].p50);
    expect(b.ffmpegDecodeMs).toBeGreaterThan(0);
    expect(b.main.ratioToFfmpegDecode.total).toBeGreaterThan(0);
  }, 120_000);
});

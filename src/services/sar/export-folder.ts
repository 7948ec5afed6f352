// Writing an export folder safely: built under a hidden temporary name beside the target and renamed into place
// only when complete, so a failed export never leaves half a disclosure behind.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../core/errors.js';

export class ExportError extends AppError {}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export interface FolderWriter {
  write(rel: string, data: Buffer | string): string;
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
    });
    if (existsSync(outDir)) rmSync(outDir, { recursive: true });
    renameSync(tmp, outDir);
    return result;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

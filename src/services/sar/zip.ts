// A ZIP archive of files stored as they are (no compression: the answers are JPEGs, a manifest and a signed cover
// sheet), so a manager can download a subject access answer as one file. fflate writes the archive.
import { type Zippable, zipSync } from 'fflate';

export interface ZipEntry {
  /** Path inside the archive, forward slashes. */
  name: string;
  bytes: Buffer;
  modified: Date;
}

export function zipStored(entries: readonly ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const e of entries) {
    if (Object.hasOwn(files, e.name)) throw new Error(`two files named ${e.name} in one archive`);
    files[e.name] = [
      new Uint8Array(e.bytes.buffer, e.bytes.byteOffset, e.bytes.length),
      { level: 0, mtime: e.modified },
    ];
  }
  const zip = zipSync(files, { level: 0 });
  return Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
}

// A ZIP archive written as it is read (stored, not compressed: footage and JPEGs do not shrink), so a police export
// with a master of hundreds of MB downloads without ever being held in memory. fflate writes the archive.
import { createReadStream } from 'node:fs';
import { Zip, ZipPassThrough } from 'fflate';

export interface ZipSource {
  /** Path inside the archive, forward slashes. */
  name: string;
  /** The file on disk. */
  path: string;
  modified: Date;
}

export async function* zipStream(files: readonly ZipSource[]): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failed = err;
    else out.push(chunk);
  });
  function* drain(): Generator<Uint8Array> {
    if (failed) throw failed;
    while (out.length > 0) yield out.shift() as Uint8Array;
  }
  for (const f of files) {
    const entry = new ZipPassThrough(f.name);
    entry.mtime = f.modified;
    zip.add(entry);
    for await (const c of createReadStream(f.path, { highWaterMark: 1 << 20 })) {
      entry.push(c as Buffer);
      yield* drain();
    }
    entry.push(new Uint8Array(0), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}

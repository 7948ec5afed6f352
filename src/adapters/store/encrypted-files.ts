// Image files at rest under the data dir, each encrypted with AES-256-GCM under its own random data key. The data
// keys are stored wrapped (AES-256-GCM) by the per-device storage key, a 0600 file created on first use. Deleting
// a file overwrites it, unlinks it and discards its data key, so a copy left on worn flash cannot be read.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { open as openFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { StoreError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import type { Db } from './sqlite-store.js';

const MAGIC = Buffer.from('BCE1');
/** Large files (footage) are sealed in records, so neither writing nor reading holds the whole file in memory. */
const STREAM_MAGIC = Buffer.from('BCS1');
const STREAM_RECORD = 1 << 20;
const NONCE_PREFIX = 7;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface StoredFile {
  keyId: string;
  /** Path relative to the data dir. */
  file: string;
  sha256: string;
  bytes: number;
}

export function storageKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'storage.key');
}

/** Reads the device storage key, creating it (0600) the first time. */
export function loadOrCreateStorageKey(dataDir: string): Buffer {
  const path = storageKeyPath(dataDir);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
  }
  const key = readFileSync(path);
  if (key.length !== 32)
    throw new StoreError('storage-key-invalid', `${path} is not a 32-byte key; restore it from the backup`);
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new StoreError(
      'storage-key-exposed',
      `${path} can be read by other users: chmod 600 it (and consider the originals exposed)`,
    );
  }
  return key;
}

function seal(key: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([MAGIC, iv, c.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, what: string): Buffer {
  if (sealed.length < MAGIC.length + IV_BYTES + TAG_BYTES || !sealed.subarray(0, 4).equals(MAGIC)) {
    throw new StoreError('file-corrupt', `${what} is not an encrypted bcrp-edge file`);
  }
  const iv = sealed.subarray(4, 4 + IV_BYTES);
  const tag = sealed.subarray(4 + IV_BYTES, 4 + IV_BYTES + TAG_BYTES);
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(sealed.subarray(4 + IV_BYTES + TAG_BYTES)), d.final()]);
  } catch (e) {
    throw new StoreError('file-corrupt', `${what} failed its integrity check (changed or damaged on disk)`, {
      cause: e,
    });
  }
}

function streamNonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  const n = Buffer.alloc(IV_BYTES);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, NONCE_PREFIX);
  n[IV_BYTES - 1] = last ? 1 : 0;
  return n;
}

function openRecord(
  key: Buffer,
  prefix: Buffer,
  counter: number,
  body: Buffer,
  tag: Buffer,
  last: boolean,
): { bytes: Buffer; last: boolean } | undefined {
  const d = createDecipheriv('aes-256-gcm', key, streamNonce(prefix, counter, last));
  d.setAuthTag(tag);
  try {
    return { bytes: Buffer.concat([d.update(body), d.final()]), last };
  } catch {
    return undefined;
  }
}

export class EncryptedFiles {
  readonly #db: Db;
  readonly #dataDir: string;
  readonly #storageKey: Buffer;
  readonly #clock: Clock;
  readonly #ids: IdSource;

  constructor(db: Db, dataDir: string, deps: { clock: Clock; ids: IdSource }) {
    this.#db = db;
    this.#dataDir = dataDir;
    this.#storageKey = loadOrCreateStorageKey(dataDir);
    this.#clock = deps.clock;
    this.#ids = deps.ids;
  }

  /** Encrypts and writes `plain` under files/<sub>/, durably (fsync + rename), and records its wrapped data key. */
  put(sub: string, name: string, plain: Buffer): StoredFile {
    const keyId = this.#ids.next();
    const dataKey = randomBytes(32);
    const rel = join('files', sub, `${name}.enc`);
    const abs = join(this.#dataDir, rel);
    mkdirSync(dirname(abs), { recursive: true, mode: 0o700 });
    const tmp = `${abs}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      try {
        writeSync(fd, seal(dataKey, plain));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, abs);
    } catch (e) {
      // Disk full (ENOSPC) or I/O error: leave no partial file behind to fill the disk further.
      rmSync(tmp, { force: true });
      throw e;
    }
    this.#db
      .prepare('INSERT INTO file_keys (id, wrapped_key, created_at) VALUES (?, ?, ?)')
      .run(keyId, seal(this.#storageKey, dataKey), this.#clock.now().toISOString());
    return { keyId, file: rel, sha256: createHash('sha256').update(plain).digest('hex'), bytes: plain.length };
  }

  /**
   * Encrypts a stream of any length under files/<sub>/ as it arrives: AES-256-GCM records of 1 MiB, each with its
   * own nonce (a random prefix, the record number and a last-record flag), so a reader notices a record removed,
   * reordered or cut off at the end. The file appears (fsync + rename) and its key is recorded only once the whole
   * stream was written; an interrupted write leaves no file claimed as complete. `onChunk` sees the plain bytes.
   */
  async putStream(
    sub: string,
    name: string,
    chunks: AsyncIterable<Uint8Array>,
    onChunk?: (chunk: Buffer) => void,
  ): Promise<StoredFile> {
    const keyId = this.#ids.next();
    const dataKey = randomBytes(32);
    const prefix = randomBytes(NONCE_PREFIX);
    const rel = join('files', sub, `${name}.enc`);
    const abs = join(this.#dataDir, rel);
    mkdirSync(dirname(abs), { recursive: true, mode: 0o700 });
    const tmp = `${abs}.tmp`;
    const hash = createHash('sha256');
    let bytes = 0;
    let counter = 0;
    const fh = await openFile(tmp, 'w', 0o600);
    const record = async (plain: Buffer, last: boolean) => {
      const c = createCipheriv('aes-256-gcm', dataKey, streamNonce(prefix, counter++, last));
      const body = Buffer.concat([c.update(plain), c.final()]);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(plain.length);
      await fh.write(Buffer.concat([len, body, c.getAuthTag()]));
    };
    try {
      try {
        await fh.write(Buffer.concat([STREAM_MAGIC, prefix]));
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        for await (const chunk of chunks) {
          const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          hash.update(b);
          bytes += b.length;
          onChunk?.(b);
          pending.push(b);
          pendingBytes += b.length;
          while (pendingBytes > STREAM_RECORD) {
            const all = Buffer.concat(pending);
            await record(all.subarray(0, STREAM_RECORD), false);
            pending = [all.subarray(STREAM_RECORD)];
            pendingBytes = all.length - STREAM_RECORD;
          }
        }
        await record(Buffer.concat(pending), true);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, abs);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    this.#db
      .prepare('INSERT INTO file_keys (id, wrapped_key, created_at) VALUES (?, ?, ?)')
      .run(keyId, seal(this.#storageKey, dataKey), this.#clock.now().toISOString());
    return { keyId, file: rel, sha256: hash.digest('hex'), bytes };
  }

  /** The plain bytes of a file written by putStream, record by record; throws file-corrupt on any change. */
  async *openStream(file: string, keyId: string): AsyncGenerator<Buffer> {
    const dataKey = this.#dataKey(keyId, file);
    const abs = join(this.#dataDir, file);
    if (!existsSync(abs)) throw new StoreError('file-missing', `${file} is missing from the data dir`);
    let buf: Buffer = Buffer.alloc(0);
    let prefix: Buffer | undefined;
    let counter = 0;
    let ended = false;
    const corrupt = (why: string) => new StoreError('file-corrupt', `${file} failed its integrity check (${why})`);
    for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) {
      buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
      if (!prefix) {
        if (buf.length < STREAM_MAGIC.length + NONCE_PREFIX) continue;
        if (!buf.subarray(0, 4).equals(STREAM_MAGIC)) throw corrupt('not an encrypted bcrp-edge stream');
        prefix = Buffer.from(buf.subarray(4, 4 + NONCE_PREFIX));
        buf = buf.subarray(4 + NONCE_PREFIX);
      }
      while (buf.length >= 4) {
        const len = buf.readUInt32BE(0);
        if (len > STREAM_RECORD) throw corrupt('a record is too long');
        if (buf.length < 4 + len + TAG_BYTES) break;
        if (ended) throw corrupt('data after the last record');
        const body = buf.subarray(4, 4 + len);
        const tag = buf.subarray(4 + len, 4 + len + TAG_BYTES);
        // The last record is the one that says so; try it as a middle record first (the common case).
        const plain =
          openRecord(dataKey, prefix, counter, body, tag, false) ??
          openRecord(dataKey, prefix, counter, body, tag, true);
        if (!plain) throw corrupt(`record ${counter} was changed, reordered or damaged`);
        ended = plain.last;
        counter++;
        buf = buf.subarray(4 + len + TAG_BYTES);
        if (plain.bytes.length) yield plain.bytes;
      }
    }
    if (!prefix || !ended || buf.length > 0) throw corrupt('it was cut short');
  }

  get(file: string, keyId: string): Buffer {
    const row = this.#db.prepare('SELECT wrapped_key FROM file_keys WHERE id = ?').get(keyId) as
      | { wrapped_key: Buffer }
      | undefined;
    if (!row)
      throw new StoreError('file-key-gone', `the key for ${file} was discarded (the file was deleted by retention)`);
    const dataKey = open(this.#storageKey, row.wrapped_key, `the key for ${file}`);
    let sealed: Buffer;
    try {
      sealed = readFileSync(join(this.#dataDir, file));
    } catch (e) {
      throw new StoreError('file-missing', `${file} is missing from the data dir`, { cause: e });
    }
    return open(dataKey, sealed, file);
  }

  /** Seals a small companion value (not a file) under the data key of `keyId`: discarding that key shreds it too. */
  sealWithKey(keyId: string, plain: Buffer): Buffer {
    return seal(this.#dataKey(keyId, keyId), plain);
  }

  openWithKey(keyId: string, sealed: Buffer, what: string): Buffer {
    return open(this.#dataKey(keyId, what), sealed, what);
  }

  #dataKey(keyId: string, what: string): Buffer {
    const row = this.#db.prepare('SELECT wrapped_key FROM file_keys WHERE id = ?').get(keyId) as
      | { wrapped_key: Buffer }
      | undefined;
    if (!row)
      throw new StoreError('file-key-gone', `the key for ${what} was discarded (the file was deleted by retention)`);
    return open(this.#storageKey, row.wrapped_key, `the key for ${what}`);
  }

  /** Overwrites the file with random bytes, unlinks it and discards its data key. Idempotent. */
  /**
   * Removes the temporary files a process killed mid-write left under files/<sub>/ (`*.enc.tmp`: never claimed as
   * stored, their key never recorded). Call only while nothing writes there, e.g. before a module starts its work.
   */
  removeLeftovers(sub: string): string[] {
    const root = join(this.#dataDir, 'files', sub);
    if (!existsSync(root)) return [];
    const removed: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const abs = join(dir, e.name);
        if (e.isDirectory()) walk(abs);
        else if (e.isFile() && e.name.endsWith('.enc.tmp')) {
          rmSync(abs, { force: true });
          removed.push(relative(this.#dataDir, abs));
        }
      }
    };
    walk(root);
    return removed;
  }

  destroy(file: string, keyId: string): void {
    const abs = join(this.#dataDir, file);
    if (existsSync(abs)) {
      const size = statSync(abs).size;
      const fd = openSync(abs, 'r+');
      try {
        // In 1 MiB pieces: a police master may be hundreds of MB, never held in memory at once.
        for (let at = 0; at < size; at += 1 << 20) {
          const n = Math.min(1 << 20, size - at);
          writeSync(fd, randomBytes(n), 0, n, at);
        }
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      unlinkSync(abs);
    }
    this.#db.prepare('DELETE FROM file_keys WHERE id = ?').run(keyId);
  }
}

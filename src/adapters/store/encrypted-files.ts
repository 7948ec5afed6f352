// Image files at rest under the data dir, each encrypted with AES-256-GCM under its own random data key. The data
// keys are stored wrapped (AES-256-GCM) by the per-device storage key, a 0600 file created on first use. Deleting
// a file overwrites it, unlinks it and discards its data key, so a copy left on worn flash cannot be read.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import type { Db } from './sqlite-store.js';

const MAGIC = Buffer.from('BCE1');
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
  destroy(file: string, keyId: string): void {
    const abs = join(this.#dataDir, file);
    if (existsSync(abs)) {
      const size = statSync(abs).size;
      const fd = openSync(abs, 'r+');
      try {
        writeSync(fd, randomBytes(size), 0, size, 0);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      unlinkSync(abs);
    }
    this.#db.prepare('DELETE FROM file_keys WHERE id = ?').run(keyId);
  }
}

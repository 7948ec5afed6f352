import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncryptedFiles, storageKeyPath } from '../../../src/adapters/store/encrypted-files.js';
import { openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../../src/core/ports/clock.js';
import { counterIds } from '../../../src/core/ports/ids.js';
import { tempDir } from '../../support/tmp.js';

const clock = new FixedClock('2026-11-23T09:00:00Z');

function setup() {
  const dir = tempDir();
  const db = openDatabase(dir, { clock });
  return { dir, db, files: new EncryptedFiles(db, dir, { clock, ids: counterIds('key') }) };
}

describe('encrypted originals at rest', () => {
  const plain = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff]),
    Buffer.from('a face that must not be readable on disk '.repeat(50)),
  ]);

  it('stores ciphertext only, with a 0600 per-device key, and reads the original back', () => {
    const { dir, files } = setup();
    const stored = files.put('incident-1', 'still-1', plain);
    const onDisk = readFileSync(join(dir, stored.file));
    expect(onDisk.includes(Buffer.from('a face that must not'))).toBe(false);
    expect(statSync(storageKeyPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, stored.file)).mode & 0o777).toBe(0o600);
    expect(files.get(stored.file, stored.keyId).equals(plain)).toBe(true);
    expect(stored.bytes).toBe(plain.length);
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a file changed on disk', () => {
    const { dir, files } = setup();
    const stored = files.put('incident-1', 'still-2', plain);
    const p = join(dir, stored.file);
    const bytes = readFileSync(p);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1);
    writeFileSync(p, bytes);
    expect(() => files.get(stored.file, stored.keyId)).toThrow(/failed its integrity check/);
  });

  it('destroys a file: gone from disk and its key discarded, so a copy elsewhere is unreadable', () => {
    const { dir, files } = setup();
    const stored = files.put('incident-2', 'still-1', plain);
    const copy = readFileSync(join(dir, stored.file));
    files.destroy(stored.file, stored.keyId);
    expect(existsSync(join(dir, stored.file))).toBe(false);
    writeFileSync(join(dir, stored.file), copy); // as if recovered from worn flash
    expect(() => files.get(stored.file, stored.keyId)).toThrow(/key .* was discarded/);
    files.destroy(stored.file, stored.keyId); // idempotent
  });

  it('refuses a storage key that other users can read', () => {
    const { dir, db } = setup();
    chmodSync(storageKeyPath(dir), 0o644);
    expect(() => new EncryptedFiles(db, dir, { clock, ids: counterIds() })).toThrow(/chmod 600/);
  });
});

// Contract for what retention and disclosures need of the file store (FileShredder + FileReader), run against
// EncryptedFiles: destroy leaves neither the bytes nor the key, is idempotent, and never touches other files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { FileReader, FileShredder } from '../../src/core/ports/encrypted-files.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { tempDir } from '../support/tmp.js';

type Store = FileShredder &
  FileReader & { put(sub: string, name: string, plain: Buffer): { file: string; keyId: string } };

const root = tempDir('bcrp-shredder-');
const implementations: [string, (dir: string) => Store][] = [
  [
    'EncryptedFiles',
    (dir) => {
      const clock = new FixedClock('2026-01-01T00:00:00Z');
      return new EncryptedFiles(openDatabase(dir, { clock }), dir, { clock, ids: counterIds('k') });
    },
  ],
];

describe.each(implementations)('FileShredder/FileReader contract: %s', (name, make) => {
  it('reads back what was put, and after destroy neither the file nor its key is left', () => {
    const dir = join(root, `${name}-1`);
    const s = make(dir);
    const a = s.put('x', 'a', Buffer.from('secret A'));
    const b = s.put('x', 'b', Buffer.from('secret B'));
    expect(s.get(a.file, a.keyId).toString()).toBe('secret A');
    s.destroy(a.file, a.keyId);
    expect(existsSync(join(dir, a.file))).toBe(false);
    expect(() => s.get(a.file, a.keyId)).toThrow(/key .* was discarded/);
    expect(s.get(b.file, b.keyId).toString()).toBe('secret B');
  });

  it('destroy is idempotent and copes with a file already gone', () => {
    const s = make(join(root, `${name}-2`));
    const a = s.put('x', 'a', Buffer.from('A'));
    s.destroy(a.file, a.keyId);
    expect(() => s.destroy(a.file, a.keyId)).not.toThrow();
    expect(() => s.destroy('files/never/there.enc', 'no-key')).not.toThrow();
  });
});

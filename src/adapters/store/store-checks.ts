// Facts about the store that the compliance report checks when it is made, rather than asserting them: whether
// deleted rows are overwritten (secure_delete), and whether every stored image file is sealed (no readable JPEG on
// disk, a data key on record) with its SHA-256 on record.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreChecks } from '../../core/ports/store-checks.js';
import type { Db } from './sqlite-store.js';

export function checkStore(db: Db, dataDir: string): StoreChecks {
  const secureDelete = Number(db.pragma('secure_delete', { simple: true })) === 1;
  const rows = db.prepare('SELECT file, key_id, sha256 FROM stills WHERE deleted_at IS NULL').all() as {
    file: string;
    key_id: string | null;
    sha256: string | null;
  }[];
  const files = { checked: 0, missingKey: 0, plainJpeg: 0, unreadable: 0, missingHash: 0 };
  const head = Buffer.alloc(3);
  for (const r of rows) {
    files.checked++;
    if (r.key_id === null) files.missingKey++;
    if (!r.sha256 || !/^[0-9a-f]{64}$/.test(r.sha256)) files.missingHash++;
    try {
      const fd = openSync(join(dataDir, r.file), 'r');
      try {
        // A JPEG starts FF D8 FF; a sealed file starts with random-looking bytes.
        if (readSync(fd, head, 0, 3, 0) === 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff)
          files.plainJpeg++;
      } finally {
        closeSync(fd);
      }
    } catch {
      files.unreadable++;
    }
  }
  return { secureDelete, files };
}

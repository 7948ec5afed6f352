// Face checks kept in the stills table: the redacted rendering as a 'redacted' still (encrypted file, own data
// key) with derived_from naming its original, and the face list and report sealed under the same key (migration
// 011). What is read back is verified against the recorded hash before it is handed out as a RedactedImage.
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import type { DetectedFace } from '../../core/ports/redactor.js';
import type { StillCheck, StillChecks } from '../../core/ports/still-checks.js';
import { markRedacted, type RedactionReport } from '../../core/redaction.js';
import type { EncryptedFiles } from './encrypted-files.js';
import type { Db } from './sqlite-store.js';

interface Sealed {
  width: number;
  height: number;
  faces: DetectedFace[];
  report: RedactionReport;
}

export class SqliteStillChecks implements StillChecks {
  readonly #db: Db;
  readonly #files: EncryptedFiles;
  readonly #ids: IdSource;
  readonly #clock: Clock;

  constructor(db: Db, files: EncryptedFiles, deps: { ids: IdSource; clock: Clock }) {
    this.#db = db;
    this.#files = files;
    this.#ids = deps.ids;
    this.#clock = deps.clock;
  }

  save(incidentId: string, originalId: string, check: StillCheck): void {
    const id = this.#ids.next();
    const r = check.redacted;
    const stored = this.#files.put(`redacted/${incidentId}`, id, r.bytes);
    const sealed: Sealed = { width: check.width, height: check.height, faces: check.faces, report: r.report };
    const faces = this.#files.sealWithKey(stored.keyId, Buffer.from(JSON.stringify(sealed)));
    const original = this.#db.prepare('SELECT captured_at FROM stills WHERE id = ?').get(originalId) as
      | { captured_at: string }
      | undefined;
    this.#db
      .transaction(() => {
        // A check made again (a restart mid-check) replaces the older one; its file is shredded.
        for (const old of this.#db
          .prepare("SELECT id, file, key_id FROM stills WHERE derived_from = ? AND kind = 'redacted'")
          .all(originalId) as { id: string; file: string; key_id: string }[]) {
          this.#db.prepare('DELETE FROM stills WHERE id = ?').run(old.id);
          this.#files.destroy(old.file, old.key_id);
        }
        this.#db
          .prepare(
            `INSERT INTO stills (id, incident_id, kind, captured_at, origin, width, height, bytes, sha256, file, key_id, created_at, derived_from, faces)
             VALUES (?, ?, 'redacted', ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            id,
            incidentId,
            original?.captured_at ?? '',
            r.width,
            r.height,
            stored.bytes,
            stored.sha256,
            stored.file,
            stored.keyId,
            this.#clock.now().toISOString(),
            originalId,
            faces,
          );
      })
      .immediate();
  }

  load(incidentId: string, originalId: string): StillCheck | undefined {
    const row = this.#db
      .prepare(
        "SELECT * FROM stills WHERE incident_id = ? AND derived_from = ? AND kind = 'redacted' AND deleted_at IS NULL",
      )
      .get(incidentId, originalId) as
      | { id: string; file: string; key_id: string; sha256: string; width: number; height: number; faces: Buffer }
      | undefined;
    if (!row) return undefined;
    const bytes = this.#files.get(row.file, row.key_id);
    if (createHash('sha256').update(bytes).digest('hex') !== row.sha256) return undefined;
    const s = JSON.parse(
      this.#files.openWithKey(row.key_id, row.faces, `the face list of still ${originalId}`).toString('utf8'),
    ) as Sealed;
    return {
      width: s.width,
      height: s.height,
      faces: s.faces,
      // Made by the redaction service at the face check and verified against its hash above.
      redacted: markRedacted({
        bytes,
        mime: 'image/jpeg',
        width: row.width,
        height: row.height,
        sha256: row.sha256,
        report: s.report,
      }),
    };
  }
}

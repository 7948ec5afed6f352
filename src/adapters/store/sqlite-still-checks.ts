// Face checks kept in the stills table (migration 012): the face list sealed under the original's own data key in
// its row (so retention's key discard shreds both), and the rendering with every face redacted, once made, as a
// 'redacted' still (encrypted file) whose derived_from names the original. A rendering read back is checked
// against its recorded hash before it is handed out as a RedactedImage.
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import type { StillCheck, StillChecks, StillFaceCheck } from '../../core/ports/still-checks.js';
import { markRedacted, type RedactedImage, type RedactionReport } from '../../core/redaction.js';
import type { EncryptedFiles } from './encrypted-files.js';
import type { Db } from './sqlite-store.js';

interface Sealed extends StillFaceCheck {
  /** The rendering's report (sealed with the faces: it names the boxes). */
  report?: RedactionReport;
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

  #original(incidentId: string, originalId: string) {
    return this.#db
      .prepare("SELECT key_id, captured_at, faces FROM stills WHERE id = ? AND incident_id = ? AND kind = 'original'")
      .get(originalId, incidentId) as { key_id: string; captured_at: string; faces: Buffer | null } | undefined;
  }

  save(incidentId: string, originalId: string, check: StillFaceCheck): void {
    const o = this.#original(incidentId, originalId);
    if (!o) return;
    const sealed: Sealed = { width: check.width, height: check.height, faces: check.faces };
    const blob = this.#files.sealWithKey(o.key_id, Buffer.from(JSON.stringify(sealed)));
    this.#db.prepare('UPDATE stills SET faces = ? WHERE id = ?').run(blob, originalId);
  }

  saveRendering(incidentId: string, originalId: string, redacted: RedactedImage): void {
    const o = this.#original(incidentId, originalId);
    if (!o) return;
    const id = this.#ids.next();
    const stored = this.#files.put(`redacted/${incidentId}`, id, redacted.bytes);
    const report = this.#files.sealWithKey(stored.keyId, Buffer.from(JSON.stringify(redacted.report)));
    this.#db
      .transaction(() => {
        // A rendering made again (two viewers at once) replaces the older one; its file is shredded.
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
            o.captured_at,
            redacted.width,
            redacted.height,
            stored.bytes,
            stored.sha256,
            stored.file,
            stored.keyId,
            this.#clock.now().toISOString(),
            originalId,
            report,
          );
      })
      .immediate();
  }

  load(incidentId: string, originalId: string): StillCheck | undefined {
    const o = this.#original(incidentId, originalId);
    if (!o?.faces) return undefined;
    const check = JSON.parse(
      this.#files.openWithKey(o.key_id, o.faces, `the face list of still ${originalId}`).toString('utf8'),
    ) as Sealed;
    const row = this.#db
      .prepare(
        "SELECT * FROM stills WHERE incident_id = ? AND derived_from = ? AND kind = 'redacted' AND deleted_at IS NULL",
      )
      .get(incidentId, originalId) as
      | { file: string; key_id: string; sha256: string; width: number; height: number; faces: Buffer }
      | undefined;
    const out: StillCheck = { width: check.width, height: check.height, faces: check.faces };
    if (!row) return out;
    const bytes = this.#files.get(row.file, row.key_id);
    if (createHash('sha256').update(bytes).digest('hex') !== row.sha256) return out;
    const report = JSON.parse(
      this.#files.openWithKey(row.key_id, row.faces, `the report of still ${originalId}`).toString('utf8'),
    ) as RedactionReport;
    // Made by the redaction service from the stored faces and verified against its hash above.
    out.redacted = markRedacted({
      bytes,
      mime: 'image/jpeg',
      width: row.width,
      height: row.height,
      sha256: row.sha256,
      report,
    });
    return out;
  }
}

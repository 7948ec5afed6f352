// Police masters in SQLite (the MasterStore port) and the read port other features use (MasterReader): one row per
// incident, each step written with its audit row in one transaction, the bytes read back through the encrypted
// file store and checked against the hash taken at acquisition.
import { createHash } from 'node:crypto';
import type { JsonValue } from '../../core/canonical-json.js';
import { StoreError } from '../../core/errors.js';
import type { MasterRecord } from '../../core/evidence.js';
import type { Clock } from '../../core/ports/clock.js';
import type { MasterReader, MasterSeal, MasterStart, MasterStore } from '../../core/ports/evidence-masters.js';
import type { IdSource } from '../../core/ports/ids.js';
import type { EncryptedFiles } from './encrypted-files.js';
import type { SqliteAuditLog } from './sqlite-audit-log.js';
import type { Db } from './sqlite-store.js';

interface Row {
  id: string;
  incident_id: string;
  camera: number;
  state: MasterRecord['state'];
  window_from: string;
  window_to: string;
  recorder_from: string | null;
  recorder_to: string | null;
  recorder_end: string | null;
  complete: number;
  method: MasterRecord['method'];
  recorder_name: string | null;
  container: string | null;
  sha256: string | null;
  bytes: number | null;
  file: string | null;
  key_id: string | null;
  clock_offset_ms: number | null;
  clock_source: string | null;
  clock_read_at: string | null;
  recorder_make: string | null;
  recorder_model: string | null;
  recorder_firmware: string | null;
  recorder_serial: string | null;
  started_at: string;
  sealed_at: string | null;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  audit_seq: number | null;
  progress_bytes: number | null;
  progress_seconds: number | null;
}

const record = (r: Row): MasterRecord => ({
  id: r.id,
  incidentId: r.incident_id,
  camera: r.camera,
  state: r.state,
  windowFrom: r.window_from,
  windowTo: r.window_to,
  recorderFrom: r.recorder_from,
  recorderTo: r.recorder_to,
  recorderEnd: r.recorder_end,
  complete: r.complete === 1,
  method: r.method,
  recorderName: r.recorder_name,
  container: r.container,
  sha256: r.sha256,
  bytes: r.bytes,
  file: r.file,
  keyId: r.key_id,
  clockOffsetMs: r.clock_offset_ms,
  clockSource: r.clock_source,
  clockReadAt: r.clock_read_at,
  recorderMake: r.recorder_make,
  recorderModel: r.recorder_model,
  recorderFirmware: r.recorder_firmware,
  recorderSerial: r.recorder_serial,
  startedAt: r.started_at,
  sealedAt: r.sealed_at,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  auditSeq: r.audit_seq,
  progressBytes: r.progress_bytes,
  progressSeconds: r.progress_seconds,
});

export class SqliteEvidenceMasters implements MasterStore, MasterReader {
  readonly #db: Db;
  readonly #audit: SqliteAuditLog;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #files: Pick<EncryptedFiles, 'openStream' | 'destroy'> | undefined;

  constructor(
    db: Db,
    deps: {
      audit: SqliteAuditLog;
      clock: Clock;
      ids: IdSource;
      files?: Pick<EncryptedFiles, 'openStream' | 'destroy'>;
    },
  ) {
    this.#db = db;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#files = deps.files;
  }

  #get(id: string): MasterRecord {
    const r = this.#db.prepare('SELECT * FROM evidence_masters WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new StoreError('master-not-found', `no police master ${id}`);
    return record(r);
  }

  forIncident(incidentId: string): MasterRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM evidence_masters WHERE incident_id = ?').get(incidentId) as
      | Row
      | undefined;
    return r ? record(r) : undefined;
  }

  begin(req: MasterStart): MasterRecord {
    const now = this.#clock.now().toISOString();
    return this.#db.transaction(() => {
      const have = this.forIncident(req.incidentId);
      if (have) {
        this.#db
          .prepare(
            "UPDATE evidence_masters SET state = 'acquiring', attempts = attempts + 1, next_attempt_at = NULL, started_at = ?, progress_bytes = NULL, progress_seconds = NULL, progress_at = NULL WHERE id = ? AND state != 'sealed'",
          )
          .run(now, have.id);
        return this.#get(have.id);
      }
      const id = this.#ids.next();
      this.#db
        .prepare(
          `INSERT INTO evidence_masters (id, incident_id, camera, state, window_from, window_to, started_at, attempts)
           VALUES (?, ?, ?, 'acquiring', ?, ?, ?, 1)`,
        )
        .run(id, req.incidentId, req.camera, req.windowFrom, req.windowTo, now);
      return this.#get(id);
    })();
  }

  seal(id: string, s: MasterSeal, actor: string, details: Record<string, JsonValue>): MasterRecord {
    return this.#db.transaction(() => {
      const m = this.#get(id);
      const entry = this.#audit.appendInTransaction({
        actor,
        action: 'evidence-acquire',
        subject: m.incidentId,
        details,
      });
      this.#db
        .prepare(
          `UPDATE evidence_masters SET state = 'sealed', method = ?, recorder_name = ?, container = ?, sha256 = ?,
             bytes = ?, file = ?, key_id = ?, recorder_from = ?, recorder_to = ?, recorder_end = ?, complete = ?,
             clock_offset_ms = ?, clock_source = ?, clock_read_at = ?, recorder_make = ?, recorder_model = ?,
             recorder_firmware = ?, recorder_serial = ?, sealed_at = ?, next_attempt_at = NULL, last_error = NULL,
             audit_seq = ?
           WHERE id = ?`,
        )
        .run(
          s.method,
          s.recorderName,
          s.container,
          s.sha256,
          s.bytes,
          s.file,
          s.keyId,
          s.recorderFrom,
          s.recorderTo,
          s.recorderEnd,
          s.complete ? 1 : 0,
          s.clockOffsetMs,
          s.clockSource,
          s.clockReadAt,
          s.recorder?.make ?? null,
          s.recorder?.model ?? null,
          s.recorder?.firmware ?? null,
          s.recorder?.serial ?? null,
          this.#clock.now().toISOString(),
          entry.seq,
          id,
        );
      return this.#get(id);
    })();
  }

  progress(id: string, bytes: number, seconds: number | null): void {
    this.#db
      .prepare(
        "UPDATE evidence_masters SET progress_bytes = ?, progress_seconds = ?, progress_at = ? WHERE id = ? AND state = 'acquiring'",
      )
      .run(bytes, seconds, this.#clock.now().toISOString(), id);
  }

  fail(id: string, reason: string, nextAt: Date | null, actor: string): MasterRecord {
    return this.#db.transaction(() => {
      const m = this.#get(id);
      this.#audit.appendInTransaction({
        actor,
        action: 'evidence-acquire-failed',
        subject: m.incidentId,
        details: { masterId: id, reason, attempt: m.attempts, nextTry: nextAt ? nextAt.toISOString() : null },
      });
      this.#db
        .prepare("UPDATE evidence_masters SET state = 'failed', last_error = ?, next_attempt_at = ? WHERE id = ?")
        .run(reason, nextAt ? nextAt.toISOString() : null, id);
      return this.#get(id);
    })();
  }

  due(now: Date): MasterRecord[] {
    return (
      this.#db
        .prepare(
          `SELECT * FROM evidence_masters WHERE state = 'acquiring'
             OR (state = 'failed' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?) ORDER BY started_at`,
        )
        .all(now.toISOString()) as Row[]
    ).map(record);
  }

  sealedOldestFirst(): MasterRecord[] {
    return (
      this.#db.prepare("SELECT * FROM evidence_masters WHERE state = 'sealed' ORDER BY sealed_at, id").all() as Row[]
    ).map(record);
  }

  evict(id: string, actor: string, details: Record<string, JsonValue>): boolean {
    const files = this.#files;
    if (!files) throw new StoreError('master-not-readable', 'this store was opened without the file store');
    return this.#db.transaction((): boolean => {
      const r = this.#db.prepare('SELECT * FROM evidence_masters WHERE id = ?').get(id) as Row | undefined;
      if (!r) return false;
      const m = record(r);
      this.#db.prepare('DELETE FROM evidence_masters WHERE id = ?').run(id);
      // Inside the transaction, as retention does: a failed overwrite brings the row and its key back.
      if (m.file) files.destroy(m.file, m.keyId ?? '');
      this.#audit.appendInTransaction({
        actor,
        action: 'delete',
        subject: id,
        details: {
          ...details,
          target: 'master',
          masterId: id,
          incidentId: m.incidentId,
          sha256: m.sha256,
          bytes: m.bytes,
          method: m.method,
          sealedAt: m.sealedAt,
          keyDiscarded: m.keyId !== null,
        },
      });
      return true;
    })();
  }

  sealedMaster(incidentId: string): MasterRecord | undefined {
    const m = this.forIncident(incidentId);
    return m?.state === 'sealed' ? m : undefined;
  }

  async *readMaster(incidentId: string): AsyncGenerator<Buffer> {
    const m = this.sealedMaster(incidentId);
    if (!m?.file || !m.keyId)
      throw new StoreError('master-not-found', `incident ${incidentId} has no sealed police master`);
    if (!this.#files) throw new StoreError('master-not-readable', 'this store was opened without the file store');
    const hash = createHash('sha256');
    for await (const b of this.#files.openStream(m.file, m.keyId)) {
      hash.update(b);
      yield b;
    }
    if (hash.digest('hex') !== m.sha256)
      throw new StoreError(
        'evidence-altered',
        `the police master of incident ${incidentId} does not match the SHA-256 taken at acquisition`,
      );
  }
}

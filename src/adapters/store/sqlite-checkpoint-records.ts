// Signed audit checkpoints in the audit_checkpoints table: the local checkpointer's (sent_to NULL) and the
// publisher's (sent_to 'hub').
import type { CheckpointRecord, CheckpointRecords } from '../../core/ports/checkpoint-records.js';
import type { Db } from './sqlite-store.js';

interface Row {
  seq: number;
  hash: string;
  time: string;
  jws: string;
  key_id: string;
  sent_to: string | null;
}

const toRecord = (r: Row): CheckpointRecord => ({
  seq: r.seq,
  hash: r.hash,
  time: r.time,
  jws: r.jws,
  keyId: r.key_id,
  sentTo: r.sent_to === 'hub' ? 'hub' : null,
});

export class SqliteCheckpointRecords implements CheckpointRecords {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  record(cp: CheckpointRecord): void {
    this.#db
      .prepare(
        `INSERT INTO audit_checkpoints (seq, hash, time, jws, key_id, queued_at, sent_to) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(seq) DO NOTHING`,
      )
      .run(cp.seq, cp.hash, cp.time, cp.jws, cp.keyId, cp.time, cp.sentTo);
  }

  last(sentTo?: 'hub'): CheckpointRecord | undefined {
    const r = (
      sentTo
        ? this.#db.prepare('SELECT * FROM audit_checkpoints WHERE sent_to = ? ORDER BY seq DESC LIMIT 1').get(sentTo)
        : this.#db.prepare('SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1').get()
    ) as Row | undefined;
    return r && toRecord(r);
  }

  count(sentTo?: 'hub'): number {
    const r = (
      sentTo
        ? this.#db.prepare('SELECT COUNT(*) AS n FROM audit_checkpoints WHERE sent_to = ?').get(sentTo)
        : this.#db.prepare('SELECT COUNT(*) AS n FROM audit_checkpoints').get()
    ) as { n: number };
    return r.n;
  }
}

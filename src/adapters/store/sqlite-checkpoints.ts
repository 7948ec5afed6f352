// Signed audit checkpoints in the audit_checkpoints table (the CheckpointStore port): the local checkpointer's
// (sent_to NULL) and the publisher's (sent_to 'hub').
import type { CheckpointRecord, CheckpointStore } from '../../core/ports/checkpoint-store.js';
import type { Db } from './sqlite-store.js';

interface Row {
  seq: number;
  hash: string;
  time: string;
  jws: string;
  key_id: string;
  sent_to: string | null;
}

const COLUMNS = 'seq, hash, time, jws, key_id, sent_to';

const toRecord = (r: Row): CheckpointRecord => ({
  seq: r.seq,
  hash: r.hash,
  time: r.time,
  jws: r.jws,
  keyId: r.key_id,
  sentTo: r.sent_to === 'hub' ? 'hub' : null,
});

export class SqliteCheckpoints implements CheckpointStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  last(sentTo?: 'hub'): CheckpointRecord | undefined {
    const r = (
      sentTo
        ? this.#db
            .prepare(`SELECT ${COLUMNS} FROM audit_checkpoints WHERE sent_to = ? ORDER BY seq DESC LIMIT 1`)
            .get(sentTo)
        : this.#db.prepare(`SELECT ${COLUMNS} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).get()
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

  record(cp: CheckpointRecord, alongside?: () => void): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO audit_checkpoints (seq, hash, time, jws, key_id, queued_at, sent_to) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(seq) DO NOTHING`,
        )
        .run(cp.seq, cp.hash, cp.time, cp.jws, cp.keyId, cp.time, cp.sentTo);
      alongside?.();
    })();
  }

  all(): CheckpointRecord[] {
    return (this.#db.prepare(`SELECT ${COLUMNS} FROM audit_checkpoints ORDER BY seq`).all() as Row[]).map(toRecord);
  }
}

// Signed audit checkpoints in the audit_checkpoints table (the CheckpointStore port).
import type { CheckpointRecord, CheckpointStore } from '../../core/ports/checkpoint-store.js';
import type { Db } from './sqlite-store.js';

export class SqliteCheckpoints implements CheckpointStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  last(): Pick<CheckpointRecord, 'seq' | 'hash' | 'time'> | undefined {
    return this.#db.prepare('SELECT seq, hash, time FROM audit_checkpoints ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: string; time: string }
      | undefined;
  }

  record(cp: CheckpointRecord, queuedAt: string, alongside: () => void): void {
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO audit_checkpoints (seq, hash, time, jws, key_id, queued_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(cp.seq, cp.hash, cp.time, cp.jws, cp.keyId, queuedAt);
      alongside();
    })();
  }

  all(): CheckpointRecord[] {
    return (
      this.#db.prepare('SELECT seq, hash, time, jws, key_id FROM audit_checkpoints ORDER BY seq').all() as {
        seq: number;
        hash: string;
        time: string;
        jws: string;
        key_id: string;
      }[]
    ).map((r) => ({ seq: r.seq, hash: r.hash, time: r.time, jws: r.jws, keyId: r.key_id }));
  }
}

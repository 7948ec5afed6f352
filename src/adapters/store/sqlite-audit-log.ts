// The audit chain kept in SQLite: appends run in an IMMEDIATE transaction so two writers cannot both link to
// the same previous entry, and the head is recorded beside the chain so truncation is noticed.

import type { Transaction } from 'better-sqlite3';
import { type AuditEntry, type AuditEvent, type ChainReport, nextEntry, verifyChain } from '../../core/audit-chain.js';
import type { JsonValue } from '../../core/canonical-json.js';
import { StoreError } from '../../core/errors.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Db } from './sqlite-store.js';

/** An audit row as stored (the same columns in the appliance's log and the hub store's). */
export interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export class SqliteAuditLog implements AuditLog {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #append: Transaction<(event: AuditEvent) => AuditEntry>;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const insert = db.prepare(
      'INSERT INTO audit_log (seq, time, actor, action, subject, details, prev_hash, hash) VALUES (@seq, @time, @actor, @action, @subject, @details, @prevHash, @hash)',
    );
    const setHead = db.prepare(
      'INSERT INTO audit_head (id, seq, hash) VALUES (1, @seq, @hash) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
    );
    this.#append = db.transaction((event: AuditEvent) => {
      const prev = last.get() as { seq: number; hash: string } | undefined;
      const entry = nextEntry(prev, this.#clock.now(), event);
      insert.run({ ...entry, details: JSON.stringify(entry.details) });
      setHead.run(entry);
      return entry;
    });
  }

  append(event: AuditEvent): AuditEntry {
    return this.#append.immediate(event);
  }

  /** Appends inside a transaction the caller already holds (state change + audit row together). */
  appendInTransaction(event: AuditEvent): AuditEntry {
    return this.#append(event);
  }

  *entries(range: { fromSeq?: number; toSeq?: number; fromTime?: string; toTime?: string } = {}): Iterable<AuditEntry> {
    const stmt = this.#db.prepare(
      `SELECT * FROM audit_log WHERE seq >= @fromSeq AND seq <= @toSeq AND time >= @fromTime AND time <= @toTime ORDER BY seq`,
    );
    const rows = stmt.iterate({
      fromSeq: range.fromSeq ?? 0,
      toSeq: range.toSeq ?? Number.MAX_SAFE_INTEGER,
      fromTime: range.fromTime ?? '',
      toTime: range.toTime ?? '\uffff',
    }) as IterableIterator<AuditRow>;
    for (const r of rows) yield toEntry(r);
  }

  head(): Pick<AuditEntry, 'seq' | 'hash'> | undefined {
    return this.#db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as
      | { seq: number; hash: string }
      | undefined;
  }

  verify(): ChainReport {
    const head = this.head();
    const rows = this.#db.prepare('SELECT * FROM audit_log ORDER BY rowid').iterate() as IterableIterator<AuditRow>;
    const entries = (function* () {
      for (const r of rows) yield toEntry(r);
    })();
    try {
      return verifyChain(entries, head ? { expectedHead: head } : {});
    } catch (e) {
      if (e instanceof StoreError) throw e;
      const seq = (e as { seq?: number }).seq ?? 0;
      return {
        ok: false,
        entries: 0,
        firstSeq: null,
        lastSeq: null,
        headHash: null,
        failure: { seq, fault: 'unreadable', message: (e as Error).message },
      };
    }
  }
}

export function toEntry(r: AuditRow): AuditEntry {
  let details: { [key: string]: JsonValue };
  try {
    details = JSON.parse(r.details) as { [key: string]: JsonValue };
  } catch {
    // An unparsable details column is tampering too; keep the raw text so the hash check fails on it.
    details = { unreadable: r.details };
  }
  return {
    seq: r.seq,
    time: r.time,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    details,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

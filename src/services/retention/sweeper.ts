// The retention sweeper: asks the pure policy what is due, then deletes it one item at a time — the file is
// overwritten and unlinked and its data key discarded, the row removed, and one `delete` audit row with a
// tombstone {what, when, why, policy} written, all in one transaction so a deletion is never half-recorded.
import type { Db } from '../../adapters/store/sqlite-store.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import {
  checkClock,
  type Deletion,
  decideRetention,
  type Exemption,
  type RetentionPolicy,
} from '../../core/retention/policy.js';
import { lastSweepClock, loadHoldFacts, loadIncidentFacts, type StillRow } from './store-facts.js';

/** What the sweeper needs of the encrypted file store (EncryptedFiles implements it). */
export interface FileShredder {
  /** Overwrites, unlinks and discards the data key. Idempotent. */
  destroy(file: string, keyId: string): void;
}

export interface SweepLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SweepOptions {
  dryRun?: boolean;
  /** Run even though the clock jumped backwards (an operator who fixed the clock and checked it). Audited. */
  trustClock?: boolean;
  actor?: string;
}

export interface SweepResult {
  now: string;
  dryRun: boolean;
  outcome: 'done' | 'refused' | 'partial';
  /** Deleted (or, in a dry run, due). */
  deleted: Deletion[];
  held: Exemption[];
  failures: { id: string; target: string; message: string }[];
  nextDueAt: string | null;
  message?: string;
}

export const RETENTION_ACTOR = 'retention';

export class RetentionSweeper {
  readonly #db: Db;
  readonly #files: FileShredder;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #policy: RetentionPolicy;
  readonly #log: SweepLog | undefined;

  constructor(deps: {
    db: Db;
    files: FileShredder;
    audit: AuditLog;
    clock: Clock;
    policy: RetentionPolicy;
    log?: SweepLog;
  }) {
    this.#db = deps.db;
    this.#files = deps.files;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#policy = deps.policy;
    this.#log = deps.log;
  }

  /** What a sweep would delete now, without deleting or recording anything. */
  plan() {
    return decideRetention(loadIncidentFacts(this.#db), loadHoldFacts(this.#db), this.#policy, this.#clock.now());
  }

  /** Deletes what is due, one transaction per item, yielding to the event loop between items so a long first
   * sweep (after months offline) never stalls a button press. */
  async sweep(options: SweepOptions = {}): Promise<SweepResult> {
    const now = this.#clock.now();
    const dryRun = options.dryRun ?? false;
    const actor = options.actor ?? RETENTION_ACTOR;
    const clock = checkClock(lastSweepClock(this.#db), now);
    if (!clock.ok && !options.trustClock && !dryRun) {
      this.#log?.warn({ now: now.toISOString() }, clock.message);
      this.#record(now, false, 'refused', 0, 0, 0, clock.message);
      this.#audit.append({
        actor,
        action: 'retention-sweep',
        subject: 'local',
        details: { outcome: 'refused', clock: now.toISOString(), message: clock.message },
      });
      return {
        now: now.toISOString(),
        dryRun,
        outcome: 'refused',
        deleted: [],
        held: [],
        failures: [],
        nextDueAt: null,
        message: clock.message,
      };
    }
    const decision = this.plan();
    if (dryRun) {
      return {
        now: decision.now,
        dryRun,
        outcome: 'done',
        deleted: decision.due,
        held: decision.held,
        failures: [],
        nextDueAt: decision.nextDueAt,
        // A what-if run at another time is allowed; it still says the clock would stop a real sweep.
        ...(clock.ok ? {} : { message: clock.message }),
      };
    }
    const deleted: Deletion[] = [];
    const failures: SweepResult['failures'] = [];
    for (const d of decision.due) {
      try {
        if (this.#delete(d, now, actor)) deleted.push(d);
      } catch (e) {
        const message = this.#explain(d, e);
        failures.push({ id: d.id, target: d.target, message });
        this.#log?.error({ id: d.id, target: d.target, err: message }, 'retention could not delete an item');
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const outcome = failures.length > 0 ? 'partial' : 'done';
    const message = clock.ok ? undefined : `ran with --trust-clock: ${clock.message}`;
    this.#record(now, false, outcome, deleted.length, decision.held.length, failures.length, message ?? null);
    this.#audit.append({
      actor,
      action: 'retention-sweep',
      subject: 'local',
      details: {
        outcome,
        clock: now.toISOString(),
        deleted: deleted.length,
        held: decision.held.map((h) => h.incidentId),
        failures: failures.length,
        policy: { ...this.#policy },
        ...(message ? { message } : {}),
      },
    });
    this.#log?.info(
      { deleted: deleted.length, held: decision.held.length, failures: failures.length },
      'retention sweep finished',
    );
    const result: SweepResult = {
      now: decision.now,
      dryRun,
      outcome,
      deleted,
      held: decision.held,
      failures,
      nextDueAt: decision.nextDueAt,
    };
    if (message) result.message = message;
    return result;
  }

  /** Returns false when the item was already gone (another sweep got there first): no second tombstone. */
  #delete(d: Deletion, now: Date, actor: string): boolean {
    const tombstone = { what: d.what, when: now.toISOString(), why: d.why, policy: d.policy, dueAt: d.dueAt };
    return this.#db.transaction((): boolean => {
      if (d.target === 'still') {
        const s = this.#db.prepare('SELECT * FROM stills WHERE id = ?').get(d.id) as StillRow | undefined;
        if (!s) return false;
        this.#db.prepare('DELETE FROM stills WHERE id = ?').run(d.id);
        // Inside the transaction: if the overwrite fails the row and its key come back and the next sweep retries.
        this.#files.destroy(s.file, s.key_id ?? '');
        this.#audit.append({
          actor,
          action: 'delete',
          subject: d.id,
          details: {
            ...tombstone,
            target: 'still',
            kind: s.kind,
            stillId: d.id,
            incidentId: d.incidentId,
            sha256: s.sha256,
            bytes: s.bytes,
            keyDiscarded: s.key_id !== null,
          },
        });
      } else if (d.target === 'outbox') {
        if (this.#db.prepare('DELETE FROM outbox WHERE id = ?').run(d.id).changes === 0) return false;
        this.#audit.append({
          actor,
          action: 'delete',
          subject: d.id,
          details: { ...tombstone, target: 'outbox', incidentId: d.incidentId },
        });
      } else {
        // Holds that ended go with the incident; their whole history is in the audit chain.
        this.#db.prepare('DELETE FROM holds WHERE incident_id = ?').run(d.id);
        // Stills another module marked deleted (deleted_at) but left as rows: shred what may remain, drop the rows.
        const leftovers = this.#db
          .prepare('SELECT id, file, key_id FROM stills WHERE incident_id = ? AND deleted_at IS NOT NULL')
          .all(d.id) as Pick<StillRow, 'id' | 'file' | 'key_id'>[];
        for (const s of leftovers) {
          this.#db.prepare('DELETE FROM stills WHERE id = ?').run(s.id);
          this.#files.destroy(s.file, s.key_id ?? '');
        }
        if (this.#db.prepare('DELETE FROM incidents WHERE id = ?').run(d.id).changes === 0) return false;
        this.#audit.append({
          actor,
          action: 'delete',
          subject: d.id,
          details: { ...tombstone, target: 'incident', incidentId: d.id },
        });
      }
      return true;
    })();
  }

  /** A foreign-key failure means another module keeps rows for the incident that retention does not know about. */
  #explain(d: Deletion, e: unknown): string {
    const message = e instanceof Error ? e.message : String(e);
    if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY' || d.target !== 'incident') return message;
    const tables = (
      this.#db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).filter((t) =>
      (
        this.#db.prepare(`PRAGMA foreign_key_list("${t.name.replaceAll('"', '""')}")`).all() as {
          table: string;
          from: string;
        }[]
      ).some(
        (fk) =>
          fk.table === 'incidents' &&
          this.#db
            .prepare(`SELECT 1 FROM "${t.name.replaceAll('"', '""')}" WHERE "${fk.from}" = ? LIMIT 1`)
            .get(d.id) !== undefined,
      ),
    );
    return `incident ${d.id} is still referenced by ${tables.map((t) => t.name).join(', ') || 'another table'}; retention does not know how to delete those rows (see docs/retention.md)`;
  }

  #record(
    now: Date,
    dryRun: boolean,
    outcome: string,
    deleted: number,
    held: number,
    failures: number,
    message: string | null,
  ) {
    this.#db
      .prepare(
        'INSERT INTO retention_runs (clock_at, dry_run, outcome, deleted, held, failures, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(now.toISOString(), dryRun ? 1 : 0, outcome, deleted, held, failures, message);
  }
}

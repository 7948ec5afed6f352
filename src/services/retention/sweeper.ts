// The retention sweeper: asks the pure policy what is due, then deletes it one item at a time — the file is
// overwritten and unlinked and its data key discarded, the row removed, and one `delete` audit row with a
// tombstone {what, when, why, policy} written, all in one transaction so a deletion is never half-recorded.
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { FileShredder } from '../../core/ports/encrypted-files.js';
import type { RetentionStore } from '../../core/ports/retention-store.js';
import {
  checkClock,
  type Deletion,
  decideRetention,
  type Exemption,
  type RetentionPolicy,
} from '../../core/retention/policy.js';

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
  readonly #store: RetentionStore;
  readonly #files: FileShredder;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #policy: RetentionPolicy;
  readonly #log: SweepLog | undefined;

  constructor(deps: {
    store: RetentionStore;
    files: FileShredder;
    audit: AuditLog;
    clock: Clock;
    policy: RetentionPolicy;
    log?: SweepLog;
  }) {
    this.#store = deps.store;
    this.#files = deps.files;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#policy = deps.policy;
    this.#log = deps.log;
  }

  /** What a sweep would delete now, without deleting or recording anything. */
  plan() {
    return decideRetention(this.#store.incidentFacts(), this.#store.holdFacts(), this.#policy, this.#clock.now());
  }

  /** Deletes what is due, one transaction per item, yielding to the event loop between items so a long first
   * sweep (after months offline) never stalls a button press. */
  async sweep(options: SweepOptions = {}): Promise<SweepResult> {
    const now = this.#clock.now();
    const dryRun = options.dryRun ?? false;
    const actor = options.actor ?? RETENTION_ACTOR;
    const clock = checkClock(this.#store.lastSweepClock(), now);
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
        // An incident other rows still refer to fails with IncidentStillReferenced, which names their tables.
        const message = e instanceof Error ? e.message : String(e);
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
    if (d.target === 'still')
      return this.#store.removeStill(d.id, (s) => {
        // Inside the transaction: if the overwrite fails the row and its key come back and the next sweep retries.
        this.#files.destroy(s.file, s.keyId ?? '');
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
            keyDiscarded: s.keyId !== null,
          },
        });
      });
    if (d.target === 'master')
      return this.#store.removeMaster(d.id, (m) => {
        // As for a still: shredded inside the transaction, so a failed overwrite brings the row back for a retry.
        if (m.file) this.#files.destroy(m.file, m.keyId ?? '');
        this.#audit.append({
          actor,
          action: 'delete',
          subject: d.id,
          details: {
            ...tombstone,
            target: 'master',
            masterId: d.id,
            incidentId: d.incidentId,
            sha256: m.sha256,
            bytes: m.bytes,
            method: m.method,
            keyDiscarded: m.keyId !== null,
          },
        });
      });
    if (d.target === 'outbox')
      return this.#store.removeOutboxRow(d.id, () =>
        this.#audit.append({
          actor,
          action: 'delete',
          subject: d.id,
          details: { ...tombstone, target: 'outbox', incidentId: d.incidentId },
        }),
      );
    // Holds that ended go with the incident; their whole history is in the audit chain.
    return this.#store.removeIncident(
      d.id,
      (f) => this.#files.destroy(f.file, f.keyId ?? ''),
      (removed) =>
        this.#audit.append({
          actor,
          action: 'delete',
          subject: d.id,
          details: { ...tombstone, target: 'incident', incidentId: d.id, removed },
        }),
    );
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
    this.#store.recordSweep({ clockAt: now.toISOString(), dryRun, outcome, deleted, held, failures, message });
  }
}

// Signed audit checkpoints: every N entries or M minutes the device signs {seq, hash, time} of the chain head and
// queues it for the hub. The hub keeps what it received, so a local log rebuilt from scratch (new hashes, even a
// valid-looking chain) no longer matches and `audit verify --checkpoints` says where.
import { CHECKPOINT_SCHEMA, type CheckpointDoc } from '../../core/packet/checkpoint.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { CheckpointStore } from '../../core/ports/checkpoint-store.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Signer } from '../../core/ports/signer.js';

export const CHECKPOINT_TYPE = 'bcrp-audit-checkpoint';

export interface AuditCheckpoint {
  type: typeof CHECKPOINT_TYPE;
  site: string;
  seq: number;
  hash: string;
  time: string;
}

export interface SignedCheckpoint extends AuditCheckpoint {
  /** Compact JWS over the canonical JSON of the checkpoint as a bcrp-checkpoint/1 document. */
  jws: string;
  keyId: string;
}

/** Where signed checkpoints go to reach the hub. The outbox implements it at merge; until then they stay local. */
export interface CheckpointQueue {
  enqueue(checkpoint: SignedCheckpoint): void;
}

/** A queue that goes nowhere: the checkpoint is already kept in audit_checkpoints by the Checkpointer. */
export const localOnlyQueue: CheckpointQueue = { enqueue: () => {} };

export interface CheckpointOptions {
  siteId: string;
  everyRows: number;
  everyMinutes: number;
}

/**
 * What a new checkpoint at `headSeq` says about the one before it: that checkpoint's seq and the hash the local
 * entry there has today. A log rebuilt since has another hash there, which whoever kept the earlier checkpoint sees.
 */
export function checkpointPrev(
  audit: Pick<AuditLog, 'entries'>,
  last: { seq: number } | undefined,
  headSeq: number,
): { seq: number; hash: string } | undefined {
  if (!last || last.seq >= headSeq) return undefined;
  const [entry] = [...audit.entries({ fromSeq: last.seq, toSeq: last.seq })];
  return { seq: last.seq, hash: entry?.hash ?? '0'.repeat(64) };
}

export class Checkpointer {
  readonly #store: CheckpointStore;
  readonly #audit: AuditLog;
  readonly #signer: Signer;
  readonly #queue: CheckpointQueue;
  readonly #clock: Clock;
  readonly #options: CheckpointOptions;

  constructor(deps: {
    store: CheckpointStore;
    audit: AuditLog;
    signer: Signer;
    queue: CheckpointQueue;
    clock: Clock;
    options: CheckpointOptions;
  }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#signer = deps.signer;
    this.#queue = deps.queue;
    this.#clock = deps.clock;
    this.#options = deps.options;
  }

  last(): { seq: number; hash: string; time: string } | undefined {
    return this.#store.last();
  }

  /** True when enough entries or time have gone by. The `checkpoint` row a checkpoint adds does not count. */
  due(): boolean {
    const head = this.#audit.head();
    if (!head) return false;
    const last = this.last();
    if (!last) return true;
    const fresh = head.seq - last.seq - 1;
    if (fresh <= 0) return false;
    if (fresh >= this.#options.everyRows) return true;
    return this.#clock.now().getTime() - new Date(last.time).getTime() >= this.#options.everyMinutes * 60_000;
  }

  /** Signs the current head (when due, or always with force), records it, queues it and audits it. */
  async checkpoint(options: { force?: boolean } = {}): Promise<SignedCheckpoint | undefined> {
    if (!options.force && !this.due()) return undefined;
    const head = this.#audit.head();
    if (!head) return undefined;
    const last = this.last();
    if (last && last.seq >= head.seq) return undefined;
    const cp: AuditCheckpoint = {
      type: CHECKPOINT_TYPE,
      site: this.#options.siteId,
      seq: head.seq,
      hash: head.hash,
      time: this.#clock.now().toISOString(),
    };
    // Signed in the one checkpoint shape the hub keeps, so local and hub copies verify the same way; `prev` ties it
    // to the one before, as the publisher's do.
    const doc: CheckpointDoc = { schema: CHECKPOINT_SCHEMA, siteId: cp.site, seq: cp.seq, hash: cp.hash, at: cp.time };
    const prev = checkpointPrev(this.#audit, last, head.seq);
    if (prev) doc.prev = prev;
    const jws = await this.#signer.sign(doc);
    const signed: SignedCheckpoint = { ...cp, jws, keyId: this.#signer.keyId };
    const record = { seq: cp.seq, hash: cp.hash, time: cp.time, jws, keyId: signed.keyId, sentTo: null };
    this.#store.record(record, () => {
      this.#queue.enqueue(signed);
      this.#audit.append({
        actor: 'system',
        action: 'checkpoint',
        subject: 'audit-log',
        details: { seq: cp.seq, hash: cp.hash, keyId: signed.keyId },
      });
    });
    return signed;
  }

  /** Every checkpoint made, oldest first, as the hub would have received them. */
  all(): SignedCheckpoint[] {
    return this.#store.all().map((r) => ({
      type: CHECKPOINT_TYPE,
      site: this.#options.siteId,
      seq: r.seq,
      hash: r.hash,
      time: r.time,
      jws: r.jws,
      keyId: r.keyId,
    }));
  }
}

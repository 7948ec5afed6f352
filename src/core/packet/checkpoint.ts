// The one signed audit-checkpoint document: the device signs it, the hub keeps it as received, and
// `audit verify --checkpoints` checks the hub's copy against the local chain. Device and hub read it with the same
// function, so there is one shape to agree on.

export const CHECKPOINT_SCHEMA = 'bcrp-checkpoint/1';

export interface CheckpointDoc {
  schema: typeof CHECKPOINT_SCHEMA;
  siteId: string;
  /** The audit entry the checkpoint covers (the chain head when it was signed). */
  seq: number;
  /** That entry's hash. */
  hash: string;
  /** When it was signed (ISO 8601). */
  at: string;
  /**
   * The previous checkpoint sent to the hub as the device's log has it now: its seq and the hash the local entry at
   * that seq has today. A log rebuilt since then has another hash there, which the hub compares with what it kept.
   */
  prev?: { seq: number; hash: string };
}

const HASH = /^[0-9a-f]{64}$/;

/** The checkpoint inside a verified payload, or undefined when it is not one. */
export function readCheckpoint(payload: unknown): CheckpointDoc | undefined {
  const d = payload as Partial<Record<keyof CheckpointDoc, unknown>> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    d.schema !== CHECKPOINT_SCHEMA ||
    typeof d.siteId !== 'string' ||
    !Number.isSafeInteger(d.seq) ||
    typeof d.hash !== 'string' ||
    !HASH.test(d.hash) ||
    typeof d.at !== 'string'
  )
    return undefined;
  const doc: CheckpointDoc = {
    schema: CHECKPOINT_SCHEMA,
    siteId: d.siteId,
    seq: d.seq as number,
    hash: d.hash,
    at: d.at,
  };
  if (d.prev !== undefined) {
    const p = d.prev as { seq?: unknown; hash?: unknown } | null;
    if (!p || !Number.isSafeInteger(p.seq) || typeof p.hash !== 'string' || !HASH.test(p.hash)) return undefined;
    if ((p.seq as number) >= doc.seq) return undefined;
    doc.prev = { seq: p.seq as number, hash: p.hash };
  }
  return doc;
}

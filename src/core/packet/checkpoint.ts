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
}

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
    !/^[0-9a-f]{64}$/.test(d.hash) ||
    typeof d.at !== 'string'
  )
    return undefined;
  return { schema: CHECKPOINT_SCHEMA, siteId: d.siteId, seq: d.seq as number, hash: d.hash, at: d.at };
}

// Port: where signed audit checkpoints are kept on the device (what the hub was sent, to compare with what it kept).

export interface CheckpointRecord {
  seq: number;
  hash: string;
  /** When the checkpoint was signed. */
  time: string;
  /** The signed document (compact JWS). */
  jws: string;
  keyId: string;
}

export interface CheckpointStore {
  /** The newest checkpoint (highest seq), if any. */
  last(): Pick<CheckpointRecord, 'seq' | 'hash' | 'time'> | undefined;
  /** Keeps a checkpoint queued at `queuedAt`; `alongside` (queueing and auditing it) runs in the same transaction,
   * and if it throws nothing is kept. */
  record(checkpoint: CheckpointRecord, queuedAt: string, alongside: () => void): void;
  /** Every checkpoint, oldest first. */
  all(): CheckpointRecord[];
}

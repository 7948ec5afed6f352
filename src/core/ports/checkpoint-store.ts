// Port: the signed audit checkpoints the appliance made and where each went: the local checkpointer's (kept on the
// device) and the publisher's (sent to the hub). The checkpointer, the publisher, the compliance report and
// `audit checkpoint --list` all read and write them through this one port.

export interface CheckpointRecord {
  seq: number;
  hash: string;
  /** When the checkpoint was signed. */
  time: string;
  /** The signed document (compact JWS). */
  jws: string;
  keyId: string;
  /** 'hub' when it was published to the hub (the broker accepted it); null when it was kept on the device only. */
  sentTo: 'hub' | null;
}

export interface CheckpointStore {
  /** The newest checkpoint (highest seq), or the newest sent to `sentTo` when given. */
  last(sentTo?: 'hub'): CheckpointRecord | undefined;
  count(sentTo?: 'hub'): number;
  /**
   * Keeps a checkpoint; a second one at the same seq is ignored (a restart re-sending the same head). `alongside`
   * (queueing and auditing it) runs in the same transaction, and if it throws nothing is kept.
   */
  record(checkpoint: CheckpointRecord, alongside?: () => void): void;
  /** Every checkpoint, oldest first. */
  all(): CheckpointRecord[];
}

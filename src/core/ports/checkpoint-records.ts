// Port: the appliance's record of the signed audit checkpoints it made, and which of them went to the hub. The
// compliance report and `audit checkpoint --list` read it; the publisher writes one row per checkpoint it sends.

export interface CheckpointRecord {
  seq: number;
  hash: string;
  /** When the checkpoint was signed. */
  time: string;
  /** The signed document (compact JWS), as the hub received it when sentTo is 'hub'. */
  jws: string;
  keyId: string;
  /** 'hub' when it was published to the hub (the broker accepted it); null when it was kept on the device only. */
  sentTo: 'hub' | null;
}

export interface CheckpointRecords {
  /** Keeps a checkpoint; a second one at the same seq is ignored (a restart re-sending the same head). */
  record(cp: CheckpointRecord): void;
  /** The latest one, or the latest sent to `sentTo` when given. */
  last(sentTo?: 'hub'): CheckpointRecord | undefined;
  count(sentTo?: 'hub'): number;
}

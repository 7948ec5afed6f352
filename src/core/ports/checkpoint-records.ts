// Port: the appliance's record of the signed audit checkpoints it made, and which of them went to the hub. The
// compliance report and `audit checkpoint --list` read it; the publisher writes one row per checkpoint it sends.
import type { CheckpointRecord as StoredCheckpoint } from './checkpoint-store.js';

/** A kept checkpoint (the same row as CheckpointStore's) and where it went. */
export interface CheckpointRecord extends StoredCheckpoint {
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

// Port: the reference hub's store. SQLite implements it (adapters/hub-store); a PostgreSQL adapter for a hub
// with several workers can implement the same interface and pass test/contract/hub-store.contract.ts.
import type { PacketManifest } from '../packet/manifest.js';
import type { RetentionPhase } from '../packet/retention.js';

export interface EnrolledDevice {
  /** Fingerprint of the device's Ed25519 public key. */
  deviceId: string;
  siteId: string;
  publicKeyPem: string;
  enrolledAt: string;
}

export interface NewStoredPacket {
  id: string;
  siteId: string;
  deviceId: string;
  receivedAt: string;
  /** SHA-256 of the inner JWS: equal for a resend of the same packet, different for changed content. */
  digest: string;
  encrypted: boolean;
  manifest: PacketManifest;
  /** The packet exactly as received (JWS or JWE text). */
  raw: Buffer;
}

export interface StoredPacket extends Omit<NewStoredPacket, 'manifest'> {
  /** null once deleted under its retention class (a tombstone). */
  manifest: PacketManifest | null;
  phase: RetentionPhase | 'deleted';
  withdrawnAt: string | null;
  deletedAt: string | null;
  /** How many times the same packet arrived again (resends after lost acks, duplicate delivery). */
  duplicates: number;
}

export type PutResult = 'stored' | 'duplicate' | 'conflict';

export interface Rejection {
  at: string;
  topic: string;
  siteId: string | null;
  packetId: string | null;
  deviceId: string | null;
  reason: string;
  message: string;
}

/** A device's signed audit-chain head as received. */
export interface AuditCheckpoint {
  siteId: string;
  deviceId: string;
  seq: number;
  hash: string;
  at: string;
  receivedAt: string;
}

export interface HubStore {
  enrol(device: EnrolledDevice): void;
  device(deviceId: string): EnrolledDevice | undefined;
  devices(): EnrolledDevice[];
  /** Idempotent on packet id: same digest → 'duplicate' (counted), different digest → 'conflict' (nothing changes). */
  put(packet: NewStoredPacket): PutResult;
  get(id: string): StoredPacket | undefined;
  /** Newest first. Without `includeRestricted`, only packets still shared with members. */
  list(filter?: { siteId?: string; includeRestricted?: boolean; limit?: number }): StoredPacket[];
  count(): number;
  recordRejection(rejection: Rejection): void;
  rejections(limit?: number): Rejection[];
  withdraw(id: string, at: Date): boolean;
  /**
   * Keeps a checkpoint. 'conflict' when the device already sent a different hash for the same seq, or a seq lower
   * than one it sent before: its audit log was rewritten or rolled back (nothing is stored then).
   */
  putCheckpoint(checkpoint: AuditCheckpoint): 'stored' | 'duplicate' | 'conflict';
  checkpoints(deviceId: string): AuditCheckpoint[];
  /** Applies the retention classes at `now`: moves packets to admin-only and deletes (keeps a tombstone). */
  sweep(now: Date): { adminOnly: number; deleted: number };
  close(): void;
}

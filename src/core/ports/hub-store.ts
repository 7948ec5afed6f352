// Port: the reference hub's store. Async because PostgreSQL is: SQLite (one host) and PostgreSQL (many workers on
// many hosts) implement it in adapters/hub-store and pass the one suite in test/contract/hub-store.test.ts.
import type { AuditEntry, AuditEvent } from '../audit-chain.js';
import type { PacketManifest } from '../packet/manifest.js';
import type { RetentionPhase, RetentionReport } from '../packet/retention.js';

export interface EnrolledDevice {
  /** Fingerprint of the device's Ed25519 public key. */
  deviceId: string;
  siteId: string;
  publicKeyPem: string;
  enrolledAt: string;
}

export type DeviceState = 'enrolled' | 'revoked';

/** A device as the registry holds it: enrolment plus its state. */
export interface RegisteredDevice extends EnrolledDevice {
  state: DeviceState;
  revokedAt: string | null;
  revokedReason: string | null;
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
  /** When the sweep withdrew it from members (null while shared, and for packets withdrawn before this was kept). */
  adminOnlyAt: string | null;
  /** The subject an administrator linked it to, if any. */
  subjectRef: string | null;
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
  /** The signed document as received (compact JWS): what `audit verify --checkpoints` checks. */
  jws?: string;
}

export type EnrolmentState = 'pending' | 'approved' | 'rejected';

/** A device's enrolment request as the hub received it (online over MQTT, or imported from a file). */
export interface EnrolmentRecord {
  /** The request's id: its topic segment online, the device's UUID. */
  requestId: string;
  siteId: string;
  receivedAt: string;
  /** The request document exactly as parsed (bcrp-edge/enrolment-request/1). */
  request: Record<string, unknown>;
  state: EnrolmentState;
  decidedAt: string | null;
  /** Why it was rejected. */
  reason: string | null;
  /** The enrolment response sent back (bcrp-edge/enrolment-response/1), once approved. */
  response: Record<string, unknown> | null;
}

/** Who may use the hub page: members see packets in their shared period; administrators see every state. */
export const HUB_ROLES = ['member', 'administrator'] as const;
export type HubRole = (typeof HUB_ROLES)[number];

/** A hub page account; the password is kept only as a slow hash (src/core/password-hash.ts). */
export interface HubUser {
  username: string;
  role: HubRole;
  passwordHash: string;
  createdAt: string;
}

export type SubjectStatus = 'active' | 'deleted';

/** A subject record: the hub's own reference for one person, relating the reports about them. */
export interface SubjectRecord {
  /** Hub-assigned (never from an appliance). */
  ref: string;
  createdAt: string;
  createdBy: string;
  /** Filled in only by administrators; null until then, and cleared when the subject is deleted. */
  name: string | null;
  alias: string | null;
  notes: string | null;
  status: SubjectStatus;
  deletedAt: string | null;
  /** Linked packet ids, oldest report first. */
  packetIds: string[];
}

export type SubjectFields = Partial<Pick<SubjectRecord, 'name' | 'alias' | 'notes'>>;

export type LinkResult =
  | 'linked'
  | 'already-linked'
  | 'no-packet'
  | 'deleted-packet'
  | 'no-subject'
  | 'deleted-subject'
  | 'linked-elsewhere';

/** A live (not deleted) packet as the retention rule needs it. */
export interface RetentionRow extends RetentionReport {
  siteId: string;
  phase: 'shared' | 'admin-only';
  /** The class the device asserted: recorded, shown, never trusted. */
  deviceClass: string;
}

export interface SweepResult {
  adminOnly: number;
  deleted: number;
  /** Subjects whose every report is now deleted: their personal fields are cleared, a tombstone stays. */
  subjectsDeleted: number;
}

/** An exclusion as recorded: the whole scheme, or one member's premises (a site id). */
export interface ExclusionRecord {
  id: string;
  subjectRef: string;
  scope: 'scheme' | 'premises';
  /** The site id when scope is 'premises'; null for the whole scheme. */
  premises: string | null;
  startsAt: string;
  endsAt: string;
  /** In plain words, for the notice. */
  grounds: string;
  appealRoute: string;
  recordedAt: string;
  recordedBy: string;
  servedAt: string | null;
  servedBy: string | null;
}

export interface HubStore {
  /** Enrols or re-keys a device for its site. Never lifts a revocation: that is `reinstate`. */
  enrol(device: EnrolledDevice): Promise<void>;
  device(deviceId: string): Promise<RegisteredDevice | undefined>;
  devices(): Promise<RegisteredDevice[]>;
  /** Revokes a device: its packets and checkpoints are refused from now on. false when unknown or already revoked. */
  revoke(deviceId: string, at: Date, reason: string): Promise<boolean>;
  /** Lifts a revocation. false when unknown or not revoked. */
  reinstate(deviceId: string): Promise<boolean>;
  /** Idempotent on packet id: same digest → 'duplicate' (counted), different digest → 'conflict' (nothing changes). */
  put(packet: NewStoredPacket): Promise<PutResult>;
  get(id: string): Promise<StoredPacket | undefined>;
  /** Newest first. Without `includeRestricted`, only packets still shared with members. */
  list(filter?: { siteId?: string; includeRestricted?: boolean; limit?: number }): Promise<StoredPacket[]>;
  count(): Promise<number>;
  recordRejection(rejection: Rejection): Promise<void>;
  rejections(limit?: number): Promise<Rejection[]>;
  withdraw(id: string, at: Date): Promise<boolean>;
  /**
   * Keeps a checkpoint. 'conflict' when the device already sent a different hash for the same seq, or a seq lower
   * than one it sent before: its audit log was rewritten or rolled back (nothing is stored then).
   */
  putCheckpoint(checkpoint: AuditCheckpoint): Promise<'stored' | 'duplicate' | 'conflict'>;
  checkpoints(deviceId: string): Promise<AuditCheckpoint[]>;
  /**
   * Records a request as pending. 'duplicate' when the same request (same document) is known already, in whatever
   * state; 'conflict' when another document arrived under the same id (nothing changes then).
   */
  putEnrolmentRequest(r: {
    requestId: string;
    siteId: string;
    receivedAt: string;
    request: Record<string, unknown>;
  }): Promise<'stored' | 'duplicate' | 'conflict'>;
  enrolmentRequest(requestId: string): Promise<EnrolmentRecord | undefined>;
  /** Oldest first; only those in `state` when given. */
  enrolmentRequests(filter?: { state?: EnrolmentState }): Promise<EnrolmentRecord[]>;
  /** Decides a pending request once: false when it is unknown or decided already (by another operator or worker). */
  decideEnrolment(
    requestId: string,
    decision: { state: 'approved' | 'rejected'; at: string; reason?: string; response?: Record<string, unknown> },
  ): Promise<boolean>;
  /**
   * Applies retention at `now`, computed from the linked reports (core/packet/retention.ts hubRetention; the
   * device's class is not used): moves packets to admin-only, deletes them (a tombstone stays) and deletes subjects
   * whose every report is deleted. One sweep at a time across workers.
   */
  sweep(now: Date): Promise<SweepResult>;
  /** Every packet not deleted, with its subject link (only that subject's with `subjectRef`): what retention is computed from. */
  retentionRows(filter?: { subjectRef?: string }): Promise<RetentionRow[]>;
  /** Adds a subject; false when the ref is taken (nothing changes then). */
  createSubject(s: { ref: string; createdAt: string; createdBy: string } & SubjectFields): Promise<boolean>;
  subject(ref: string): Promise<SubjectRecord | undefined>;
  /** Newest first. */
  subjects(filter?: { status?: SubjectStatus; limit?: number }): Promise<SubjectRecord[]>;
  /**
   * Changes the administrator-only fields of an active subject; answers the values before the change (for the
   * audit chain), or undefined when there is no such active subject.
   */
  updateSubject(ref: string, fields: SubjectFields): Promise<SubjectFields | undefined>;
  /** Relates a packet to a subject (never merges images). A packet is about one subject: unlink it first to move it. */
  linkPacket(link: { packetId: string; subjectRef: string; at: string; by: string }): Promise<LinkResult>;
  /** false when the packet is not linked to that subject. */
  unlinkPacket(packetId: string, subjectRef: string): Promise<boolean>;
  /** Records an exclusion for an active subject; false when the subject is unknown or deleted, or the id is taken. */
  addExclusion(e: Omit<ExclusionRecord, 'servedAt' | 'servedBy'>): Promise<boolean>;
  exclusion(id: string): Promise<ExclusionRecord | undefined>;
  /** Newest start first; only one subject's with `subjectRef`, only those not ended at `activeAt` when given. */
  exclusions(filter?: { subjectRef?: string; activeAt?: Date }): Promise<ExclusionRecord[]>;
  /** Records once when the notice was served; false when unknown or already served. */
  markExclusionServed(id: string, at: string, by: string): Promise<boolean>;
  /** Adds a hub page account; false when the name is taken (nothing changes then). */
  addUser(user: HubUser): Promise<boolean>;
  user(username: string): Promise<HubUser | undefined>;
  /** By name. */
  users(): Promise<HubUser[]>;
  /** Removes an account and ends its sessions; false when unknown. Its audit entries stay. */
  removeUser(username: string): Promise<boolean>;
  /** Hub page sessions, shared by every worker that serves the page (opaque data, expiry as ISO text). */
  putSession(id: string, data: string, expiresAt: string): Promise<void>;
  /** undefined when unknown or expired at `now`. */
  getSession(id: string, now: Date): Promise<string | undefined>;
  deleteSession(id: string): Promise<void>;
  pruneSessions(now: Date): Promise<number>;
  /**
   * Appends to the hub's own audit chain (core/audit-chain.ts) at `at`, one writer at a time across workers, and
   * records the head beside it so truncation is noticed. Durable when it resolves.
   */
  appendAudit(event: AuditEvent, at: Date): Promise<AuditEntry>;
  /** Entries with seq > afterSeq, oldest first, at most `limit` (default 1000). */
  auditEntries(range?: { afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;
  auditHead(): Promise<Pick<AuditEntry, 'seq' | 'hash'> | undefined>;
  close(): Promise<void>;
}

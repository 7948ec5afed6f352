// Row shapes of the hub store's tables and their mapping to the HubStore port's types, for both adapters: the
// tables are the same in SQLite and PostgreSQL, and where the drivers differ (SQLite gives booleans as 0/1 and JSON as
// text, pg gives BIGINT as text) the mapping accepts both.
import type { PacketManifest } from '../../core/packet/manifest.js';
import type {
  AuditCheckpoint,
  EnrolmentRecord,
  EnrolmentState,
  ExclusionRecord,
  HubUser,
  RegisteredDevice,
  RetentionRow,
  StoredPacket,
  SubjectRecord,
} from '../../core/ports/hub-store.js';

export interface DeviceRow {
  device_id: string;
  site_id: string;
  public_key_pem: string;
  enrolled_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export const toDevice = (r: DeviceRow): RegisteredDevice => ({
  deviceId: r.device_id,
  siteId: r.site_id,
  publicKeyPem: r.public_key_pem,
  enrolledAt: r.enrolled_at,
  state: r.revoked_at ? 'revoked' : 'enrolled',
  revokedAt: r.revoked_at ?? null,
  revokedReason: r.revoked_reason ?? null,
});

export interface PacketRow {
  id: string;
  site_id: string;
  device_id: string;
  received_at: string;
  digest: string;
  encrypted: number | boolean;
  retention_class: string;
  manifest: string | PacketManifest | null;
  raw: Buffer | null;
  phase: 'shared' | 'admin-only' | 'deleted';
  withdrawn_at: string | null;
  deleted_at: string | null;
  duplicates: number;
  admin_only_at: string | null;
  /** From the LEFT JOIN on subject_links (PACKET_SELECT). */
  subject_ref: string | null;
}

/** Every read of a packet comes with its subject link. */
export const PACKET_SELECT = 'SELECT p.*, l.subject_ref FROM packets p LEFT JOIN subject_links l ON l.packet_id = p.id';

export const toPacket = (r: PacketRow): StoredPacket => ({
  id: r.id,
  siteId: r.site_id,
  deviceId: r.device_id,
  receivedAt: r.received_at,
  digest: r.digest,
  encrypted: r.encrypted === true || r.encrypted === 1,
  manifest: typeof r.manifest === 'string' ? (JSON.parse(r.manifest) as PacketManifest) : r.manifest,
  raw: r.raw ?? Buffer.alloc(0),
  phase: r.phase,
  withdrawnAt: r.withdrawn_at,
  deletedAt: r.deleted_at,
  duplicates: r.duplicates,
  adminOnlyAt: r.admin_only_at ?? null,
  subjectRef: r.subject_ref ?? null,
});

/** The live packets with their subject link, for the retention rule. */
export const RETENTION_ROWS_SQL = `SELECT p.id, p.site_id, p.received_at, p.withdrawn_at, p.admin_only_at, p.phase,
  p.retention_class, l.subject_ref
FROM packets p LEFT JOIN subject_links l ON l.packet_id = p.id WHERE p.phase <> 'deleted'`;

export type RetentionRowRow = Pick<
  PacketRow,
  'id' | 'site_id' | 'received_at' | 'withdrawn_at' | 'admin_only_at' | 'retention_class' | 'subject_ref'
> & { phase: 'shared' | 'admin-only' };

export const toRetentionRow = (r: RetentionRowRow): RetentionRow => ({
  id: r.id,
  siteId: r.site_id,
  receivedAt: r.received_at,
  withdrawnAt: r.withdrawn_at,
  adminOnlyAt: r.admin_only_at,
  subjectRef: r.subject_ref,
  phase: r.phase,
  deviceClass: r.retention_class,
});

export interface SubjectRow {
  ref: string;
  created_at: string;
  created_by: string;
  name: string | null;
  alias: string | null;
  notes: string | null;
  status: SubjectRecord['status'];
  deleted_at: string | null;
}

export const toSubject = (r: SubjectRow, packetIds: string[]): SubjectRecord => ({
  ref: r.ref,
  createdAt: r.created_at,
  createdBy: r.created_by,
  name: r.name,
  alias: r.alias,
  notes: r.notes,
  status: r.status,
  deletedAt: r.deleted_at,
  packetIds,
});

export interface ExclusionRow {
  id: string;
  subject_ref: string;
  scope: ExclusionRecord['scope'];
  premises: string | null;
  starts_at: string;
  ends_at: string;
  grounds: string;
  appeal_route: string;
  recorded_at: string;
  recorded_by: string;
  served_at: string | null;
  served_by: string | null;
}

export const toExclusion = (r: ExclusionRow): ExclusionRecord => ({
  id: r.id,
  subjectRef: r.subject_ref,
  scope: r.scope,
  premises: r.premises,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  grounds: r.grounds,
  appealRoute: r.appeal_route,
  recordedAt: r.recorded_at,
  recordedBy: r.recorded_by,
  servedAt: r.served_at,
  servedBy: r.served_by,
});

/** An exclusion's columns in the order both stores insert them (id … recorded_by). */
export const EXCLUSION_COLUMNS =
  'id, subject_ref, scope, premises, starts_at, ends_at, grounds, appeal_route, recorded_at, recorded_by';

export const exclusionValues = (e: Omit<ExclusionRecord, 'servedAt' | 'servedBy'>) =>
  [
    e.id,
    e.subjectRef,
    e.scope,
    e.premises,
    e.startsAt,
    e.endsAt,
    e.grounds,
    e.appealRoute,
    e.recordedAt,
    e.recordedBy,
  ] as const;

export interface CheckpointRow {
  device_id: string;
  seq: number | string;
  site_id: string;
  hash: string;
  at: string;
  received_at: string;
  jws: string | null;
}

export const toCheckpoint = (r: CheckpointRow): AuditCheckpoint => ({
  deviceId: r.device_id,
  seq: Number(r.seq),
  siteId: r.site_id,
  hash: r.hash,
  at: r.at,
  receivedAt: r.received_at,
  ...(r.jws ? { jws: r.jws } : {}),
});

export interface EnrolmentRow {
  request_id: string;
  site_id: string;
  received_at: string;
  request: string;
  state: EnrolmentState;
  decided_at: string | null;
  reason: string | null;
  response: string | null;
}

export const toEnrolment = (r: EnrolmentRow): EnrolmentRecord => ({
  requestId: r.request_id,
  siteId: r.site_id,
  receivedAt: r.received_at,
  request: JSON.parse(r.request) as Record<string, unknown>,
  state: r.state,
  decidedAt: r.decided_at,
  reason: r.reason,
  response: r.response === null ? null : (JSON.parse(r.response) as Record<string, unknown>),
});

export interface HubUserRow {
  username: string;
  role: HubUser['role'];
  password_hash: string;
  created_at: string;
}

export const toHubUser = (r: HubUserRow): HubUser => ({
  username: r.username,
  role: r.role,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
});

/** The signed-in user a session holds, kept in its own column so removing a user can end their sessions. */
export function sessionUsername(data: string): string | null {
  try {
    const name = (JSON.parse(data) as { user?: { username?: unknown } }).user?.username;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

// The reference hub's store in its own SQLite file (not the appliance's): enrolled devices, received packets
// (unique on packet id), rejections, and the retention state. Deletion drops the packet bytes and manifest and
// keeps a tombstone row, so a late resend of a deleted packet is still recognised and not stored again. The port is
// async (for PostgreSQL); better-sqlite3 is synchronous, so these methods resolve at once.
import Database from 'better-sqlite3';
import { type AuditEntry, type AuditEvent, nextEntry } from '../../core/audit-chain.js';
import { StoreError } from '../../core/errors.js';
import { sweepActions } from '../../core/packet/retention.js';
import type { Clock } from '../../core/ports/clock.js';
import type {
  AuditCheckpoint,
  EnrolledDevice,
  EnrolmentRecord,
  EnrolmentState,
  ExclusionRecord,
  HubStore,
  HubUser,
  LinkResult,
  NewStoredPacket,
  PutResult,
  RegisteredDevice,
  Rejection,
  RetentionRow,
  StoredPacket,
  SubjectFields,
  SubjectRecord,
  SubjectStatus,
  SweepResult,
} from '../../core/ports/hub-store.js';
import type { Migration } from '../store/migrations/index.js';
import { type AuditRow, toEntry } from '../store/sqlite-audit-log.js';
import { migrate } from '../store/sqlite-store.js';
import {
  type CheckpointRow,
  type DeviceRow,
  type EnrolmentRow,
  EXCLUSION_COLUMNS,
  type ExclusionRow,
  exclusionValues,
  type HubUserRow,
  PACKET_SELECT,
  type PacketRow,
  RETENTION_ROWS_SQL,
  type RetentionRowRow,
  type SubjectRow,
  sessionUsername,
  toCheckpoint,
  toDevice,
  toEnrolment,
  toExclusion,
  toHubUser,
  toPacket,
  toRetentionRow,
  toSubject,
} from './rows.js';
import {
  CHECKPOINT_JWS_SQL,
  DELETE_SPENT_EXCLUSIONS_SQL,
  DELETE_SPENT_SUBJECTS_SQL,
  ENROLMENT_REQUESTS_SQL,
  EXCLUSIONS_SQL,
  HUB_PAGE_SQL,
  SUBJECTS_SQL,
} from './shared-ddl.js';

export const HUB_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'hub-initial',
    sql: `
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  public_key_pem TEXT NOT NULL,
  enrolled_at TEXT NOT NULL
);
CREATE TABLE packets (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  digest TEXT NOT NULL,
  encrypted INTEGER NOT NULL,
  retention_class TEXT NOT NULL,
  manifest TEXT,
  raw BLOB,
  phase TEXT NOT NULL DEFAULT 'shared' CHECK (phase IN ('shared', 'admin-only', 'deleted')),
  withdrawn_at TEXT,
  deleted_at TEXT,
  duplicates INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX packets_site ON packets(site_id, received_at);
CREATE TABLE checkpoints (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  site_id TEXT NOT NULL,
  hash TEXT NOT NULL,
  at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
);
CREATE TABLE rejections (
  n INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  topic TEXT NOT NULL,
  site_id TEXT,
  packet_id TEXT,
  device_id TEXT,
  reason TEXT NOT NULL,
  message TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'hub-device-revocation',
    sql: `
ALTER TABLE devices ADD COLUMN revoked_at TEXT;
ALTER TABLE devices ADD COLUMN revoked_reason TEXT;
`,
  },
  { version: 3, name: 'hub-page', sql: HUB_PAGE_SQL },
  // Enrolment requests are kept until one decision (approve or reject).
  { version: 4, name: 'hub-enrolment-requests', sql: ENROLMENT_REQUESTS_SQL },
  { version: 5, name: 'hub-checkpoint-jws', sql: CHECKPOINT_JWS_SQL },
  { version: 6, name: 'hub-subjects', sql: SUBJECTS_SQL },
  { version: 7, name: 'hub-exclusions', sql: EXCLUSIONS_SQL },
];

export class SqliteHubStore implements HubStore {
  readonly #db: Database.Database;

  /** `file` may be ':memory:' for tests. */
  constructor(file: string, clock: Clock, options: { readonly?: boolean } = {}) {
    try {
      this.#db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (e) {
      throw new StoreError('hub-store-unavailable', `cannot open the hub store ${file}: ${(e as Error).message}`);
    }
    if (!options.readonly) {
      if (file !== ':memory:') this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('busy_timeout = 5000');
      migrate(this.#db, HUB_MIGRATIONS, clock);
    }
  }

  async enrol(d: EnrolledDevice): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO devices (device_id, site_id, public_key_pem, enrolled_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET site_id = excluded.site_id, public_key_pem = excluded.public_key_pem`,
      )
      .run(d.deviceId, d.siteId, d.publicKeyPem, d.enrolledAt);
  }

  async device(deviceId: string): Promise<RegisteredDevice | undefined> {
    const r = this.#db.prepare('SELECT * FROM devices WHERE device_id = ?').get(deviceId) as DeviceRow | undefined;
    return r && toDevice(r);
  }

  async devices(): Promise<RegisteredDevice[]> {
    return (this.#db.prepare('SELECT * FROM devices ORDER BY site_id, device_id').all() as DeviceRow[]).map(toDevice);
  }

  async revoke(deviceId: string, at: Date, reason: string): Promise<boolean> {
    return (
      this.#db
        .prepare('UPDATE devices SET revoked_at = ?, revoked_reason = ? WHERE device_id = ? AND revoked_at IS NULL')
        .run(at.toISOString(), reason.slice(0, 500), deviceId).changes === 1
    );
  }

  async reinstate(deviceId: string): Promise<boolean> {
    return (
      this.#db
        .prepare(
          'UPDATE devices SET revoked_at = NULL, revoked_reason = NULL WHERE device_id = ? AND revoked_at IS NOT NULL',
        )
        .run(deviceId).changes === 1
    );
  }

  async put(p: NewStoredPacket): Promise<PutResult> {
    return this.#db
      .transaction((): PutResult => {
        const existing = this.#db.prepare('SELECT digest FROM packets WHERE id = ?').get(p.id) as
          | { digest: string }
          | undefined;
        if (existing) {
          if (existing.digest !== p.digest) return 'conflict';
          this.#db.prepare('UPDATE packets SET duplicates = duplicates + 1 WHERE id = ?').run(p.id);
          return 'duplicate';
        }
        this.#db
          .prepare(
            `INSERT INTO packets (id, site_id, device_id, received_at, digest, encrypted, retention_class, manifest, raw)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            p.id,
            p.siteId,
            p.deviceId,
            p.receivedAt,
            p.digest,
            p.encrypted ? 1 : 0,
            p.manifest.retentionClass,
            JSON.stringify(p.manifest),
            p.raw,
          );
        return 'stored';
      })
      .immediate();
  }

  async get(id: string): Promise<StoredPacket | undefined> {
    const r = this.#db.prepare(`${PACKET_SELECT} WHERE p.id = ?`).get(id) as PacketRow | undefined;
    return r ? toPacket(r) : undefined;
  }

  async list(filter: { siteId?: string; includeRestricted?: boolean; limit?: number } = {}): Promise<StoredPacket[]> {
    const rows = this.#db
      .prepare(
        // A withdrawn packet is no longer shared, whatever the last sweep recorded.
        `${PACKET_SELECT} WHERE (@site IS NULL OR p.site_id = @site)
           AND (@all = 1 OR (p.phase = 'shared' AND p.withdrawn_at IS NULL))
         ORDER BY p.received_at DESC, p.id DESC LIMIT @limit`,
      )
      .all({
        site: filter.siteId ?? null,
        all: filter.includeRestricted ? 1 : 0,
        limit: filter.limit ?? 1000,
      }) as PacketRow[];
    return rows.map(toPacket);
  }

  async count(): Promise<number> {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM packets').get() as { n: number }).n;
  }

  async recordRejection(r: Rejection): Promise<void> {
    this.#db
      .prepare(
        'INSERT INTO rejections (at, topic, site_id, packet_id, device_id, reason, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(r.at, r.topic, r.siteId, r.packetId, r.deviceId, r.reason, r.message.slice(0, 500));
  }

  async rejections(limit = 100): Promise<Rejection[]> {
    return (
      this.#db.prepare('SELECT * FROM rejections ORDER BY n DESC LIMIT ?').all(limit) as {
        at: string;
        topic: string;
        site_id: string | null;
        packet_id: string | null;
        device_id: string | null;
        reason: string;
        message: string;
      }[]
    ).map((r) => ({
      at: r.at,
      topic: r.topic,
      siteId: r.site_id,
      packetId: r.packet_id,
      deviceId: r.device_id,
      reason: r.reason,
      message: r.message,
    }));
  }

  async withdraw(id: string, at: Date): Promise<boolean> {
    return (
      this.#db
        .prepare("UPDATE packets SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL AND phase != 'deleted'")
        .run(at.toISOString(), id).changes === 1
    );
  }

  async putCheckpoint(c: AuditCheckpoint): Promise<'stored' | 'duplicate' | 'conflict'> {
    return this.#db
      .transaction(() => {
        const same = this.#db
          .prepare('SELECT hash FROM checkpoints WHERE device_id = ? AND seq = ?')
          .get(c.deviceId, c.seq) as { hash: string } | undefined;
        if (same) return same.hash === c.hash ? 'duplicate' : 'conflict';
        const last = this.#db
          .prepare('SELECT MAX(seq) AS seq FROM checkpoints WHERE device_id = ?')
          .get(c.deviceId) as {
          seq: number | null;
        };
        if (last.seq !== null && c.seq < last.seq) return 'conflict';
        this.#db
          .prepare(
            'INSERT INTO checkpoints (device_id, seq, site_id, hash, at, received_at, jws) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(c.deviceId, c.seq, c.siteId, c.hash, c.at, c.receivedAt, c.jws ?? null);
        return 'stored' as const;
      })
      .immediate();
  }

  async checkpoints(deviceId: string): Promise<AuditCheckpoint[]> {
    return (
      this.#db.prepare('SELECT * FROM checkpoints WHERE device_id = ? ORDER BY seq').all(deviceId) as CheckpointRow[]
    ).map(toCheckpoint);
  }

  async putEnrolmentRequest(r: {
    requestId: string;
    siteId: string;
    receivedAt: string;
    request: Record<string, unknown>;
  }): Promise<'stored' | 'duplicate' | 'conflict'> {
    const doc = JSON.stringify(r.request);
    return this.#db
      .transaction(() => {
        const known = this.#db
          .prepare('SELECT request FROM enrolment_requests WHERE request_id = ?')
          .get(r.requestId) as { request: string } | undefined;
        if (known) return known.request === doc ? 'duplicate' : 'conflict';
        this.#db
          .prepare('INSERT INTO enrolment_requests (request_id, site_id, received_at, request) VALUES (?, ?, ?, ?)')
          .run(r.requestId, r.siteId, r.receivedAt, doc);
        return 'stored' as const;
      })
      .immediate();
  }

  async enrolmentRequest(requestId: string): Promise<EnrolmentRecord | undefined> {
    const r = this.#db.prepare('SELECT * FROM enrolment_requests WHERE request_id = ?').get(requestId) as
      | EnrolmentRow
      | undefined;
    return r && toEnrolment(r);
  }

  async enrolmentRequests(filter: { state?: EnrolmentState } = {}): Promise<EnrolmentRecord[]> {
    return (
      this.#db
        .prepare(
          'SELECT * FROM enrolment_requests WHERE (@state IS NULL OR state = @state) ORDER BY received_at, request_id',
        )
        .all({ state: filter.state ?? null }) as EnrolmentRow[]
    ).map(toEnrolment);
  }

  async decideEnrolment(
    requestId: string,
    d: { state: 'approved' | 'rejected'; at: string; reason?: string; response?: Record<string, unknown> },
  ): Promise<boolean> {
    return (
      this.#db
        .prepare(
          `UPDATE enrolment_requests SET state = ?, decided_at = ?, reason = ?, response = ?
           WHERE request_id = ? AND state = 'pending'`,
        )
        .run(d.state, d.at, d.reason?.slice(0, 500) ?? null, d.response ? JSON.stringify(d.response) : null, requestId)
        .changes === 1
    );
  }

  async sweep(now: Date): Promise<SweepResult> {
    return this.#db
      .transaction((): SweepResult => {
        const rows = (this.#db.prepare(RETENTION_ROWS_SQL).all() as RetentionRowRow[]).map(toRetentionRow);
        const { toAdminOnly, toDelete } = sweepActions(rows, now);
        const at = now.toISOString();
        const withdraw = this.#db.prepare("UPDATE packets SET phase = 'admin-only', admin_only_at = ? WHERE id = ?");
        for (const id of toAdminOnly) withdraw.run(at, id);
        const del = this.#db.prepare(
          "UPDATE packets SET phase = 'deleted', deleted_at = ?, manifest = NULL, raw = NULL WHERE id = ?",
        );
        for (const id of toDelete) del.run(at, id);
        const subjectsDeleted = this.#db.prepare(DELETE_SPENT_SUBJECTS_SQL.replace('$1', '?')).run(at).changes;
        if (subjectsDeleted > 0) this.#db.prepare(DELETE_SPENT_EXCLUSIONS_SQL).run();
        return { adminOnly: toAdminOnly.length, deleted: toDelete.length, subjectsDeleted };
      })
      .immediate();
  }

  async retentionRows(filter: { subjectRef?: string } = {}): Promise<RetentionRow[]> {
    const rows = filter.subjectRef
      ? this.#db.prepare(`${RETENTION_ROWS_SQL} AND l.subject_ref = ?`).all(filter.subjectRef)
      : this.#db.prepare(RETENTION_ROWS_SQL).all();
    return (rows as RetentionRowRow[]).map(toRetentionRow);
  }

  async createSubject(s: { ref: string; createdAt: string; createdBy: string } & SubjectFields): Promise<boolean> {
    return (
      this.#db
        .prepare(
          `INSERT INTO subjects (ref, created_at, created_by, name, alias, notes) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING`,
        )
        .run(s.ref, s.createdAt, s.createdBy, s.name ?? null, s.alias ?? null, s.notes ?? null).changes === 1
    );
  }

  #links(refs: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>(refs.map((r) => [r, []]));
    if (refs.length === 0) return out;
    const rows = this.#db
      .prepare(
        `SELECT l.subject_ref, l.packet_id FROM subject_links l JOIN packets p ON p.id = l.packet_id
         WHERE l.subject_ref IN (SELECT value FROM json_each(?)) ORDER BY p.received_at, p.id`,
      )
      .all(JSON.stringify(refs)) as { subject_ref: string; packet_id: string }[];
    for (const r of rows) out.get(r.subject_ref)?.push(r.packet_id);
    return out;
  }

  async subject(ref: string): Promise<SubjectRecord | undefined> {
    const r = this.#db.prepare('SELECT * FROM subjects WHERE ref = ?').get(ref) as SubjectRow | undefined;
    return r && toSubject(r, this.#links([ref]).get(ref) ?? []);
  }

  async subjects(filter: { status?: SubjectStatus; limit?: number } = {}): Promise<SubjectRecord[]> {
    const rows = this.#db
      .prepare(
        'SELECT * FROM subjects WHERE (@status IS NULL OR status = @status) ORDER BY created_at DESC, ref DESC LIMIT @limit',
      )
      .all({ status: filter.status ?? null, limit: filter.limit ?? 1000 }) as SubjectRow[];
    const links = this.#links(rows.map((r) => r.ref));
    return rows.map((r) => toSubject(r, links.get(r.ref) ?? []));
  }

  async updateSubject(ref: string, fields: SubjectFields): Promise<SubjectFields | undefined> {
    return this.#db
      .transaction((): SubjectFields | undefined => {
        const r = this.#db.prepare("SELECT * FROM subjects WHERE ref = ? AND status = 'active'").get(ref) as
          | SubjectRow
          | undefined;
        if (!r) return undefined;
        const before: SubjectFields = {};
        for (const k of ['name', 'alias', 'notes'] as const) {
          if (fields[k] === undefined) continue;
          before[k] = r[k];
          this.#db.prepare(`UPDATE subjects SET ${k} = ? WHERE ref = ?`).run(fields[k], ref);
        }
        return before;
      })
      .immediate();
  }

  async linkPacket(link: { packetId: string; subjectRef: string; at: string; by: string }): Promise<LinkResult> {
    return this.#db
      .transaction((): LinkResult => {
        const p = this.#db.prepare('SELECT phase FROM packets WHERE id = ?').get(link.packetId) as
          | { phase: string }
          | undefined;
        if (!p) return 'no-packet';
        if (p.phase === 'deleted') return 'deleted-packet';
        const s = this.#db.prepare('SELECT status FROM subjects WHERE ref = ?').get(link.subjectRef) as
          | { status: SubjectStatus }
          | undefined;
        if (!s) return 'no-subject';
        if (s.status !== 'active') return 'deleted-subject';
        const known = this.#db
          .prepare('SELECT subject_ref FROM subject_links WHERE packet_id = ?')
          .get(link.packetId) as { subject_ref: string } | undefined;
        if (known) return known.subject_ref === link.subjectRef ? 'already-linked' : 'linked-elsewhere';
        this.#db
          .prepare('INSERT INTO subject_links (packet_id, subject_ref, linked_at, linked_by) VALUES (?, ?, ?, ?)')
          .run(link.packetId, link.subjectRef, link.at, link.by);
        return 'linked';
      })
      .immediate();
  }

  async unlinkPacket(packetId: string, subjectRef: string): Promise<boolean> {
    return (
      this.#db
        .prepare(
          `DELETE FROM subject_links WHERE packet_id = ? AND subject_ref = ?
           AND EXISTS (SELECT 1 FROM packets p WHERE p.id = subject_links.packet_id AND p.phase <> 'deleted')`,
        )
        .run(packetId, subjectRef).changes === 1
    );
  }

  async addExclusion(e: Omit<ExclusionRecord, 'servedAt' | 'servedBy'>): Promise<boolean> {
    return this.#db
      .transaction(() => {
        const s = this.#db.prepare('SELECT status FROM subjects WHERE ref = ?').get(e.subjectRef) as
          | { status: string }
          | undefined;
        if (s?.status !== 'active') return false;
        return (
          this.#db
            .prepare(
              `INSERT INTO exclusions (${EXCLUSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            )
            .run(...exclusionValues(e)).changes === 1
        );
      })
      .immediate();
  }

  async exclusion(id: string): Promise<ExclusionRecord | undefined> {
    const r = this.#db.prepare('SELECT * FROM exclusions WHERE id = ?').get(id) as ExclusionRow | undefined;
    return r && toExclusion(r);
  }

  async exclusions(filter: { subjectRef?: string; activeAt?: Date } = {}): Promise<ExclusionRecord[]> {
    return (
      this.#db
        .prepare(
          `SELECT * FROM exclusions WHERE (@ref IS NULL OR subject_ref = @ref)
           AND (@at IS NULL OR (starts_at <= @at AND ends_at > @at)) ORDER BY starts_at DESC, id DESC`,
        )
        .all({ ref: filter.subjectRef ?? null, at: filter.activeAt?.toISOString() ?? null }) as ExclusionRow[]
    ).map(toExclusion);
  }

  async markExclusionServed(id: string, at: string, by: string): Promise<boolean> {
    return (
      this.#db
        .prepare('UPDATE exclusions SET served_at = ?, served_by = ? WHERE id = ? AND served_at IS NULL')
        .run(at, by, id).changes === 1
    );
  }

  async addUser(u: HubUser): Promise<boolean> {
    return (
      this.#db
        .prepare(
          'INSERT INTO hub_users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
        )
        .run(u.username, u.role, u.passwordHash, u.createdAt).changes === 1
    );
  }

  async user(username: string): Promise<HubUser | undefined> {
    const r = this.#db.prepare('SELECT * FROM hub_users WHERE username = ?').get(username) as HubUserRow | undefined;
    return r && toHubUser(r);
  }

  async users(): Promise<HubUser[]> {
    return (this.#db.prepare('SELECT * FROM hub_users ORDER BY username').all() as HubUserRow[]).map(toHubUser);
  }

  async removeUser(username: string): Promise<boolean> {
    return this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM hub_sessions WHERE username = ?').run(username);
      return this.#db.prepare('DELETE FROM hub_users WHERE username = ?').run(username).changes === 1;
    })();
  }

  async putSession(id: string, data: string, expiresAt: string): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO hub_sessions (id, username, data, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET username = excluded.username, data = excluded.data, expires_at = excluded.expires_at`,
      )
      .run(id, sessionUsername(data), data, expiresAt);
  }

  async getSession(id: string, now: Date): Promise<string | undefined> {
    const r = this.#db
      .prepare('SELECT data FROM hub_sessions WHERE id = ? AND expires_at > ?')
      .get(id, now.toISOString()) as { data: string } | undefined;
    return r?.data;
  }

  async deleteSession(id: string): Promise<void> {
    this.#db.prepare('DELETE FROM hub_sessions WHERE id = ?').run(id);
  }

  async pruneSessions(now: Date): Promise<number> {
    return this.#db.prepare('DELETE FROM hub_sessions WHERE expires_at <= ?').run(now.toISOString()).changes;
  }

  async appendAudit(event: AuditEvent, at: Date): Promise<AuditEntry> {
    return this.#db
      .transaction(() => {
        const prev = this.#db.prepare('SELECT seq, hash FROM hub_audit_log ORDER BY seq DESC LIMIT 1').get() as
          | { seq: number; hash: string }
          | undefined;
        const e = nextEntry(prev, at, event);
        this.#db
          .prepare(
            'INSERT INTO hub_audit_log (seq, time, actor, action, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(e.seq, e.time, e.actor, e.action, e.subject, JSON.stringify(e.details), e.prevHash, e.hash);
        this.#db
          .prepare(
            'INSERT INTO hub_audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
          )
          .run(e.seq, e.hash);
        return e;
      })
      .immediate();
  }

  async auditEntries(range: { afterSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    return (
      this.#db
        .prepare('SELECT * FROM hub_audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
        .all(range.afterSeq ?? 0, range.limit ?? 1000) as AuditRow[]
    ).map(toEntry);
  }

  async auditHead(): Promise<Pick<AuditEntry, 'seq' | 'hash'> | undefined> {
    return this.#db.prepare('SELECT seq, hash FROM hub_audit_head WHERE id = 1').get() as
      | { seq: number; hash: string }
      | undefined;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

// The reference hub's store in PostgreSQL, for several workers on several hosts: the same tables and rules as the
// SQLite store, its own recorded migrations (taken under an advisory lock, so workers starting together migrate
// once), and an insert that is idempotent on the packet id through the primary key, not through a read first.
import pg from 'pg';
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
import { scrubCredentials } from '../../core/secrets.js';
import type { Migration } from '../store/migrations/index.js';
import { type AuditRow, toEntry } from '../store/sqlite-audit-log.js';
import { Coalescer } from './coalesce.js';
import {
  type CheckpointRow,
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

// Times are ISO-8601 UTC text, as in the SQLite store, so ordering and round trips are identical in both.
export const PG_HUB_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'hub-initial',
    sql: `
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  public_key_pem TEXT NOT NULL,
  enrolled_at TEXT NOT NULL,
  revoked_at TEXT,
  revoked_reason TEXT
);
CREATE TABLE packets (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  digest TEXT NOT NULL,
  encrypted BOOLEAN NOT NULL,
  retention_class TEXT NOT NULL,
  manifest JSON,
  raw BYTEA,
  phase TEXT NOT NULL DEFAULT 'shared' CHECK (phase IN ('shared', 'admin-only', 'deleted')),
  withdrawn_at TEXT,
  deleted_at TEXT,
  duplicates INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX packets_site ON packets (site_id, received_at);
CREATE INDEX packets_live ON packets (phase) WHERE phase <> 'deleted';
CREATE TABLE checkpoints (
  device_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  site_id TEXT NOT NULL,
  hash TEXT NOT NULL,
  at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
);
CREATE TABLE rejections (
  n BIGSERIAL PRIMARY KEY,
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
  // Version 2 (device revocation) is part of version 1 here: this store was written after it.
  { version: 3, name: 'hub-page', sql: HUB_PAGE_SQL },
  // Enrolment requests are kept until one decision (approve or reject).
  { version: 4, name: 'hub-enrolment-requests', sql: ENROLMENT_REQUESTS_SQL },
  { version: 5, name: 'hub-checkpoint-jws', sql: CHECKPOINT_JWS_SQL },
  { version: 6, name: 'hub-subjects', sql: SUBJECTS_SQL },
  { version: 7, name: 'hub-exclusions', sql: EXCLUSIONS_SQL },
];

// Any constant: every process that migrates this database takes the same lock.
const MIGRATION_LOCK = 0x6263_7270;

export interface PgHubStoreOptions {
  /** libpq-style URL; may name a unix-socket directory with `?host=/dir`. Never logged (it may hold a password). */
  connectionString: string;
  /** Connections per worker process. */
  poolSize?: number;
}

export class PgHubStore implements HubStore {
  readonly #pool: pg.Pool;
  // The two statements of every packet (its device's registration, its insert), grouped across packets in flight.
  readonly #deviceReads = new Coalescer((ids: string[]) => this.#readDevices(ids), { maxStatements: 2, maxBatch: 100 });
  readonly #puts = new Coalescer((ps: NewStoredPacket[]) => this.#putMany(ps), { maxStatements: 2, maxBatch: 32 });

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects and applies missing migrations. */
  static async open(options: PgHubStoreOptions, clock: Clock): Promise<PgHubStore> {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
    });
    // An idle client losing its server (restart, failover) must not crash the worker; the next query reconnects.
    pool.on('error', () => undefined);
    const store = new PgHubStore(pool);
    try {
      await store.#migrate(clock);
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (e instanceof StoreError) throw e;
      throw new StoreError('hub-store-unavailable', `cannot open the PostgreSQL hub store: ${describe(e)}`);
    }
    return store;
  }

  async #migrate(clock: Clock): Promise<number[]> {
    return this.#tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query(
        'CREATE TABLE IF NOT EXISTS hub_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const have = Number(
        (await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM hub_schema_migrations')).rows[0]?.v ?? 0,
      );
      const known = Math.max(0, ...PG_HUB_MIGRATIONS.map((m) => m.version));
      if (have > known)
        throw new StoreError(
          'store-too-new',
          `the hub database was written by a newer bcrp-edge (schema version ${have}; this version knows up to ${known}); nothing was changed`,
        );
      // Every migration not recorded yet, not only those above the highest: 3 and 4 were made in parallel.
      const recorded = new Set(
        (await c.query<{ version: number }>('SELECT version FROM hub_schema_migrations')).rows.map((r) =>
          Number(r.version),
        ),
      );
      const applied: number[] = [];
      for (const m of [...PG_HUB_MIGRATIONS].sort((a, b) => a.version - b.version)) {
        if (recorded.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO hub_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          clock.now().toISOString(),
        ]);
        applied.push(m.version);
      }
      return applied;
    });
  }

  async #tx<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.#pool.connect();
    try {
      await c.query('BEGIN');
      const result = await work(c);
      await c.query('COMMIT');
      return result;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /**
   * `name` makes it a prepared statement (parsed and planned once per connection): only for statements whose
   * result columns a later migration cannot change.
   */
  async #q<R extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    name?: string,
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(name ? { name, text: sql, values: params } : { text: sql, values: params });
    } catch (e) {
      throw new StoreError('hub-store-failed', `hub store (PostgreSQL): ${describe(e)}`);
    }
  }

  async enrol(d: EnrolledDevice): Promise<void> {
    await this.#q(
      `INSERT INTO devices (device_id, site_id, public_key_pem, enrolled_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (device_id) DO UPDATE SET site_id = excluded.site_id, public_key_pem = excluded.public_key_pem`,
      [d.deviceId, d.siteId, d.publicKeyPem, d.enrolledAt],
    );
  }

  async device(deviceId: string): Promise<RegisteredDevice | undefined> {
    return this.#deviceReads.add(deviceId);
  }

  async #readDevices(ids: string[]): Promise<PromiseSettledResult<RegisteredDevice | undefined>[]> {
    const rows = await this.#q<Parameters<typeof toDevice>[0]>(
      'SELECT * FROM devices WHERE device_id = ANY($1::text[])',
      [ids],
    );
    const byId = new Map(rows.rows.map((r) => [r.device_id, toDevice(r)]));
    return ids.map((id) => ({ status: 'fulfilled', value: byId.get(id) }));
  }

  async devices(): Promise<RegisteredDevice[]> {
    return (
      await this.#q<Parameters<typeof toDevice>[0]>('SELECT * FROM devices ORDER BY site_id, device_id')
    ).rows.map(toDevice);
  }

  async revoke(deviceId: string, at: Date, reason: string): Promise<boolean> {
    const r = await this.#q(
      'UPDATE devices SET revoked_at = $1, revoked_reason = $2 WHERE device_id = $3 AND revoked_at IS NULL',
      [at.toISOString(), reason.slice(0, 500), deviceId],
    );
    return r.rowCount === 1;
  }

  async reinstate(deviceId: string): Promise<boolean> {
    const r = await this.#q(
      'UPDATE devices SET revoked_at = NULL, revoked_reason = NULL WHERE device_id = $1 AND revoked_at IS NOT NULL',
      [deviceId],
    );
    return r.rowCount === 1;
  }

  async put(p: NewStoredPacket): Promise<PutResult> {
    return this.#puts.add(p);
  }

  async #putMany(ps: NewStoredPacket[]): Promise<PromiseSettledResult<PutResult>[]> {
    // Rows are never removed (deletion leaves a tombstone) and a digest never changes, so two statements without
    // a transaction are race-free: exactly one concurrent insert wins, every other copy is counted or refused.
    let inserted: Set<string>;
    try {
      const rows = ps.map((_, i) => `(${Array.from({ length: 9 }, (_, j) => `$${i * 9 + j + 1}`).join(', ')})`);
      const result = await this.#q<{ id: string }>(
        `INSERT INTO packets (id, site_id, device_id, received_at, digest, encrypted, retention_class, manifest, raw)
         VALUES ${rows.join(', ')} ON CONFLICT (id) DO NOTHING RETURNING id`,
        ps.flatMap((p) => [
          p.id,
          p.siteId,
          p.deviceId,
          p.receivedAt,
          p.digest,
          p.encrypted,
          p.manifest.retentionClass,
          JSON.stringify(p.manifest),
          p.raw,
        ]),
        `hub-put-packets-${ps.length}`,
      );
      inserted = new Set(result.rows.map((r) => r.id));
    } catch (e) {
      if (ps.length === 1) return [{ status: 'rejected', reason: e }];
      // One packet the database refuses must not fail the others with it: each again on its own.
      return Promise.all(ps.map(async (p) => (await this.#putMany([p]))[0]!));
    }
    // The first copy of an id in the batch is the one inserted; later copies are resends like any other.
    return Promise.allSettled(
      ps.map(async (p): Promise<PutResult> => {
        if (inserted.delete(p.id)) return 'stored';
        const dup = await this.#q(
          'UPDATE packets SET duplicates = duplicates + 1 WHERE id = $1 AND digest = $2',
          [p.id, p.digest],
          'hub-count-duplicate',
        );
        return dup.rowCount === 1 ? 'duplicate' : 'conflict';
      }),
    );
  }

  async get(id: string): Promise<StoredPacket | undefined> {
    const r = (await this.#q<PacketRow>(`${PACKET_SELECT} WHERE p.id = $1`, [id])).rows[0];
    return r ? toPacket(r) : undefined;
  }

  async list(filter: { siteId?: string; includeRestricted?: boolean; limit?: number } = {}): Promise<StoredPacket[]> {
    const rows = await this.#q<PacketRow>(
      // A withdrawn packet is no longer shared, whatever the last sweep recorded.
      `${PACKET_SELECT} WHERE ($1::text IS NULL OR p.site_id = $1)
         AND ($2 OR (p.phase = 'shared' AND p.withdrawn_at IS NULL))
       ORDER BY p.received_at DESC, p.id DESC LIMIT $3`,
      [filter.siteId ?? null, filter.includeRestricted ?? false, filter.limit ?? 1000],
    );
    return rows.rows.map(toPacket);
  }

  async count(): Promise<number> {
    return Number((await this.#q<{ n: string }>('SELECT COUNT(*) AS n FROM packets')).rows[0]?.n ?? 0);
  }

  async recordRejection(r: Rejection): Promise<void> {
    await this.#q(
      'INSERT INTO rejections (at, topic, site_id, packet_id, device_id, reason, message) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [r.at, r.topic, r.siteId, r.packetId, r.deviceId, r.reason, r.message.slice(0, 500)],
    );
  }

  async rejections(limit = 100): Promise<Rejection[]> {
    const rows = await this.#q<{
      at: string;
      topic: string;
      site_id: string | null;
      packet_id: string | null;
      device_id: string | null;
      reason: string;
      message: string;
    }>('SELECT * FROM rejections ORDER BY n DESC LIMIT $1', [limit]);
    return rows.rows.map((r) => ({
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
    const r = await this.#q(
      "UPDATE packets SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL AND phase <> 'deleted'",
      [at.toISOString(), id],
    );
    return r.rowCount === 1;
  }

  async putCheckpoint(c: AuditCheckpoint): Promise<'stored' | 'duplicate' | 'conflict'> {
    return this.#tx(async (db) => {
      // One device's checkpoints are decided one at a time, whichever worker receives them.
      await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [c.deviceId]);
      const same = (
        await db.query<{ hash: string }>('SELECT hash FROM checkpoints WHERE device_id = $1 AND seq = $2', [
          c.deviceId,
          c.seq,
        ])
      ).rows[0];
      if (same) return same.hash === c.hash ? 'duplicate' : 'conflict';
      const last = (
        await db.query<{ seq: string | null }>('SELECT MAX(seq) AS seq FROM checkpoints WHERE device_id = $1', [
          c.deviceId,
        ])
      ).rows[0]?.seq;
      if (last !== null && last !== undefined && c.seq < Number(last)) return 'conflict';
      await db.query(
        'INSERT INTO checkpoints (device_id, seq, site_id, hash, at, received_at, jws) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [c.deviceId, c.seq, c.siteId, c.hash, c.at, c.receivedAt, c.jws ?? null],
      );
      return 'stored' as const;
    });
  }

  async checkpoints(deviceId: string): Promise<AuditCheckpoint[]> {
    const rows = await this.#q<CheckpointRow>('SELECT * FROM checkpoints WHERE device_id = $1 ORDER BY seq', [
      deviceId,
    ]);
    return rows.rows.map(toCheckpoint);
  }

  async putEnrolmentRequest(r: {
    requestId: string;
    siteId: string;
    receivedAt: string;
    request: Record<string, unknown>;
  }): Promise<'stored' | 'duplicate' | 'conflict'> {
    const doc = JSON.stringify(r.request);
    const inserted = await this.#q(
      `INSERT INTO enrolment_requests (request_id, site_id, received_at, request) VALUES ($1, $2, $3, $4)
       ON CONFLICT (request_id) DO NOTHING`,
      [r.requestId, r.siteId, r.receivedAt, doc],
    );
    if (inserted.rowCount === 1) return 'stored';
    const known = (
      await this.#q<{ request: string }>('SELECT request FROM enrolment_requests WHERE request_id = $1', [r.requestId])
    ).rows[0];
    return known?.request === doc ? 'duplicate' : 'conflict';
  }

  async enrolmentRequest(requestId: string): Promise<EnrolmentRecord | undefined> {
    const r = (await this.#q<EnrolmentRow>('SELECT * FROM enrolment_requests WHERE request_id = $1', [requestId]))
      .rows[0];
    return r && toEnrolment(r);
  }

  async enrolmentRequests(filter: { state?: EnrolmentState } = {}): Promise<EnrolmentRecord[]> {
    const rows = await this.#q<EnrolmentRow>(
      'SELECT * FROM enrolment_requests WHERE ($1::text IS NULL OR state = $1) ORDER BY received_at, request_id',
      [filter.state ?? null],
    );
    return rows.rows.map(toEnrolment);
  }

  async decideEnrolment(
    requestId: string,
    d: { state: 'approved' | 'rejected'; at: string; reason?: string; response?: Record<string, unknown> },
  ): Promise<boolean> {
    const r = await this.#q(
      `UPDATE enrolment_requests SET state = $1, decided_at = $2, reason = $3, response = $4
       WHERE request_id = $5 AND state = 'pending'`,
      [d.state, d.at, d.reason?.slice(0, 500) ?? null, d.response ? JSON.stringify(d.response) : null, requestId],
    );
    return r.rowCount === 1;
  }

  async sweep(now: Date): Promise<SweepResult> {
    return this.#tx(async (db) => {
      // Several workers sweep on their own timers; one at a time, the others then find nothing left to do.
      await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK + 1]);
      const rows = (await db.query<RetentionRowRow>(RETENTION_ROWS_SQL)).rows.map(toRetentionRow);
      const { toAdminOnly, toDelete } = sweepActions(rows, now);
      const at = now.toISOString();
      // One statement per kind of change, whatever the number of packets.
      if (toAdminOnly.length > 0)
        await db.query("UPDATE packets SET phase = 'admin-only', admin_only_at = $1 WHERE id = ANY($2::text[])", [
          at,
          toAdminOnly,
        ]);
      if (toDelete.length > 0)
        await db.query(
          "UPDATE packets SET phase = 'deleted', deleted_at = $1, manifest = NULL, raw = NULL WHERE id = ANY($2::text[])",
          [at, toDelete],
        );
      const subjectsDeleted = (await db.query(DELETE_SPENT_SUBJECTS_SQL, [at])).rowCount ?? 0;
      if (subjectsDeleted > 0) await db.query(DELETE_SPENT_EXCLUSIONS_SQL);
      return { adminOnly: toAdminOnly.length, deleted: toDelete.length, subjectsDeleted };
    });
  }

  async retentionRows(filter: { subjectRef?: string } = {}): Promise<RetentionRow[]> {
    const rows = filter.subjectRef
      ? await this.#q<RetentionRowRow>(`${RETENTION_ROWS_SQL} AND l.subject_ref = $1`, [filter.subjectRef])
      : await this.#q<RetentionRowRow>(RETENTION_ROWS_SQL);
    return rows.rows.map(toRetentionRow);
  }

  async createSubject(s: { ref: string; createdAt: string; createdBy: string } & SubjectFields): Promise<boolean> {
    const r = await this.#q(
      `INSERT INTO subjects (ref, created_at, created_by, name, alias, notes) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [s.ref, s.createdAt, s.createdBy, s.name ?? null, s.alias ?? null, s.notes ?? null],
    );
    return r.rowCount === 1;
  }

  async #links(refs: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(refs.map((r) => [r, []]));
    if (refs.length === 0) return out;
    const rows = await this.#q<{ subject_ref: string; packet_id: string }>(
      `SELECT l.subject_ref, l.packet_id FROM subject_links l JOIN packets p ON p.id = l.packet_id
       WHERE l.subject_ref = ANY($1::text[]) ORDER BY p.received_at, p.id`,
      [refs],
    );
    for (const r of rows.rows) out.get(r.subject_ref)?.push(r.packet_id);
    return out;
  }

  async subject(ref: string): Promise<SubjectRecord | undefined> {
    const r = (await this.#q<SubjectRow>('SELECT * FROM subjects WHERE ref = $1', [ref])).rows[0];
    return r && toSubject(r, (await this.#links([ref])).get(ref) ?? []);
  }

  async subjects(filter: { status?: SubjectStatus; limit?: number } = {}): Promise<SubjectRecord[]> {
    const rows = (
      await this.#q<SubjectRow>(
        'SELECT * FROM subjects WHERE ($1::text IS NULL OR status = $1) ORDER BY created_at DESC, ref DESC LIMIT $2',
        [filter.status ?? null, filter.limit ?? 1000],
      )
    ).rows;
    const links = await this.#links(rows.map((r) => r.ref));
    return rows.map((r) => toSubject(r, links.get(r.ref) ?? []));
  }

  async updateSubject(ref: string, fields: SubjectFields): Promise<SubjectFields | undefined> {
    return this.#tx(async (db) => {
      const r = (
        await db.query<SubjectRow>("SELECT * FROM subjects WHERE ref = $1 AND status = 'active' FOR UPDATE", [ref])
      ).rows[0];
      if (!r) return undefined;
      const before: SubjectFields = {};
      for (const k of ['name', 'alias', 'notes'] as const) {
        if (fields[k] === undefined) continue;
        before[k] = r[k];
        await db.query(`UPDATE subjects SET ${k} = $1 WHERE ref = $2`, [fields[k], ref]);
      }
      return before;
    });
  }

  async linkPacket(link: { packetId: string; subjectRef: string; at: string; by: string }): Promise<LinkResult> {
    return this.#tx(async (db): Promise<LinkResult> => {
      // The packet row is locked so a sweep deleting it and this link are decided one after the other.
      const p = (
        await db.query<{ phase: string }>('SELECT phase FROM packets WHERE id = $1 FOR UPDATE', [link.packetId])
      ).rows[0];
      if (!p) return 'no-packet';
      if (p.phase === 'deleted') return 'deleted-packet';
      const s = (
        await db.query<{ status: SubjectStatus }>('SELECT status FROM subjects WHERE ref = $1 FOR SHARE', [
          link.subjectRef,
        ])
      ).rows[0];
      if (!s) return 'no-subject';
      if (s.status !== 'active') return 'deleted-subject';
      const inserted = await db.query(
        `INSERT INTO subject_links (packet_id, subject_ref, linked_at, linked_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (packet_id) DO NOTHING`,
        [link.packetId, link.subjectRef, link.at, link.by],
      );
      if (inserted.rowCount === 1) return 'linked';
      const known = (
        await db.query<{ subject_ref: string }>('SELECT subject_ref FROM subject_links WHERE packet_id = $1', [
          link.packetId,
        ])
      ).rows[0];
      return known?.subject_ref === link.subjectRef ? 'already-linked' : 'linked-elsewhere';
    });
  }

  async unlinkPacket(packetId: string, subjectRef: string): Promise<boolean> {
    const r = await this.#q(
      `DELETE FROM subject_links WHERE packet_id = $1 AND subject_ref = $2
       AND EXISTS (SELECT 1 FROM packets p WHERE p.id = subject_links.packet_id AND p.phase <> 'deleted')`,
      [packetId, subjectRef],
    );
    return r.rowCount === 1;
  }

  async addExclusion(e: Omit<ExclusionRecord, 'servedAt' | 'servedBy'>): Promise<boolean> {
    // Only for a subject still active: the insert reads it in the same statement.
    const r = await this.#q(
      `INSERT INTO exclusions (${EXCLUSION_COLUMNS})
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM subjects WHERE ref = $2 AND status = 'active'
       ON CONFLICT DO NOTHING`,
      [...exclusionValues(e)],
    );
    return r.rowCount === 1;
  }

  async exclusion(id: string): Promise<ExclusionRecord | undefined> {
    const r = (await this.#q<ExclusionRow>('SELECT * FROM exclusions WHERE id = $1', [id])).rows[0];
    return r && toExclusion(r);
  }

  async exclusions(filter: { subjectRef?: string; activeAt?: Date } = {}): Promise<ExclusionRecord[]> {
    const rows = await this.#q<ExclusionRow>(
      `SELECT * FROM exclusions WHERE ($1::text IS NULL OR subject_ref = $1)
       AND ($2::text IS NULL OR (starts_at <= $2 AND ends_at > $2)) ORDER BY starts_at DESC, id DESC`,
      [filter.subjectRef ?? null, filter.activeAt?.toISOString() ?? null],
    );
    return rows.rows.map(toExclusion);
  }

  async markExclusionServed(id: string, at: string, by: string): Promise<boolean> {
    const r = await this.#q(
      'UPDATE exclusions SET served_at = $1, served_by = $2 WHERE id = $3 AND served_at IS NULL',
      [at, by, id],
    );
    return r.rowCount === 1;
  }

  async addUser(u: HubUser): Promise<boolean> {
    const r = await this.#q(
      'INSERT INTO hub_users (username, role, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [u.username, u.role, u.passwordHash, u.createdAt],
    );
    return r.rowCount === 1;
  }

  async user(username: string): Promise<HubUser | undefined> {
    const r = (await this.#q<HubUserRow>('SELECT * FROM hub_users WHERE username = $1', [username])).rows[0];
    return r && toHubUser(r);
  }

  async users(): Promise<HubUser[]> {
    return (await this.#q<HubUserRow>('SELECT * FROM hub_users ORDER BY username')).rows.map(toHubUser);
  }

  async removeUser(username: string): Promise<boolean> {
    return this.#tx(async (db) => {
      await db.query('DELETE FROM hub_sessions WHERE username = $1', [username]);
      return (await db.query('DELETE FROM hub_users WHERE username = $1', [username])).rowCount === 1;
    });
  }

  async putSession(id: string, data: string, expiresAt: string): Promise<void> {
    await this.#q(
      `INSERT INTO hub_sessions (id, username, data, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET username = excluded.username, data = excluded.data, expires_at = excluded.expires_at`,
      [id, sessionUsername(data), data, expiresAt],
    );
  }

  async getSession(id: string, now: Date): Promise<string | undefined> {
    return (
      await this.#q<{ data: string }>('SELECT data FROM hub_sessions WHERE id = $1 AND expires_at > $2', [
        id,
        now.toISOString(),
      ])
    ).rows[0]?.data;
  }

  async deleteSession(id: string): Promise<void> {
    await this.#q('DELETE FROM hub_sessions WHERE id = $1', [id]);
  }

  async pruneSessions(now: Date): Promise<number> {
    return (await this.#q('DELETE FROM hub_sessions WHERE expires_at <= $1', [now.toISOString()])).rowCount ?? 0;
  }

  async appendAudit(event: AuditEvent, at: Date): Promise<AuditEntry> {
    try {
      return await this.#tx(async (db) => {
        // Every worker appends to one chain: one append at a time, each linking to the head it read under the lock.
        await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK + 2]);
        const prev = (
          await db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM hub_audit_head WHERE id = 1')
        ).rows[0];
        const e = nextEntry(prev, at, event);
        await db.query(
          'INSERT INTO hub_audit_log (seq, time, actor, action, subject, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [e.seq, e.time, e.actor, e.action, e.subject, JSON.stringify(e.details), e.prevHash, e.hash],
        );
        await db.query(
          'INSERT INTO hub_audit_head (id, seq, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
          [e.seq, e.hash],
        );
        return e;
      });
    } catch (e) {
      throw new StoreError('hub-store-failed', `hub store (PostgreSQL): ${describe(e)}`);
    }
  }

  async auditEntries(range: { afterSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    return (
      await this.#q<AuditRow>('SELECT * FROM hub_audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
        range.afterSeq ?? 0,
        range.limit ?? 1000,
      ])
    ).rows.map(toEntry);
  }

  async auditHead(): Promise<Pick<AuditEntry, 'seq' | 'hash'> | undefined> {
    return (await this.#q<{ seq: number; hash: string }>('SELECT seq, hash FROM hub_audit_head WHERE id = 1')).rows[0];
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

// pg's messages never contain the password, but a connection string might appear in one: scrub anyway.
const describe = (e: unknown): string => scrubCredentials((e as Error)?.message ?? String(e));

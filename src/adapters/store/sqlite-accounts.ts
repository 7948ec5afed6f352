// Web accounts in the users table (scrypt hashes, node:crypto), the failed-login throttle and the web session
// store. Wrong user and wrong password take the same time and give the same answer.

import { AppError } from '../../core/errors.js';
import {
  DEFAULT_COST,
  hashPassword,
  isPasswordHash,
  MIN_PASSWORD_LENGTH,
  type ScryptCost,
  verifyPassword,
} from '../../core/password-hash.js';
import type { Account, Accounts, LoginThrottle, Role } from '../../core/ports/accounts.js';
import { ROLES } from '../../core/ports/accounts.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Db } from './sqlite-store.js';

/** scrypt cost: N=2^15, r=8, p=1 (about 32 MiB and tens of ms per check on a Pi 4); the format is shared with
 * `bcrp-edge provision` (src/core/password-hash.ts) so the first manager it creates can sign in. */
const COST: ScryptCost = DEFAULT_COST;

export { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword };

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,31}$/;

interface UserRow {
  username: string;
  password_hash: string;
  role: Role;
  created_at: string;
  disabled_at: string | null;
}

const toAccount = (r: UserRow): Account => ({
  username: r.username,
  role: r.role,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
});

export class SqliteAccounts implements Accounts {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #cost: typeof COST;
  /** Checked when the user does not exist, so that a wrong name costs as much as a wrong password. */
  #dummyHash: Promise<string> | undefined;

  constructor(db: Db, clock: Clock, options: { cost?: typeof COST } = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#cost = options.cost ?? COST;
  }

  async authenticate(username: string, password: string): Promise<Account | undefined> {
    const row = this.#db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    if (!row) {
      this.#dummyHash ??= hashPassword('not-a-password', this.#cost);
      await verifyPassword(password, await this.#dummyHash);
      return undefined;
    }
    const ok = await verifyPassword(password, row.password_hash);
    return ok && row.disabled_at === null ? toAccount(row) : undefined;
  }

  async create(account: { username: string; role: Role; password: string }): Promise<Account> {
    if (!USERNAME_PATTERN.test(account.username)) {
      throw new AppError(
        'bad-username',
        'a user name is 2–32 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit',
      );
    }
    if (!ROLES.includes(account.role)) throw new AppError('bad-role', `role must be one of ${ROLES.join(', ')}`);
    if (account.password.length < MIN_PASSWORD_LENGTH) {
      throw new AppError('weak-password', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const hash = await hashPassword(account.password, this.#cost);
    const now = this.#clock.now().toISOString();
    try {
      this.#db
        .prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)')
        .run(account.username, hash, account.role, now);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new AppError('user-exists', `there is already a user called ${account.username}`);
      }
      throw e;
    }
    return { username: account.username, role: account.role, createdAt: now, disabledAt: null };
  }

  /** Adds an account whose scrypt hash was made elsewhere (the users file); existing accounts are left alone. */
  importHashed(account: { username: string; role: Role; passwordHash: string }): boolean {
    if (!USERNAME_PATTERN.test(account.username)) {
      throw new AppError('bad-username', `${account.username}: not a valid user name`);
    }
    if (!ROLES.includes(account.role))
      throw new AppError('bad-role', `${account.username}: role must be one of ${ROLES.join(', ')}`);
    if (!isPasswordHash(account.passwordHash)) {
      throw new AppError('bad-hash', `${account.username}: the password hash is not a scrypt hash made by bcrp-edge`);
    }
    const r = this.#db
      .prepare('INSERT OR IGNORE INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)')
      .run(account.username, account.passwordHash, account.role, this.#clock.now().toISOString());
    return r.changes === 1;
  }

  get(username: string): Account | undefined {
    const row = this.#db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row ? toAccount(row) : undefined;
  }

  list(): Account[] {
    return (this.#db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toAccount);
  }

  disable(username: string): void {
    this.#db
      .prepare('UPDATE users SET disabled_at = ? WHERE username = ? AND disabled_at IS NULL')
      .run(this.#clock.now().toISOString(), username);
  }
}

export interface ThrottlePolicy {
  /** Failures allowed before the first lockout. */
  freeFailures: number;
  /** First lockout; each further failure doubles it. */
  baseLockMs: number;
  maxLockMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  freeFailures: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/** How long a key is locked after its `failures`-th failure in a row: nothing at first, then doubling to a cap. */
export function lockoutMs(failures: number, policy: ThrottlePolicy): number {
  const over = failures - policy.freeFailures;
  return over > 0 ? Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** (over - 1)) : 0;
}

export class SqliteLoginThrottle implements LoginThrottle {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #policy: ThrottlePolicy;

  constructor(db: Db, clock: Clock, policy: ThrottlePolicy = DEFAULT_THROTTLE) {
    this.#db = db;
    this.#clock = clock;
    this.#policy = policy;
  }

  retryAfterMs(key: string): number {
    const row = this.#db.prepare('SELECT locked_until FROM login_throttle WHERE key = ?').get(key) as
      | { locked_until: string | null }
      | undefined;
    if (!row?.locked_until) return 0;
    return Math.max(0, new Date(row.locked_until).getTime() - this.#clock.now().getTime());
  }

  failed(key: string): { lockedMs: number; failures: number } {
    const now = this.#clock.now();
    const row = this.#db.prepare('SELECT failures, last_failure_at FROM login_throttle WHERE key = ?').get(key) as
      | { failures: number; last_failure_at: string }
      | undefined;
    const stale = row && now.getTime() - new Date(row.last_failure_at).getTime() > this.#policy.forgetAfterMs;
    const failures = (row && !stale ? row.failures : 0) + 1;
    const lockedMs = lockoutMs(failures, this.#policy);
    const lockedUntil = lockedMs > 0 ? new Date(now.getTime() + lockedMs).toISOString() : null;
    this.#db
      .prepare(
        `INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
         locked_until = excluded.locked_until`,
      )
      .run(key, failures, now.toISOString(), lockedUntil);
    return { lockedMs, failures };
  }

  succeeded(key: string): void {
    this.#db.prepare('DELETE FROM login_throttle WHERE key = ?').run(key);
  }
}

type Callback<T = void> = (err?: Error | null, value?: T) => void;

/** A session store for @fastify/session backed by the web_sessions table. */
export class SqliteSessionStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  set(id: string, session: { cookie?: { expires?: Date | string | null } }, callback: Callback): void {
    try {
      const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(8.64e15);
      this.#db
        .prepare(
          'INSERT INTO web_sessions (id, data, expires_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at',
        )
        .run(id, JSON.stringify(session), expires.toISOString());
      callback(null);
    } catch (e) {
      callback(e as Error);
    }
  }

  get(id: string, callback: Callback<unknown>): void {
    try {
      const row = this.#db.prepare('SELECT data, expires_at FROM web_sessions WHERE id = ?').get(id) as
        | { data: string; expires_at: string }
        | undefined;
      if (!row || row.expires_at <= this.#clock.now().toISOString()) {
        callback(null, null);
        return;
      }
      callback(null, JSON.parse(row.data));
    } catch (e) {
      callback(e as Error);
    }
  }

  destroy(id: string, callback: Callback): void {
    try {
      this.#db.prepare('DELETE FROM web_sessions WHERE id = ?').run(id);
      callback(null);
    } catch (e) {
      callback(e as Error);
    }
  }

  /** Removes expired sessions; returns how many. */
  prune(): number {
    return this.#db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?').run(this.#clock.now().toISOString())
      .changes;
  }
}

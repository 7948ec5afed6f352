// Accounts, the login throttle and the session store in SQLite.
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  SqliteAccounts,
  SqliteLoginThrottle,
  SqliteSessionStore,
  verifyPassword,
} from '../../src/adapters/store/sqlite-accounts.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { tempDir } from '../support/tmp.js';

const COST = { ln: 10, r: 8, p: 1 };

function store() {
  const clock = new FixedClock('2026-11-23T10:00:00Z');
  const db = openDatabase(tempDir('bcrp-acc-'), { clock });
  return { clock, db };
}

describe('password hashes', () => {
  it('are salted scrypt strings that verify only the right password', async () => {
    const a = await hashPassword('correct horse', COST);
    const b = await hashPassword('correct horse', COST);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });
});

describe('SqliteAccounts', () => {
  it('creates, authenticates and disables accounts; the hash never leaves', async () => {
    const { db, clock } = store();
    const acc = new SqliteAccounts(db, clock, { cost: COST });
    const created = await acc.create({ username: 'sam', role: 'staff', password: 'long-enough-pw' });
    expect(created).toEqual({ username: 'sam', role: 'staff', createdAt: clock.now().toISOString(), disabledAt: null });
    expect(JSON.stringify(acc.list())).not.toContain('scrypt');
    expect(await acc.authenticate('sam', 'long-enough-pw')).toMatchObject({ username: 'sam', role: 'staff' });
    expect(await acc.authenticate('sam', 'wrong')).toBeUndefined();
    expect(await acc.authenticate('nobody', 'long-enough-pw')).toBeUndefined();
    acc.disable('sam');
    expect(await acc.authenticate('sam', 'long-enough-pw')).toBeUndefined();
  });

  it('refuses bad names, short passwords, unknown roles and duplicates with clear messages', async () => {
    const { db, clock } = store();
    const acc = new SqliteAccounts(db, clock, { cost: COST });
    await expect(acc.create({ username: 'Bad Name', role: 'staff', password: 'long-enough-pw' })).rejects.toThrow(
      /user name/,
    );
    await expect(acc.create({ username: 'ok', role: 'staff', password: 'short' })).rejects.toThrow(/at least 12/);
    // The same minimum as provision's first manager: 11 characters is refused in both.
    await expect(acc.create({ username: 'ok', role: 'staff', password: 'eleven-char' })).rejects.toThrow(/at least 12/);
    // @ts-expect-error an unknown role from outside the type system
    await expect(acc.create({ username: 'ok', role: 'admin', password: 'long-enough-pw' })).rejects.toThrow(/role/);
    await acc.create({ username: 'ok', role: 'staff', password: 'long-enough-pw' });
    await expect(acc.create({ username: 'ok', role: 'staff', password: 'long-enough-pw' })).rejects.toThrow(/already/);
  });
});

describe('SqliteLoginThrottle', () => {
  it('locks after the free failures with a doubling, capped back-off, and forgets on success', () => {
    const { db, clock } = store();
    const t = new SqliteLoginThrottle(db, clock, {
      freeFailures: 2,
      baseLockMs: 1000,
      maxLockMs: 5000,
      forgetAfterMs: 60_000,
    });
    expect(t.failed('k').lockedMs).toBe(0);
    expect(t.failed('k').lockedMs).toBe(0);
    expect(t.retryAfterMs('k')).toBe(0);
    expect(t.failed('k').lockedMs).toBe(1000);
    expect(t.retryAfterMs('k')).toBe(1000);
    expect(t.failed('k').lockedMs).toBe(2000);
    expect(t.failed('k').lockedMs).toBe(4000);
    expect(t.failed('k').lockedMs).toBe(5000);
    clock.advance(5000);
    expect(t.retryAfterMs('k')).toBe(0);
    t.succeeded('k');
    expect(t.failed('k').failures).toBe(1);
    expect(t.retryAfterMs('other')).toBe(0);
  });

  it('forgets old failures', () => {
    const { db, clock } = store();
    const t = new SqliteLoginThrottle(db, clock, {
      freeFailures: 1,
      baseLockMs: 1000,
      maxLockMs: 5000,
      forgetAfterMs: 60_000,
    });
    t.failed('k');
    clock.advance(120_000);
    expect(t.failed('k')).toEqual({ lockedMs: 0, failures: 1 });
  });
});

describe('SqliteSessionStore', () => {
  it('stores, expires and destroys sessions', async () => {
    const { db, clock } = store();
    const s = new SqliteSessionStore(db, clock);
    const call = <T>(fn: (cb: (err?: Error | null, v?: T) => void) => void) =>
      new Promise<T | undefined>((res, rej) => fn((e, v) => (e ? rej(e) : res(v))));
    const expires = new Date(clock.now().getTime() + 3600_000);
    await call((cb) => s.set('a', { cookie: { expires }, user: { username: 'sam' } } as never, cb));
    expect(await call((cb) => s.get('a', cb))).toMatchObject({ user: { username: 'sam' } });
    clock.advance(3600_001);
    expect(await call((cb) => s.get('a', cb))).toBeNull();
    expect(s.prune()).toBe(1);
    await call((cb) => s.set('b', { cookie: { expires: new Date(clock.now().getTime() + 1000) } } as never, cb));
    await call((cb) => s.destroy('b', cb));
    expect(await call((cb) => s.get('b', cb))).toBeNull();
  });
});

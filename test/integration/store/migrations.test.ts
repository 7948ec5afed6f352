import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../src/adapters/store/migrations/index.js';
import { DB_FILE, migrate, openDatabase, schemaVersion } from '../../../src/adapters/store/sqlite-store.js';
import { StoreError } from '../../../src/core/errors.js';
import { FixedClock } from '../../../src/core/ports/clock.js';
import { runCli } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

const clock = new FixedClock('2026-11-23T09:00:00Z');

describe('store migrations', () => {
  it('creates every table on a new data dir and records each migration', () => {
    const dir = tempDir();
    const db = openDatabase(dir, { clock });
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
    ).map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'incidents',
        'stills',
        'file_keys',
        'outbox',
        'audit_log',
        'audit_head',
        'users',
        'holds',
        'schema_migrations',
      ]),
    );
    const recorded = db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
    expect(recorded).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: '2026-11-23T09:00:00.000Z' })),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    db.close();
  });

  it('applies only the new migrations to an existing store and keeps its data', () => {
    const dir = tempDir();
    const db = openDatabase(dir, { clock });
    db.prepare(
      "INSERT INTO users (username, password_hash, role, created_at) VALUES ('amy', 'x', 'staff', 'now')",
    ).run();
    const extra = { version: 999, name: 'test-extra', sql: 'CREATE TABLE extra (x INTEGER);' };
    expect(migrate(db, [...MIGRATIONS, extra], clock)).toEqual([999]);
    expect(migrate(db, [...MIGRATIONS, extra], clock)).toEqual([]);
    expect(schemaVersion(db)).toBe(999);
    expect(db.prepare('SELECT username FROM users').all()).toEqual([{ username: 'amy' }]);
    db.close();
  });

  it('rolls back a migration that fails, leaving the store as it was', () => {
    const dir = tempDir();
    const db = openDatabase(dir, { clock });
    const before = schemaVersion(db);
    const broken = { version: 500, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); THIS IS NOT SQL;' };
    expect(() => migrate(db, [...MIGRATIONS, broken], clock)).toThrow();
    expect(schemaVersion(db)).toBe(before);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it('refuses to start on a store written by a newer version, changing nothing', async () => {
    const dir = tempDir();
    openDatabase(dir, { clock }).close();
    const raw = new Database(join(dir, DB_FILE));
    raw
      .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from-the-future', 'x')")
      .run();
    raw.close();
    let err: unknown;
    try {
      openDatabase(dir, { clock });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('store-too-new');
    expect((err as StoreError).message).toMatch(
      /newer bcrp-edge \(schema version 9999; this version knows up to \d+\)/,
    );
    const r = await runCli(['audit', 'verify', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('written by a newer bcrp-edge');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('says plainly when there is no store in the data dir', async () => {
    const r = await runCli(['audit', 'verify', '--data-dir', join(tempDir(), 'missing')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot open the store at .*: no database there/);
  });
});

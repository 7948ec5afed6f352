// Opens the appliance's SQLite database: WAL journal, synchronous=FULL (the audit chain and the outbox must
// survive a power cut), secure_delete on, foreign keys on, and numbered migrations applied at start-up. A database written by a
// newer version of the code is refused rather than half-understood.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export type Db = Database.Database;

export const DB_FILE = 'bcrp-edge.sqlite';

export interface OpenOptions {
  clock: Clock;
  migrations?: readonly Migration[];
  readonly?: boolean;
}

export function openDatabase(dataDir: string, options: OpenOptions): Db {
  const file = join(dataDir, DB_FILE);
  if (options.readonly && !existsSync(file)) {
    throw new StoreError(
      'store-unavailable',
      `cannot open the store at ${file}: no database there (run the service once, or check --data-dir)`,
    );
  }
  let db: Db;
  try {
    if (!options.readonly) mkdirSync(dataDir, { recursive: true, mode: 0o750 });
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'SQLITE_CANTOPEN' || code === 'ENOENT'
        ? 'no database there (run the service once, or check --data-dir)'
        : (e as Error).message;
    throw new StoreError('store-unavailable', `cannot open the store at ${file}: ${why}`, { cause: e });
  }
  try {
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Deleted rows (wrapped file keys, review drafts, packets) are overwritten with zeros, not left in free pages
    // where a copy of the file would still hold them. The WAL holds old pages until the next checkpoint.
    db.pragma('secure_delete = ON');
    if (!options.readonly) migrate(db, options.migrations ?? MIGRATIONS, options.clock);
    else checkNotNewer(db, options.migrations ?? MIGRATIONS);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

function currentVersion(db: Db): number {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!has) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

function checkNotNewer(db: Db, migrations: readonly Migration[]): void {
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const have = currentVersion(db);
  if (have > known) {
    throw new StoreError(
      'store-too-new',
      `the store was written by a newer bcrp-edge (schema version ${have}; this version knows up to ${known}). Install the newer version again, or restore a backup made by this one; nothing was changed.`,
    );
  }
}

/**
 * Applies every migration the database has not recorded, in version order, each in its own transaction. Not only
 * those above the highest recorded: numbers are handed out to parallel changes (the hub store's 3 and 4), and a
 * store that got 4 first must still get 3 when it arrives.
 */
export function migrate(db: Db, migrations: readonly Migration[], clock: Clock): number[] {
  db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  checkNotNewer(db, migrations);
  const recorded = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const applied: number[] = [];
  for (const m of sorted) {
    if (recorded.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        clock.now().toISOString(),
      );
    })();
    applied.push(m.version);
  }
  return applied;
}

export function schemaVersion(db: Db): number {
  return currentVersion(db);
}

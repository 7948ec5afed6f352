// Opens the appliance's state for commands that inspect it without the running service (audit, retention, …).
import type { SqliteAuditLog } from '../adapters/store/sqlite-audit-log.js';
import { type Db, openDatabase } from '../adapters/store/sqlite-store.js';
import { dataDir } from '../config/load.js';
import { type Clock, systemClock } from '../core/ports/clock.js';
import { CliAuditLog, cliOrigin } from './cli-audit.js';

export interface State {
  dir: string;
  db: Db;
  audit: SqliteAuditLog;
  close(): void;
}

export function openState(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  options: { readonly?: boolean; clock?: Clock } = {},
): State {
  const dir = dataDir(flag, env);
  const clock = options.clock ?? systemClock;
  const db = openDatabase(dir, { clock, readonly: options.readonly ?? false });
  return { dir, db, audit: new CliAuditLog(db, clock, cliOrigin(env)), close: () => db.close() };
}

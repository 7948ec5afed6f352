// Builds the running appliance from its configuration: the store, the audit chain, the encrypted file store, the
// event bus and the lifecycle with every module in start order. Builds only; `run` starts it.
import { EncryptedFiles } from '../adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../adapters/store/sqlite-audit-log.js';
import { SqliteConfigHistory } from '../adapters/store/sqlite-config-history.js';
import { type Db, openDatabase } from '../adapters/store/sqlite-store.js';
import type { LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { type Clock, systemClock } from '../core/ports/clock.js';
import { type IdSource, uuidV7Source } from '../core/ports/ids.js';
import type { Logger } from '../observability/logger.js';
import { auditConfigChange } from '../services/config-audit.js';
import { EventBus } from './event-bus.js';
import { Lifecycle } from './lifecycle.js';

export interface AppDeps {
  loaded: LoadedConfig;
  dataDir: string;
  log: Logger;
  clock?: Clock;
  ids?: IdSource;
}

export interface App {
  config: Config;
  secrets: LoadedConfig['secrets'];
  dataDir: string;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  db: Db;
  audit: SqliteAuditLog;
  files: EncryptedFiles;
  bus: EventBus;
  lifecycle: Lifecycle;
}

export function createApp(deps: AppDeps): App {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? uuidV7Source(clock);
  const log = deps.log;
  const db = openDatabase(deps.dataDir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, deps.dataDir, { clock, ids });
  const bus = new EventBus(log);
  const lifecycle = new Lifecycle(log, (name, error) => {
    const message = error instanceof Error ? error.message : String(error);
    audit.append({ actor: 'system', action: 'module-failed', subject: name, details: { error: message } });
    bus.emit('module-failed', { module: name, error: message });
  });

  lifecycle.add({
    name: 'store',
    critical: true,
    start: async () => {
      audit.append({
        actor: 'system',
        action: 'service-start',
        subject: deps.loaded.config.site.id,
        details: { pid: process.pid },
      });
      // A configuration edited by hand (a model switched, a camera added) since the last record is audited here.
      auditConfigChange({ audit, history: new SqliteConfigHistory(db) }, deps.loaded.config, {
        actor: 'system',
        reason: 'configuration at start-up differs from the last recorded one',
        subject: deps.loaded.config.site.id,
      });
    },
    stop: async () => {
      audit.append({ actor: 'system', action: 'service-stop', subject: deps.loaded.config.site.id, details: {} });
      db.close();
    },
  });

  return {
    config: deps.loaded.config,
    secrets: deps.loaded.secrets,
    dataDir: deps.dataDir,
    clock,
    ids,
    log,
    db,
    audit,
    files,
    bus,
    lifecycle,
  };
}

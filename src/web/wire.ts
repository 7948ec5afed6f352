// The web's dependencies that need only the foundation (store, audit chain, config): accounts, login throttle,
// sessions, holds, audit queries, metrics, the session secret and the metrics token. Whoever wires the appliance
// adds the service ports (incidents, review, approvals, SAR, status, installer checks) and passes the lot to
// webModule().
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { SqliteAccounts, SqliteLoginThrottle, SqliteSessionStore } from '../adapters/store/sqlite-accounts.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteLanguageChoices } from '../adapters/store/sqlite-language-choices.js';
import type { App } from '../app/create-app.js';
import { AppError, ConfigError } from '../core/errors.js';
import { ROLES, type Role } from '../core/ports/accounts.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { AuditChainQueries } from '../services/audit-queries.js';
import { HoldService } from '../services/holds/holds.js';
import type { WebDeps } from './deps.js';
import { loadOrCreateSessionSecret } from './server.js';

export type FoundationWebDeps = Pick<
  WebDeps,
  | 'site'
  | 'clock'
  | 'log'
  | 'audit'
  | 'accounts'
  | 'throttle'
  | 'sessionStore'
  | 'sessionSecret'
  | 'sessionHours'
  | 'fourEyes'
  | 'holds'
  | 'auditQueries'
  | 'metrics'
  | 'metricsToken'
  | 'languages'
> & { accounts: SqliteAccounts; sessionStore: SqliteSessionStore };

/** `metrics` should be the one registry the other modules update too (captures, redaction timings, publish/ack). */
export function foundationWebDeps(app: App, metrics: Metrics = createMetrics()): FoundationWebDeps {
  const web = app.config.web;
  let metricsToken: string | undefined;
  if (web.metricsTokenFile) {
    try {
      metricsToken = readFileSync(web.metricsTokenFile, 'utf8').trim();
    } catch (e) {
      throw new ConfigError(app.config.web.metricsTokenFile ?? 'config', [
        {
          path: '/web/metricsTokenFile',
          message: `cannot read the metrics token file (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        },
      ]);
    }
    if (metricsToken.length < 16) {
      throw new ConfigError('config', [
        { path: '/web/metricsTokenFile', message: 'the metrics token must be at least 16 characters' },
      ]);
    }
  }
  const accounts = new SqliteAccounts(app.db, app.clock);
  if (app.config.users.file) importUsersFile(accounts, app.config.users.file);
  return {
    site: { id: app.config.site.id, name: app.config.site.name ?? app.config.site.id },
    clock: app.clock,
    log: app.log,
    audit: app.audit,
    accounts,
    throttle: new SqliteLoginThrottle(app.db, app.clock),
    sessionStore: new SqliteSessionStore(app.db, app.clock),
    sessionSecret: loadOrCreateSessionSecret(app.dataDir),
    sessionHours: web.sessionHours,
    fourEyes: web.fourEyes,
    holds: new HoldService({ holds: new SqliteHolds(app.db), audit: app.audit, clock: app.clock, ids: app.ids }),
    auditQueries: new AuditChainQueries(app.audit),
    metrics,
    metricsToken,
    languages: new SqliteLanguageChoices(app.db),
  };
}

/**
 * Imports the users file (YAML list of {username, role, passwordHash}) named by users.file. Accounts that exist
 * already are left as they are, so a password changed on the appliance is not reset at the next start.
 */
export function importUsersFile(accounts: SqliteAccounts, file: string): number {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AppError('users-file', `${file}: cannot read the users file: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(doc))
    throw new AppError('users-file', `${file}: expected a list of {username, role, passwordHash}`);
  let added = 0;
  doc.forEach((u: unknown, i) => {
    const o = (u ?? {}) as Record<string, unknown>;
    if (typeof o['username'] !== 'string' || typeof o['passwordHash'] !== 'string' || typeof o['role'] !== 'string') {
      throw new AppError('users-file', `${file}: entry ${i + 1} needs username, role and passwordHash`);
    }
    if (!(ROLES as readonly string[]).includes(o['role'])) {
      throw new AppError('users-file', `${file}: entry ${i + 1} has role ${o['role']}; use one of ${ROLES.join(', ')}`);
    }
    if (accounts.importHashed({ username: o['username'], role: o['role'] as Role, passwordHash: o['passwordHash'] }))
      added++;
  });
  return added;
}

// Serves the hub page over HTTPS from a hub configuration's `web:` section, on a store the caller opened (the
// receiver's, in `hub run`), with expired sessions pruned hourly.

import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '../../core/errors.js';
import type { ScryptCost } from '../../core/password-hash.js';
import type { Clock } from '../../core/ports/clock.js';
import type { HubStore } from '../../core/ports/hub-store.js';
import type { Logger } from '../../observability/logger.js';
import { listenHttps, loadOrCreateSecretFile, type RunningWebServer } from '../../web/server.js';
import type { HubConfig } from '../config.js';
import { HubAccounts } from '../hub-accounts.js';
import { HubAudit } from '../hub-audit.js';
import { HubGallery } from '../hub-gallery.js';
import { HubPackets } from '../hub-packets.js';
import { HubSubjects } from '../hub-subjects.js';
import { buildHubWebApp, type HubWebDeps } from './app.js';
import { MemoryLoginThrottle } from './memory-throttle.js';
import { HubSessionStore } from './session-store.js';

export type HubWebConfig = NonNullable<HubConfig['web']>;

/** The hub page's deps over one store: accounts, audit chain, packets, sessions all in it. */
export function hubWebDeps(o: {
  store: HubStore;
  clock: Clock;
  log: Logger;
  web: Pick<HubWebConfig, 'name' | 'sessionHours'>;
  sessionSecret: string;
  encryptionKey?: KeyObject | undefined;
  maxPacketBytes?: number;
  /** Cheaper scrypt for tests; production keeps the default. */
  scryptCost?: ScryptCost;
  loginRateLimit?: { max: number; timeWindowMs: number };
  /** The scheme lets members see names and aliases (hub config scheme.membersSeeNames). */
  membersSeeNames?: boolean;
}): HubWebDeps {
  return {
    name: o.web.name,
    clock: o.clock,
    log: o.log,
    accounts: new HubAccounts(o.store, o.clock, o.scryptCost ? { cost: o.scryptCost } : {}),
    audit: new HubAudit(o.store, o.clock),
    packets: new HubPackets({
      store: o.store,
      clock: o.clock,
      encryptionKey: o.encryptionKey,
      maxPacketBytes: o.maxPacketBytes,
    }),
    gallery: new HubGallery({ store: o.store, clock: o.clock, membersSeeNames: o.membersSeeNames ?? false }),
    subjects: new HubSubjects(o.store, o.clock),
    throttle: new MemoryLoginThrottle(o.clock),
    sessionStore: new HubSessionStore(o.store),
    sessionSecret: o.sessionSecret,
    sessionHours: o.web.sessionHours,
    ...(o.loginRateLimit ? { loginRateLimit: o.loginRateLimit } : {}),
  };
}

function readTls(web: HubWebConfig): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(web.tlsCert), key: readFileSync(web.tlsKey) };
  } catch (e) {
    throw new AppError(
      'hub-web-tls',
      `cannot read the hub page's TLS certificate or key (web.tlsCert, web.tlsKey): ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
}

export async function startHubWeb(
  config: HubConfig & { web: HubWebConfig },
  o: { store: HubStore; clock: Clock; log: Logger; encryptionKey?: KeyObject | undefined },
): Promise<RunningWebServer> {
  const web = config.web;
  const deps = hubWebDeps({
    ...o,
    web,
    sessionSecret: loadOrCreateSecretFile(web.sessionSecretFile),
    maxPacketBytes: config.maxPacketBytes,
    membersSeeNames: config.scheme?.membersSeeNames ?? false,
  });
  const server = await listenHttps((https) => buildHubWebApp(deps, { https }), {
    bind: web.bind,
    port: web.port,
    tls: readTls(web),
  });
  const pruner = setInterval(() => {
    o.store.pruneSessions(o.clock.now()).catch((e: unknown) => o.log.warn({ err: e }, 'could not prune hub sessions'));
  }, 3600_000);
  pruner.unref();
  return {
    ...server,
    async close() {
      clearInterval(pruner);
      await server.close();
    },
  };
}

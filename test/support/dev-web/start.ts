// Starts the web UI over the dev fixtures on loopback with a throwaway certificate and one account per role
// (tests only; the product's demo is src/demo/).
import { join } from 'node:path';
import type { Role } from '../../../src/core/ports/accounts.js';
import { seedDemoUsers } from '../../../src/demo/seed-users.js';
import { throwawayCertificate } from '../../../src/demo/throwaway-certificate.js';
import type { Logger } from '../../../src/observability/logger.js';
import { type RunningWebServer, startWebServer } from '../../../src/web/server.js';
import { createDevWeb, type DevWeb } from './index.js';

export interface DevWebServer {
  url: string;
  /** Only when the accounts were created by this start (print once, never log). */
  users: { username: string; role: Role; password: string }[];
  dev: DevWeb;
  close(): Promise<void>;
}

export async function startDevWebServer(o: {
  dataDir: string;
  log: Logger;
  bind?: string;
  port?: number;
  fourEyes?: boolean;
  stepMs?: number;
  metricsToken?: string;
}): Promise<DevWebServer> {
  const tls = throwawayCertificate(join(o.dataDir, 'tls'));
  const dev = createDevWeb({
    dataDir: o.dataDir,
    log: o.log,
    certificatePath: tls.certPath,
    ...(o.fourEyes === undefined ? {} : { fourEyes: o.fourEyes }),
    ...(o.stepMs === undefined ? {} : { stepMs: o.stepMs }),
    ...(o.metricsToken === undefined ? {} : { metricsToken: o.metricsToken }),
  });
  const users = dev.accounts.list().length === 0 ? await seedDemoUsers(dev.accounts) : [];
  let server: RunningWebServer;
  try {
    server = await startWebServer(dev.deps, { bind: o.bind ?? '127.0.0.1', port: o.port ?? 0, tls });
  } catch (e) {
    dev.close();
    throw e;
  }
  return {
    url: server.url,
    users,
    dev,
    async close() {
      await server.close();
      dev.close();
    },
  };
}

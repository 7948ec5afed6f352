// Starts the web UI over the dev fixtures on loopback with a throwaway certificate and one account per role:
// the piece `bcrp-edge demo` can call until the real capture, redaction and packet services are wired in.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSelfSignedSync } from '../../adapters/pki/openssl.js';
import type { Role } from '../../core/ports/accounts.js';
import type { Logger } from '../../observability/logger.js';
import { type RunningWebServer, startWebServer } from '../server.js';
import { createDevWeb, type DevWeb, seedDemoUsers } from './index.js';

/** A self-signed certificate for 127.0.0.1 made with openssl (Debian's), kept in dir for the next start. */
export function throwawayCertificate(dir: string): { cert: Buffer; key: Buffer; certPath: string } {
  const certPath = join(dir, 'web.crt');
  const keyPath = join(dir, 'web.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    makeSelfSignedSync({
      certFile: certPath,
      keyFile: keyPath,
      subject: '/CN=bcrp-edge demo',
      names: ['127.0.0.1', 'localhost'],
      days: 30,
    });
  }
  return { cert: readFileSync(certPath), key: readFileSync(keyPath), certPath };
}

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

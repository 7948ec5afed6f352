// Helpers for the web tests: a dev web stack over a temp data dir, inject() that looks like HTTPS (so the secure
// session cookie is set), cookie-jar sign-in, and a throwaway self-signed certificate made with openssl.

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/core/ports/accounts.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { throwawayCertificate } from '../../src/demo/throwaway-certificate.js';
import { silentLogger } from '../../src/observability/logger.js';
import { buildWebApp } from '../../src/web/app.js';
import { createDevWeb, type DevWeb, type DevWebOptions } from '../support/dev-web/index.js';

export const PASSWORDS: Record<Role, string> = {
  staff: 'staff-password-1',
  manager: 'manager-password-1',
  installer: 'installer-password-1',
  auditor: 'auditor-password-1',
};

/** Cheap scrypt for tests; production uses N=2^15. */
export const TEST_SCRYPT = { ln: 10, r: 8, p: 1 };

export async function devWeb(dataDir: string, options: Partial<DevWebOptions> = {}): Promise<DevWeb> {
  const dev = createDevWeb({
    dataDir,
    log: silentLogger(),
    stepMs: 5,
    scryptCost: TEST_SCRYPT,
    metricsToken: 'metrics-token-for-tests',
    // Many sign-ins from one address in a test file; the rate limit has its own test.
    loginRateLimit: { max: 1000, timeWindowMs: 60_000 },
    ...options,
  });
  for (const role of Object.keys(PASSWORDS) as Role[]) {
    await dev.accounts.create({ username: role, role, password: PASSWORDS[role] });
  }
  return dev;
}

/** The app as inject() sees it, with requests marked as arriving over TLS (as they do in production). */
export function injectableApp(dev: DevWeb): FastifyInstance {
  const app = buildWebApp(dev.deps);
  app.addHook('onRequest', async (request) => {
    (request.raw.socket as { encrypted?: boolean }).encrypted = true;
  });
  return app;
}

export class Client {
  cookie = '';
  csrf = '';
  constructor(
    readonly app: FastifyInstance,
    readonly host = 'appliance.test',
  ) {}

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const h: Record<string, string> = { host: this.host, ...headers };
    if (this.cookie) h['cookie'] = this.cookie;
    if (method !== 'GET' && this.csrf && !('csrf-token' in headers)) h['csrf-token'] = this.csrf;
    const res = await this.app.inject({
      method,
      url,
      headers: h,
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      if (/^bcrp_(hub_)?session=/.test(c)) this.cookie = c.split(';')[0] ?? '';
    }
    return res;
  }

  async login(role: Role, password = PASSWORDS[role]): Promise<LightMyRequestResponse> {
    return this.signIn(role, password);
  }

  /** Signs in any account (the hub page's too) and keeps its CSRF token. */
  async signIn(username: string, password: string): Promise<LightMyRequestResponse> {
    const res = await this.request('POST', '/api/login', { username, password });
    if (res.statusCode === 200) this.csrf = res.json<{ csrfToken: string }>().csrfToken;
    return res;
  }
}

/** The web UI's own throwaway certificate for 127.0.0.1 (the one the demo uses). */
export const selfSignedCert = throwawayCertificate;

export const fixedClock = () => new FixedClock('2026-11-23T14:00:00.000Z');

export async function waitUntil(predicate: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

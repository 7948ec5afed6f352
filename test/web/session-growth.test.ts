// Anonymous requests store no session: 1,000 of them (the sign-in page, the session probe, a page that redirects
// to sign-in, a missing page, wrong passwords) leave `web_sessions` — and the hub page's `hub_sessions` — as they
// were. The sign-in page and the session probe are rate-limited per address, and the sign-in form's CSRF token
// (a cookie, not a session) and Origin checks hold.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHubWebApp } from '../../src/hub/web/app.js';
import { MemoryLoginThrottle } from '../../src/hub/web/memory-throttle.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { HUB_USERS, type HubPageFixture, hubPageFixture } from '../support/hub-page.js';
import { tempDir } from '../support/tmp.js';
import { devWeb, injectableApp, PASSWORDS } from './support.js';

const ANONYMOUS = [
  { method: 'GET', url: '/login' },
  { method: 'GET', url: '/api/session' },
  { method: 'GET', url: '/login?next=/incidents' },
  { method: 'GET', url: '/capture' },
  { method: 'GET', url: '/no-such-page' },
  { method: 'HEAD', url: '/api/session' },
  { method: 'POST', url: '/api/login', payload: { username: 'staff', password: 'not-the-password' } },
  { method: 'POST', url: '/logout' },
] as const;

async function flood(app: FastifyInstance, host: string, n: number): Promise<number[]> {
  const statuses = new Set<number>();
  for (let i = 0; i < n; i++) {
    const r = ANONYMOUS[i % ANONYMOUS.length]!;
    const res = await app.inject({
      method: r.method,
      url: r.url,
      headers: { host, ...(r.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...('payload' in r ? { payload: r.payload } : {}),
    });
    statuses.add(res.statusCode);
  }
  return [...statuses].sort();
}

function withTls(app: FastifyInstance): FastifyInstance {
  app.addHook('onRequest', async (request) => {
    (request.raw.socket as { encrypted?: boolean }).encrypted = true;
  });
  return app;
}

describe('appliance: anonymous requests store no session', () => {
  let dev: DevWeb;
  let app: FastifyInstance;
  // The throttle for wrong passwords would lock quickly; this test is about the session table.
  beforeAll(async () => {
    dev = await devWeb(join(tempDir('bcrp-session-growth-'), 'data'), {
      throttle: { freeFailures: 10_000, baseLockMs: 1, maxLockMs: 1, forgetAfterMs: 1 },
    });
    app = injectableApp(dev);
  });
  afterAll(async () => {
    await app?.close();
    dev?.close();
  });
  const rows = () => (dev.db.prepare('SELECT count(*) AS n FROM web_sessions').get() as { n: number }).n;

  it('1,000 anonymous requests leave web_sessions as it was', async () => {
    const before = rows();
    const statuses = await flood(app, 'appliance.test', 1000);
    expect(statuses).toEqual(expect.arrayContaining([200, 303, 401, 404]));
    expect(rows()).toBe(before);
    // A real sign-in still stores exactly one.
    const res = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { host: 'appliance.test' },
      payload: { username: 'staff', password: PASSWORDS.staff },
    });
    expect(res.statusCode).toBe(200);
    expect(rows()).toBe(before + 1);
  });

  it('the sign-in form needs its own token (from the cookie GET /login set) and a same-site Origin', async () => {
    const page = await app.inject({ method: 'GET', url: '/login', headers: { host: 'appliance.test' } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    expect(cookie).toMatch(/^bcrp_login=/);
    const post = (headers: Record<string, string>, csrf = token) =>
      app.inject({
        method: 'POST',
        url: '/login',
        headers: { host: 'appliance.test', 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: `username=staff&password=${PASSWORDS.staff}&_csrf=${csrf}`,
      });
    const noCookie = await post({});
    expect(noCookie.statusCode).toBe(403);
    expect(noCookie.body).toContain('sign-in page had expired');
    expect((await post({ cookie }, 'x'.repeat(token.length))).statusCode).toBe(403);
    expect((await post({ cookie, origin: 'null' })).statusCode).toBe(403);
    expect((await post({ cookie, origin: 'https://elsewhere.test' })).statusCode).toBe(403);
    const ok = await post({ cookie, origin: 'https://appliance.test' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/capture');
  });

  it('POST /api/login with Origin: null is refused as foreign', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { host: 'appliance.test', origin: 'null' },
      payload: { username: 'staff', password: PASSWORDS.staff },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('appliance: the sign-in page and session probe are rate-limited', () => {
  it('answers 429 after the per-address allowance, in words', async () => {
    const dev = await devWeb(join(tempDir('bcrp-session-limit-'), 'data'), {
      loginRateLimit: { max: 5, timeWindowMs: 60_000 },
    });
    const app = injectableApp(dev);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 70; i++) {
        statuses.push(
          (await app.inject({ method: 'GET', url: '/api/session', headers: { host: 'a.test' } })).statusCode,
        );
      }
      expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
      const page = await app.inject({ method: 'GET', url: '/login', headers: { host: 'a.test' } });
      expect(page.statusCode).toBe(200); // its own allowance
    } finally {
      await app.close();
      dev.close();
    }
  });
});

describe('hub page: anonymous requests store no session', () => {
  let fx: HubPageFixture;
  let app: FastifyInstance;
  beforeAll(async () => {
    fx = await hubPageFixture(tempDir('bcrp-hub-session-growth-'));
    app = withTls(
      buildHubWebApp({
        ...fx.deps,
        loginRateLimit: { max: 1000, timeWindowMs: 60_000 },
        // Wrong passwords would lock the address; this test is about the session table.
        throttle: new MemoryLoginThrottle(fx.clock, {
          freeFailures: 10_000,
          baseLockMs: 1,
          maxLockMs: 1,
          forgetAfterMs: 1,
        }),
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await fx?.store.close();
  });

  it('1,000 anonymous requests leave hub_sessions as it was', async () => {
    const rows = () => {
      const db = new Database(fx.config.store as string, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM hub_sessions').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const before = rows();
    await flood(app, 'hub.test', 1000);
    expect(rows()).toBe(before);
    const res = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { host: 'hub.test' },
      payload: { username: HUB_USERS.member.username, password: HUB_USERS.member.password },
    });
    expect(res.statusCode).toBe(200);
    expect(rows()).toBe(before + 1);
  });
});

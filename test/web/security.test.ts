// Security properties over EVERY route the app registers (enumerated from fastify, so new routes are covered
// automatically): nothing but sign-in, health, metrics (its own token) and static assets answers without a
// session; the role matrix holds for each route and role; every state change needs the CSRF token; the session
// id changes at sign-in (no fixation).
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/ports/accounts.js';
import { PERMISSIONS, type Permission } from '../../src/web/roles.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { collectRoutes, fill, type RouteInfo } from './routes.js';
import { Client, devWeb, injectableApp } from './support.js';

const ROLES: Role[] = ['staff', 'manager', 'installer', 'auditor'];
/** The only routes that answer without a session. Adding one here is a security decision: say why in review. */
const PUBLIC = new Set([
  'GET /login',
  'HEAD /login',
  'POST /login',
  'POST /api/login',
  'GET /api/session', // says whether the caller is signed in, and nothing else
  'HEAD /api/session',
  'GET /healthz',
  'HEAD /healthz',
  'GET /metrics', // bearer token checked by the route
  'HEAD /metrics',
  'GET /assets/*',
  'HEAD /assets/*',
  // The language switch: sets the browser's language cookie; an account's own choice changes only with its session.
  'GET /language',
  'HEAD /language',
  'GET /i18n/:file', // the page scripts' words in English or Welsh: the public catalogue, nothing else
  'HEAD /i18n/:file',
  'GET /docs/static/*', // swagger UI's own CSS and scripts; the page and the OpenAPI JSON need a session
  'HEAD /docs/static/*',
]);
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let dev: DevWeb;
let app: FastifyInstance;
let routes: RouteInfo[];
const clients = {} as Record<Role, Client>;
const key = (r: RouteInfo) => `${r.method} ${r.url}`;

beforeAll(async () => {
  dev = await devWeb(join(tempDir('bcrp-web-sec-'), 'data'));
  app = injectableApp(dev);
  routes = collectRoutes(app);
  await app.ready();
  for (const r of ROLES) {
    clients[r] = new Client(app);
    expect((await clients[r].login(r)).statusCode).toBe(200);
  }
});
afterAll(async () => {
  await app.close();
  dev.close();
});

async function anonymous(r: RouteInfo, headers: Record<string, string> = {}) {
  return app.inject({
    method: r.method as 'GET',
    url: fill(r.url, r.url.startsWith('/docs') ? { '*': 'swagger-ui.css' } : {}),
    headers: { host: 'appliance.test', ...headers },
    ...(STATE_CHANGING.has(r.method) ? { payload: {} } : {}),
  });
}

describe('routes reachable without a session', () => {
  it('enumerates a plausible route table (so the checks below are not vacuous)', () => {
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.filter((r) => r.permission).length).toBeGreaterThan(40);
  });

  it('every route outside the public list refuses an anonymous caller: 401 for the API, sign-in for pages', async () => {
    const open: string[] = [];
    for (const r of routes) {
      if (PUBLIC.has(key(r))) continue;
      const res = await anonymous(r);
      const refused =
        res.statusCode === 401 || (res.statusCode === 303 && String(res.headers.location).startsWith('/login'));
      if (!refused) open.push(`${key(r)} → ${res.statusCode}`);
    }
    expect(open).toEqual([]);
  });

  it('a route without a permission or signedIn is public only if it is on the list', () => {
    const unguarded = routes
      .filter((r) => !r.permission && !r.signedIn && !r.url.startsWith('/docs'))
      .map(key)
      .filter((k) => !PUBLIC.has(k));
    expect(unguarded).toEqual([]);
  });

  it('a forged or stale session cookie is treated as no session', async () => {
    const r = routes.find((x) => x.url === '/api/incidents' && x.method === 'GET')!;
    for (const cookie of ['bcrp_session=forged', 'bcrp_session=abc.def', `bcrp_session=${'A'.repeat(5000)}`]) {
      expect((await anonymous(r, { cookie })).statusCode).toBe(401);
    }
  });
});

describe('the role matrix on every guarded route', () => {
  it('each role is refused (403) exactly where the matrix says and admitted elsewhere', async () => {
    const wrong: string[] = [];
    for (const r of routes.filter((x) => x.permission || x.signedIn)) {
      if (r.url === '/api/logout' || r.url === '/logout') continue; // would end the client's session
      if (r.url.endsWith('/events')) continue; // an event stream for a real id stays open; 404 here anyway
      for (const role of ROLES) {
        const allowed = r.permission
          ? (PERMISSIONS[r.permission as Permission] as readonly Role[]).includes(role)
          : true;
        const res = await clients[role].request(
          r.method as 'GET',
          fill(r.url),
          STATE_CHANGING.has(r.method) ? {} : undefined,
        );
        const refused = res.statusCode === 403 && (r.method === 'HEAD' || /role does not allow/.test(res.body));
        if (allowed === refused || res.statusCode === 401 || res.statusCode >= 500)
          wrong.push(
            `${key(r)} as ${role}: ${res.statusCode} (${allowed ? 'should be allowed' : 'should be refused'})`,
          );
      }
    }
    expect(wrong).toEqual([]);
  });

  it('covers every permission in the matrix with at least one route', () => {
    const used = new Set(routes.map((r) => r.permission).filter(Boolean));
    expect([...Object.keys(PERMISSIONS)].filter((p) => !used.has(p))).toEqual([]);
  });
});

describe('CSRF on every state-changing route', () => {
  it('refuses each without the token (403, the expired-page message), for a role that may use it', async () => {
    const missed: string[] = [];
    for (const r of routes.filter((x) => STATE_CHANGING.has(x.method) && x.csrf !== false)) {
      const role = r.permission ? (PERMISSIONS[r.permission as Permission][0] as Role) : 'manager';
      for (const token of ['', 'forged-token']) {
        const res = await clients[role].request(r.method as 'POST', fill(r.url), {}, { 'csrf-token': token });
        if (res.statusCode !== 403 || !/expired or the request did not come from it/.test(res.body))
          missed.push(`${key(r)} as ${role} with '${token}': ${res.statusCode}`);
      }
    }
    expect(missed).toEqual([]);
  });

  it('only the sign-in routes are exempt', () => {
    expect(
      routes
        .filter((r) => r.csrf === false)
        .map(key)
        .sort(),
    ).toEqual(['POST /api/login', 'POST /login']);
  });
});

describe('session fixation', () => {
  it('no session exists before sign-in, and one held when signing in again is replaced and ends', async () => {
    const c = new Client(app);
    await c.request('GET', '/login');
    expect(c.cookie, 'the sign-in page stores no session').toBe('');
    expect((await c.login('staff')).statusCode).toBe(200);
    const before = c.cookie;
    expect(before).toMatch(/^bcrp_session=/);
    // Signing in over a session (a shared tablet, or one planted by someone else) gets a new id.
    expect((await c.login('manager')).statusCode).toBe(200);
    expect(c.cookie).not.toBe(before);
    const planted = await app.inject({
      method: 'GET',
      url: '/api/incidents',
      headers: { host: 'appliance.test', cookie: before },
    });
    expect(planted.statusCode).toBe(401);
  });
});

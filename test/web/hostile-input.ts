// Hostile input on every web route (enumerated from fastify), split over two test files (API routes, pages and
// the rest) so each stays under ~20 s on a 2-core machine: FUZZ_RUNS requests in all with traversal and junk in path
// parameters, odd query strings, random JSON, oversized bodies and wrong content types, each sent by a role the
// route admits (with its CSRF token, so the input reaches the handler). No 5xx, a JSON error naming the problem
// for API routes, no stack trace and no secret (passwords, session secret, metrics token, key material) in any
// response.
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/ports/accounts.js';
import { PERMISSIONS, type Permission } from '../../src/web/roles.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { allowFuzzTime, FUZZ_RUNS, fuzzParams, hostileJson, nastyString } from '../support/fuzz.js';
import { tempDir } from '../support/tmp.js';
import { collectRoutes, fill, type RouteInfo } from './routes.js';
import { Client, devWeb, injectableApp, PASSWORDS } from './support.js';

const ROLES: Role[] = ['staff', 'manager', 'installer', 'auditor'];
/** Declares the suite for the routes `pick` selects; each of the two files runs FUZZ_RUNS / 2 cases. */
export function hostileInputSuite(part: string, pick: (r: RouteInfo) => boolean, extra: boolean): void {
  allowFuzzTime();
  let dev: DevWeb;
  let app: FastifyInstance;
  let routes: RouteInfo[];
  const clients = {} as Record<Role, Client>;
  let secrets: string[];

  beforeAll(async () => {
    dev = await devWeb(join(tempDir('bcrp-web-hostile-'), 'data'));
    app = injectableApp(dev);
    routes = collectRoutes(app);
    await app.ready();
    for (const r of ROLES) {
      clients[r] = new Client(app);
      await clients[r].login(r);
    }
    secrets = [...Object.values(PASSWORDS), 'metrics-token-for-tests', String(dev.deps.sessionSecret)];
  });
  afterAll(async () => {
    await app.close();
    dev.close();
  });

  const body = fc.oneof(
    hostileJson.map((v) => ({ payload: JSON.stringify(v), type: 'application/json' })),
    fc.constantFrom('{"a":', '[]', 'null', '"str"', '1e999', '{"__proto__":{"admin":true}}').map((p) => ({
      payload: p,
      type: 'application/json',
    })),
    fc.string({ maxLength: 100 }).map((p) => ({ payload: p, type: 'text/plain' })),
    fc.string({ maxLength: 100 }).map((p) => ({ payload: p, type: 'application/x-www-form-urlencoded' })),
    fc
      .constantFrom(
        'application/xml',
        'multipart/form-data; boundary=x',
        'image/jpeg',
        'application/json; charset=utf-16',
      )
      .map((type) => ({ payload: '<a>&lt;</a>', type })),
    // Over the 256 KiB body limit.
    fc.constant({ payload: `{"a":"${'x'.repeat(300 * 1024)}"}`, type: 'application/json' }),
  );

  describe(`hostile input on every route (${part})`, () => {
    it(`${FUZZ_RUNS / 2} hostile requests: no 5xx, a clear error, no secret and no stack in any response`, async () => {
      const targets = routes.filter(
        (r) =>
          r.method !== 'HEAD' &&
          !r.url.endsWith('/logout') && // would end the session the cases run in
          !r.url.endsWith('/events') && // a stream; its 404 for unknown ids is covered by the role matrix
          !r.url.startsWith('/docs') &&
          pick(r),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: targets.length - 1 }),
          fc.dictionary(fc.constantFrom('id', 'stillId', 'index', 'camera', 'holdId', '*'), nastyString),
          fc.option(fc.dictionary(nastyString, nastyString, { maxKeys: 3 }), { nil: undefined }),
          body,
          async (i, params, query, b) => {
            const r = targets[i]!;
            const role = r.permission ? (PERMISSIONS[r.permission as Permission][0] as Role) : 'manager';
            const c = clients[role];
            const qs = query ? `?${new URLSearchParams(query).toString()}` : '';
            const withBody = r.method !== 'GET';
            const res = await app.inject({
              method: r.method as 'GET',
              url: fill(r.url, params) + qs,
              headers: {
                host: 'appliance.test',
                cookie: c.cookie,
                'csrf-token': c.csrf,
                ...(withBody ? { 'content-type': b.type } : {}),
              },
              ...(withBody ? { payload: b.payload } : {}),
            });
            const where = `${r.method} ${r.url} → ${res.statusCode}: ${res.body.slice(0, 200)}`;
            expect(res.statusCode, where).toBeLessThan(500);
            const text = res.body;
            for (const s of secrets) expect(text.includes(s), `${where} contains a secret`).toBe(false);
            expect(text, where).not.toMatch(/PRIVATE KEY|\n\s+at .*\.(ts|js):\d+/);
            if (res.statusCode >= 400 && r.url.startsWith('/api/')) {
              expect(res.json<{ error: string }>().error.length, where).toBeGreaterThan(0);
            }
          },
        ),
        fuzzParams(FUZZ_RUNS / 2),
      );
    });

    if (!extra) return;
    it('path traversal through static assets never leaves the assets folder', async () => {
      for (const p of ['../../package.json', '..%2f..%2fpackage.json', '%2e%2e/%2e%2e/package.json', '....//config']) {
        const res = await app.inject({ method: 'GET', url: `/assets/${p}`, headers: { host: 'appliance.test' } });
        expect(res.statusCode, p).toBeGreaterThanOrEqual(400);
        expect(res.body).not.toContain('"dependencies"');
      }
    });

    it('an oversized body gets 413 with a message, before any handler runs', async () => {
      const big = await app.inject({
        method: 'POST',
        url: '/api/login',
        headers: { host: 'appliance.test', 'content-type': 'application/json' },
        payload: `{"username":"${'x'.repeat(300 * 1024)}","password":"p"}`,
      });
      expect(big.statusCode).toBe(413);
      expect(big.json<{ error: string }>().error).toMatch(/large|limit/i);
    });
  });
}

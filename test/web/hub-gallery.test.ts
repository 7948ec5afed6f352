// The hub page's gallery and subject pages over a store filled by the receiver (test/support/hub-page.ts): two
// shared reports linked to one subject (a further report while shared, so an exclusion may be recorded), an
// administrator-only report linked to another. Members see only what is shared now, never names (unless the scheme
// enables them); administrators see names, exclusions and who viewed the subject's images.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubExclusions, schemeRules } from '../../src/hub/hub-exclusions.js';
import { HubSubjects } from '../../src/hub/hub-subjects.js';
import { buildHubWebApp } from '../../src/hub/web/app.js';
import { hubWebDeps } from '../../src/hub/web/server.js';
import { silentLogger } from '../../src/observability/logger.js';
import { HUB_TEST_SCRYPT, HUB_USERS, type HubPageFixture, hubPageFixture, PACKETS } from '../support/hub-page.js';
import { tempDir } from '../support/tmp.js';
import { Client } from './support.js';

let fx: HubPageFixture;
let app: FastifyInstance;
let withNames: FastifyInstance;
let pair = '';
let old = '';
let exclusionId = '';

const build = (membersSeeNames: boolean) => {
  const a = buildHubWebApp(
    hubWebDeps({
      store: fx.store,
      clock: fx.clock,
      log: silentLogger(),
      web: { name: 'Test BCRP', sessionHours: 8 },
      sessionSecret: 'x'.repeat(64),
      scryptCost: HUB_TEST_SCRYPT,
      membersSeeNames,
    }),
  );
  a.addHook('onRequest', async (request) => {
    (request.raw.socket as { encrypted?: boolean }).encrypted = true;
  });
  return a;
};

async function as(a: FastifyInstance, who: 'member' | 'administrator'): Promise<Client> {
  const c = new Client(a, 'hub.test');
  expect((await c.signIn(HUB_USERS[who].username, HUB_USERS[who].password)).statusCode).toBe(200);
  return c;
}

beforeAll(async () => {
  fx = await hubPageFixture(tempDir('bcrp-hub-gallery-'));
  const subjects = new HubSubjects(fx.store, fx.clock);
  pair = (
    await subjects.create('ada', { name: 'Jo Bloggs', alias: 'red cap' }, [PACKETS.shared.id, PACKETS.revoked.id])
  ).ref;
  old = (await subjects.create('ada', { name: 'Old Case' }, [PACKETS.adminOnly.id])).ref;
  const ex = await new HubExclusions(fx.store, fx.clock, schemeRules({})).record('ada', {
    subjectRef: pair,
    months: 6,
    grounds: 'Two thefts reported by members within a month.',
  });
  exclusionId = ex.id;
  app = buildHubWebApp(fx.deps);
  app.addHook('onRequest', async (request) => {
    (request.raw.socket as { encrypted?: boolean }).encrypted = true;
  });
  withNames = build(true);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await withNames?.close();
  await fx?.store.close();
});

describe('hub gallery and subject pages', () => {
  it('members see the shared subject with its face, dates, report count and exclusion; not the withdrawn one, no names', async () => {
    const c = await as(app, 'member');
    const r = await c.request('GET', '/gallery');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`data-ref="${pair}"`);
    expect(r.body).not.toContain(old);
    expect(r.body).toContain('2 reports · first 1 November 2026 · last 10 November 2026');
    expect(r.body).toContain(`/packets/${PACKETS.revoked.id}/images/subject-1.jpg`);
    expect(r.body).toMatch(
      new RegExp(`data-exclusion="${exclusionId}">Excluded from all members’ premises until 23 May 2027`),
    );
    expect(r.body).not.toContain('Jo Bloggs');
    expect(r.body).not.toContain('red cap');
    const page = await c.request('GET', `/subjects/${pair}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Jo Bloggs');
    expect(page.body).not.toContain('Who viewed');
    expect((await c.request('GET', `/subjects/${old}`)).statusCode).toBe(404);
    // Each packet page links to its subject.
    expect((await c.request('GET', `/packets/${PACKETS.shared.id}`)).body).toContain(`href="/subjects/${pair}"`);
  });

  it('searches by date, site and category', async () => {
    const c = await as(app, 'member');
    const refs = async (q: string) => {
      const body = (await c.request('GET', `/gallery?${q}`)).body;
      return [...body.matchAll(/<li data-ref="([^"]+)"/g)].map((m) => m[1]);
    };
    expect(await refs('site=shop-002')).toEqual([pair]);
    expect(await refs('site=shop-009')).toEqual([]);
    expect(await refs('from=2026-11-05&to=2026-11-30')).toEqual([pair]);
    expect(await refs('to=2026-10-01')).toEqual([]);
    expect(await refs('category=theft')).toEqual([pair]);
    expect((await c.request('GET', '/gallery?from=yesterday')).statusCode).toBe(400);
  });

  it('with names enabled by the scheme, members see name and alias; never notes', async () => {
    const c = await as(withNames, 'member');
    const body = (await c.request('GET', '/gallery')).body;
    expect(body).toContain('Jo Bloggs');
    expect(body).toContain('red cap');
  });

  it('administrators see every subject, names, the exclusion history and who viewed the images', async () => {
    const m = await as(app, 'member');
    await m.request('GET', `/packets/${PACKETS.shared.id}/images/subject-1.jpg`);
    const c = await as(app, 'administrator');
    const g = (await c.request('GET', '/gallery')).body;
    expect(g).toContain('Jo Bloggs');
    expect(g).toContain(`data-ref="${old}"`);
    const page = (await c.request('GET', `/subjects/${pair}`)).body;
    expect(page).toContain(`${exclusionId}: whole scheme, 23 November 2026 to 23 May 2027, notice not served yet`);
    expect(page).toMatch(new RegExp(`<td>mia</td><td>${PACKETS.shared.id}/subject-1.jpg</td>`));
    const views = (await fx.store.auditEntries({ limit: 100_000 })).filter((e) => e.subject === 'hub:gallery');
    expect(views.length).toBeGreaterThan(0);
  });

  it('an administrator creates, links and unlinks from the packet page; a member cannot; a token is required', async () => {
    const member = await as(app, 'member');
    const denied = await member.request('POST', `/packets/${PACKETS.shared.id}/subject`, { action: 'create' });
    expect(denied.statusCode).toBe(403);
    const c = await as(app, 'administrator');
    const noToken = await c.request(
      'POST',
      `/packets/${PACKETS.adminOnly.id}/subject`,
      { action: 'unlink', ref: old },
      { 'csrf-token': 'forged' },
    );
    expect(noToken.statusCode).toBe(403);
    const page = (await c.request('GET', `/packets/${PACKETS.adminOnly.id}`)).body;
    expect(page).toContain(`Unlink from ${old}`);
    expect(page).toContain('the device asserted “shared 12 months” (advisory');
    const un = await c.request('POST', `/packets/${PACKETS.adminOnly.id}/subject`, { action: 'unlink', ref: old });
    expect(un.statusCode).toBe(303);
    expect((await fx.store.get(PACKETS.adminOnly.id))!.subjectRef).toBeNull();
    const busy = await c.request('POST', `/packets/${PACKETS.shared.id}/subject`, { action: 'link', ref: old });
    expect(busy.statusCode).toBe(409);
    expect(busy.body).toContain('linked to another subject');
    const created = await c.request('POST', `/packets/${PACKETS.adminOnly.id}/subject`, { action: 'create' });
    expect(created.statusCode).toBe(303);
    const ref = created.headers.location!.replace('/subjects/', '');
    expect((await fx.store.subject(ref))!.packetIds).toEqual([PACKETS.adminOnly.id]);
    expect(
      (await c.request('POST', `/packets/${PACKETS.adminOnly.id}/subject`, { action: 'unlink', ref })).statusCode,
    ).toBe(303);
    expect(
      (await c.request('POST', `/packets/${PACKETS.adminOnly.id}/subject`, { action: 'link', ref: old })).statusCode,
    ).toBe(303);
    const changes = (await fx.store.auditEntries({ limit: 100_000 }))
      .filter((e) => e.action === 'subject-change' && e.actor === 'ada')
      .map((e) => e.details['change']);
    expect(changes.slice(-5)).toEqual(['unlinked', 'created', 'linked', 'unlinked', 'linked']);
  });
});

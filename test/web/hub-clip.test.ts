// The hub page plays a packet's redacted clip (bcrp-packet/2) on the same terms as its images: members in the
// shared period only, verified from the stored packet at each request, byte ranges for seeking, each view audited.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHubWebApp } from '../../src/hub/web/app.js';
import { fixtureClip, HUB_USERS, type HubPageFixture, hubPageFixture, PACKETS } from '../support/hub-page.js';
import { tempDir } from '../support/tmp.js';
import { Client } from './support.js';

let fx: HubPageFixture;
let app: FastifyInstance;

async function as(who: 'member' | 'administrator'): Promise<Client> {
  const c = new Client(app, 'hub.test');
  expect((await c.signIn(HUB_USERS[who].username, HUB_USERS[who].password)).statusCode).toBe(200);
  return c;
}

beforeAll(async () => {
  fx = await hubPageFixture(tempDir('bcrp-hub-clip-'));
  app = buildHubWebApp(fx.deps);
  app.addHook('onRequest', async (request) => {
    (request.raw.socket as { encrypted?: boolean }).encrypted = true;
  });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await fx?.store.close();
});

describe('the redacted clip on the hub page', () => {
  it('plays to a member in the shared period: the page has a player, the clip is the signed bytes, audited', async () => {
    const member = await as('member');
    const page = await member.request('GET', `/packets/${PACKETS.shared.id}`);
    expect(page.body).toContain(`<video id="hub-clip"`);
    expect(page.body).toContain(`src="/packets/${PACKETS.shared.id}/clip"`);
    const clip = await member.request('GET', `/packets/${PACKETS.shared.id}/clip`);
    expect(clip.statusCode).toBe(200);
    expect(clip.headers['content-type']).toBe('video/mp4');
    expect(clip.rawPayload.equals(fixtureClip().bytes)).toBe(true);
    const part = await member.request('GET', `/packets/${PACKETS.shared.id}/clip`, undefined, { range: 'bytes=10-19' });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.equals(fixtureClip().bytes.subarray(10, 20))).toBe(true);
    const views = (await fx.store.auditEntries({ limit: 100_000 })).filter(
      (e) => e.action === 'view' && e.subject === `${PACKETS.shared.id}/clip.mp4`,
    );
    expect(views.map((v) => v.actor)).toEqual([HUB_USERS.member.username]);
  });

  it('is not shown to a member once sharing ended (administrators still see it); a packet without a clip has none', async () => {
    const member = await as('member');
    expect((await member.request('GET', `/packets/${PACKETS.adminOnly.id}/clip`)).statusCode).toBe(404);
    const admin = await as('administrator');
    expect((await admin.request('GET', `/packets/${PACKETS.adminOnly.id}/clip`)).statusCode).toBe(200);
    expect((await admin.request('GET', `/packets/${PACKETS.revoked.id}/clip`)).statusCode).toBe(404);
    const denied = (await fx.store.auditEntries({ limit: 100_000 })).filter(
      (e) => e.action === 'view-denied' && e.subject === `${PACKETS.adminOnly.id}/clip.mp4`,
    );
    expect(denied).toHaveLength(1);
  });
});

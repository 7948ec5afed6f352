// The hub page's routes through inject(): the role matrix (anonymous, member, administrator) by list and by direct
// URL, tombstones, signature and device status, retention judged at request time, every view audited in the hub's
// chain, `hub users` and `hub audit verify` (which fails once a row is edited).
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_FILES, loadPrivateKey } from '../../src/adapters/crypto/keys.js';
import { type HubPacketView, openStoredPacket } from '../../src/hub/hub-packets.js';
import { buildHubWebApp, type HubWebDeps } from '../../src/hub/web/app.js';
import { MemoryLoginThrottle } from '../../src/hub/web/memory-throttle.js';
import { runCli } from '../support/cli.js';
import { CERTIFIED_PASSES, HUB_USERS, type HubPageFixture, hubPageFixture, NOW, PACKETS } from '../support/hub-page.js';
import { tempDir } from '../support/tmp.js';
import { notWelsh, readable } from '../support/welsh.js';
import { Client } from './support.js';

function hubApp(deps: HubWebDeps): FastifyInstance {
  const app = buildHubWebApp(deps);
  app.addHook('onRequest', async (request) => {
    (request.raw.socket as { encrypted?: boolean }).encrypted = true;
  });
  return app;
}

async function as(app: FastifyInstance, who: 'member' | 'administrator'): Promise<Client> {
  const c = new Client(app, 'hub.test');
  const r = await c.signIn(HUB_USERS[who].username, HUB_USERS[who].password);
  expect(r.statusCode).toBe(200);
  return c;
}

const auditRows = async (fx: HubPageFixture) => fx.store.auditEntries({ limit: 100_000 });

let fx: HubPageFixture;
let app: FastifyInstance;

beforeAll(async () => {
  fx = await hubPageFixture(tempDir('bcrp-hub-page-'));
  app = hubApp(fx.deps);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await fx?.store.close();
});

describe('hub page: anonymous', () => {
  it('gets only the sign-in page and health; everything else redirects to sign-in or answers 401', async () => {
    const c = new Client(app, 'hub.test');
    expect((await c.request('GET', '/healthz')).json()).toEqual({ ok: true });
    const login = await c.request('GET', '/login');
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('Partnership hub');
    expect(login.headers['content-security-policy']).toContain("script-src 'self'");
    for (const url of [
      '/packets',
      `/packets/${PACKETS.shared.id}`,
      `/packets/${PACKETS.shared.id}/images/subject-1.jpg`,
    ]) {
      const r = await c.request('GET', url);
      expect(r.statusCode, url).toBe(303);
      expect(r.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
      expect(r.headers['content-type'] ?? '').not.toMatch(/^image\//);
    }
    expect((await c.request('GET', '/api/packets')).statusCode).toBe(401);
    expect((await c.request('GET', `/api/packets/${PACKETS.shared.id}`)).statusCode).toBe(401);
  });

  it('refuses a wrong password with the same answer as an unknown name, and audits both without the name typed', async () => {
    const c = new Client(app, 'hub.test');
    const before = (await auditRows(fx)).length;
    expect((await c.signIn('mia', 'wrong password here')).statusCode).toBe(401);
    expect((await c.signIn('my-password-typed-here', 'x')).statusCode).toBe(401);
    const rows = (await auditRows(fx)).slice(before);
    expect(rows.map((r) => [r.actor, r.action])).toEqual([
      ['mia', 'login-failed'],
      ['(unknown user)', 'login-failed'],
    ]);
  });
});

describe('hub page: sign-in limits', () => {
  it('locks a name out after repeated wrong passwords, and rate-limits sign-in per address', async () => {
    const limited = hubApp({
      ...fx.deps,
      throttle: new MemoryLoginThrottle(fx.clock),
      loginRateLimit: { max: 8, timeWindowMs: 60_000 },
    });
    try {
      const c = new Client(limited, 'hub.test');
      const replies = [];
      for (let i = 0; i < 9; i++) replies.push(await c.signIn('ada', `wrong password ${i}`));
      // Five free failures and a sixth that starts the lockout, then the name is locked, then the address limit.
      expect(replies.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401, 401, 429, 429, 429]);
      expect(replies[6]!.body).toContain('Too many wrong passwords');
      expect(replies[6]!.headers['retry-after']).toBe('30');
      expect(replies[8]!.body).toContain('Too many attempts');
      expect((await c.signIn('ada', HUB_USERS.administrator.password)).statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('hub page: member', () => {
  it('lists only packets in their shared period, with site, category, age, retention and signature status', async () => {
    const c = await as(app, 'member');
    const list = (await c.request('GET', '/api/packets')).json<{ packets: HubPacketView[] }>().packets;
    expect(list.map((p) => p.id)).toEqual([PACKETS.revoked.id, PACKETS.shared.id]);
    const shared = list.find((p) => p.id === PACKETS.shared.id)!;
    expect(shared).toMatchObject({
      siteId: 'shop-001',
      phase: 'shared',
      encrypted: true,
      incident: { category: 'theft' },
      signature: { state: 'verified' },
      device: { state: 'enrolled' },
      retention: { class: 'shared-12m', shareUntil: '2027-11-01T09:00:00.000Z', deleteAt: '2028-11-01T09:00:00.000Z' },
    });
    expect(shared.images.map((i) => i.name)).toEqual(['subject-1.jpg', 'context-1.jpg']);
    const revoked = list.find((p) => p.id === PACKETS.revoked.id)!;
    expect(revoked.device).toMatchObject({ state: 'revoked', revokedReason: 'appliance stolen' });

    const html = (await c.request('GET', '/packets')).body;
    expect(html).toContain('Shared with members until 1 November 2027');
    expect(html).toContain('Device revoked 20 November 2026: appliance stolen');
    expect(html).toContain('22 days ago');
    expect(html).toContain(`/packets/${PACKETS.shared.id}/images/context-1.jpg`);
    expect(html).not.toContain(PACKETS.adminOnly.id);
    expect(html).not.toContain(PACKETS.deleted.id);
  });

  it('gets a shared packet’s redacted images, decrypted on the server, with the viewer and time burned into the pixels', async () => {
    const c = await as(app, 'member');
    const detail = (await c.request('GET', `/api/packets/${PACKETS.shared.id}`)).json<HubPacketView>();
    const stored = (await fx.store.get(PACKETS.shared.id))!;
    const encryptionKey = loadPrivateKey(join(fx.dir, 'hubkeys', KEY_FILES.encryptionPrivate), 'x25519');
    const opened = await openStoredPacket(stored, { store: fx.store, encryptionKey });
    for (const img of detail.images) {
      const r = await c.request('GET', `/packets/${PACKETS.shared.id}/images/${img.name}`);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('image/jpeg');
      expect(r.headers['cache-control']).toContain('no-store');
      const signed = opened.files!.find((f) => f.name === img.name)!.bytes;
      expect(createHash('sha256').update(signed).digest('hex')).toBe(
        stored.manifest!.images.find((i) => i.name === img.name)!.sha256,
      );
      // Not the signed bytes: a re-encoded JPEG of the same size whose bottom band (the watermark) is changed.
      expect(Buffer.compare(r.rawPayload, signed)).not.toBe(0);
      const [served, original] = await Promise.all(
        [r.rawPayload, signed].map((b) => sharp(b).removeAlpha().raw().toBuffer({ resolveWithObject: true })),
      );
      expect([served!.info.width, served!.info.height]).toEqual([img.width, img.height]);
      // The bottom rows lie in the watermark's dark band whatever the image size.
      const band = 4;
      const meanDiff = (y0: number, y1: number, x1: number) => {
        let sum = 0;
        let n = 0;
        for (let y = y0; y < y1; y++)
          for (let x = 0; x < x1; x++)
            for (let ch = 0; ch < 3; ch++) {
              const i = (y * img.width + x) * 3 + ch;
              sum += Math.abs(served!.data[i]! - original!.data[i]!);
              n++;
            }
        return sum / n;
      };
      expect(meanDiff(img.height - band, img.height, img.width)).toBeGreaterThan(25);
    }
    const views = (await fx.store.auditEntries()).filter((e) => e.action === 'view' && e.subject.includes('/'));
    expect(views.at(-1)!.details).toMatchObject({ watermark: expect.stringMatching(/^mia 2026-11-23 10:00$/) });
  });

  it('cannot see an administrator-only or deleted packet, or an image of one, by direct URL', async () => {
    const c = await as(app, 'member');
    for (const id of [PACKETS.adminOnly.id, PACKETS.deleted.id]) {
      for (const url of [`/packets/${id}`, `/api/packets/${id}`, `/packets/${id}/images/subject-1.jpg`]) {
        const r = await c.request('GET', url);
        expect(r.statusCode, url).toBe(404);
        expect(r.headers['content-type'] ?? '', url).not.toMatch(/^image\//);
        expect(r.body).toContain('There is no such packet, or it is not shared with you.');
      }
    }
    // The same answer as for a packet that does not exist: a member learns nothing of what is withheld.
    const none = await c.request('GET', '/api/packets/019a8a6e-aaaa-7000-8000-0000000000ff');
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('There is no such packet, or it is not shared with you.');
  });
});

describe('hub page: administrator', () => {
  it('also sees administrator-only packets with their images, and deleted ones as tombstones only', async () => {
    const c = await as(app, 'administrator');
    const list = (await c.request('GET', '/api/packets')).json<{ packets: HubPacketView[] }>().packets;
    expect(list.map((p) => [p.id, p.phase])).toEqual([
      [PACKETS.revoked.id, 'shared'],
      [PACKETS.shared.id, 'shared'],
      [PACKETS.adminOnly.id, 'admin-only'],
      [PACKETS.deleted.id, 'deleted'],
    ]);
    const admin = await c.request('GET', `/packets/${PACKETS.adminOnly.id}`);
    expect(admin.statusCode).toBe(200);
    expect(admin.body).toContain('Administrator only until 1 October 2027, then deleted');
    expect(admin.body).toContain('Violence');
    const img = await c.request('GET', `/packets/${PACKETS.adminOnly.id}/images/subject-1.jpg`);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');

    const tomb = await c.request('GET', `/packets/${PACKETS.deleted.id}`);
    expect(tomb.statusCode).toBe(200);
    expect(tomb.body).toContain('Deleted packet');
    expect(tomb.body).toContain('Deleted 23 November 2026');
    expect(tomb.body).not.toContain('<img');
    expect(tomb.body).not.toContain('Theft');
    const tombJson = list.find((p) => p.id === PACKETS.deleted.id)!;
    expect(tombJson).toMatchObject({ incident: null, images: [], signature: { state: 'deleted' } });
    expect((await c.request('GET', `/packets/${PACKETS.deleted.id}/images/subject-1.jpg`)).statusCode).toBe(404);
  });
});

describe('hub page: redaction certificates', () => {
  it('says per packet and per image whether the faces were checked again after blurring, or that nothing certifies them', async () => {
    const c = await as(app, 'administrator');
    const list = (await c.request('GET', '/packets')).body;
    const row = (id: string) => list.slice(list.indexOf(`data-id="${id}"`)).split('</tr>')[0] ?? '';
    // The shared packet's two images each carry a certificate; the manifest sums their passes.
    expect(row(PACKETS.shared.id)).toContain(
      `Every image checked again after blurring: no face found (${2 * CERTIFIED_PASSES} passes)`,
    );
    expect(row(PACKETS.revoked.id)).toContain('No certificate: these images were not checked again after blurring');
    const one = (await c.request('GET', `/packets/${PACKETS.shared.id}`)).body;
    expect(one.match(/<figure data-image="[^"]+" data-checked="yes">/g)).toHaveLength(2);
    expect(one.match(/<span class="checked">checked again<\/span>/g)).toHaveLength(2);
    const weak = (await c.request('GET', `/packets/${PACKETS.adminOnly.id}`)).body;
    expect(weak).toContain('data-checked="no"');
    expect(weak).toContain('a person’s confirmation stood in for the check');
    const api = (await c.request('GET', `/api/packets/${PACKETS.shared.id}`)).json<HubPacketView>();
    expect(api.checked).toEqual({ passes: 2 * CERTIFIED_PASSES, facesFoundAfterRedaction: 0 });
  });
});

describe('hub page: in Welsh', () => {
  const WELSH = { 'accept-language': 'cy-GB,cy;q=0.9,en;q=0.5' };

  it('answers every page in Welsh when the browser asks for it: lang="cy", no key left raw, no English sentence', async () => {
    const anon = new Client(app, 'hub.test');
    const login = await anon.request('GET', '/login', undefined, WELSH);
    expect(login.body).toMatch(/<html lang="cy">/);
    expect(notWelsh(readable(login.body)), 'sign-in page').toEqual({ rawKeys: [], english: [] });
    expect(readable(login.body)).toContain('Hyb y bartneriaeth');

    const c = await as(app, 'administrator');
    const pages = [
      '/packets',
      `/packets/${PACKETS.shared.id}`,
      `/packets/${PACKETS.revoked.id}`,
      `/packets/${PACKETS.adminOnly.id}`,
      `/packets/${PACKETS.deleted.id}`,
      '/gallery',
      '/packets/019a8a6e-aaaa-7000-8000-0000000000ff',
    ];
    for (const url of pages) {
      const r = await c.request('GET', url, undefined, WELSH);
      expect(r.body, url).toMatch(/<html lang="cy">/);
      expect(notWelsh(readable(r.body)), url).toEqual({ rawKeys: [], english: [] });
    }
    const shared = readable((await c.request('GET', `/packets/${PACKETS.shared.id}`, undefined, WELSH)).body);
    expect(shared).toContain(
      `Pob delwedd wedi’i gwirio eto ar ôl niwlio: dim wyneb wedi’i ganfod (${2 * CERTIFIED_PASSES} gwiriad)`,
    );
    expect(shared).toContain('Wedi’i rannu ag aelodau tan 1 Tachwedd 2027');
    const missing = await c.request('GET', '/packets/019a8a6e-aaaa-7000-8000-0000000000ff', undefined, WELSH);
    expect(missing.statusCode).toBe(404);
    expect(readable(missing.body)).toContain('Nid oes pecyn o’r fath');
  });

  it('switches with the link in the header and keeps the choice for the session and in a cookie', async () => {
    const c = await as(app, 'member');
    const sw = await c.request('GET', '/language?to=cy&next=/packets');
    expect(sw.statusCode).toBe(303);
    expect(sw.headers.location).toBe('/packets');
    const cookie = String(sw.headers['set-cookie']).match(/bcrp_lang=cy/)?.[0];
    expect(cookie).toBe('bcrp_lang=cy');
    const r = await c.request('GET', '/packets');
    expect(r.body).toMatch(/<html lang="cy">/);
    expect(readable(r.body)).toContain('Pecynnau a dderbyniwyd');
    expect(r.body).toContain('href="/language?to=en&amp;next=%2Fpackets"');
  });
});

describe('hub page: audit', () => {
  it('writes one audit row per view (list, packet, image) and per refusal, naming who, what and their role', async () => {
    const c = await as(app, 'member');
    const before = (await auditRows(fx)).length;
    await c.request('GET', '/packets');
    await c.request('GET', `/packets/${PACKETS.shared.id}`);
    await c.request('GET', `/packets/${PACKETS.shared.id}/images/subject-1.jpg`);
    await c.request('GET', `/packets/${PACKETS.adminOnly.id}/images/subject-1.jpg`);
    const rows = (await auditRows(fx)).slice(before);
    expect(rows.map((r) => [r.actor, r.action, r.subject])).toEqual([
      ['mia', 'view', 'hub:packets'],
      ['mia', 'view', PACKETS.shared.id],
      ['mia', 'view', `${PACKETS.shared.id}/subject-1.jpg`],
      ['mia', 'view-denied', `${PACKETS.adminOnly.id}/subject-1.jpg`],
    ]);
    expect(rows[0]!.details).toMatchObject({ role: 'member', packets: [PACKETS.revoked.id, PACKETS.shared.id] });
    expect(rows[3]!.details).toMatchObject({ reason: 'not-visible-to-role' });
    expect((await fx.deps.audit.verify()).ok).toBe(true);
  });

  it('signs out only with the page’s CSRF token, and audits it', async () => {
    const c = await as(app, 'member');
    expect((await c.request('POST', '/logout', {}, { 'csrf-token': 'forged' })).statusCode).toBe(403);
    expect((await c.request('GET', '/api/packets')).statusCode).toBe(200);
    expect((await c.request('POST', '/api/logout')).statusCode).toBe(200);
    expect((await c.request('GET', '/api/packets')).statusCode).toBe(401);
    expect((await auditRows(fx)).at(-1)).toMatchObject({ actor: 'mia', action: 'logout', subject: 'hub-web' });
  });
});

describe('hub page: time and tampering', () => {
  let fx2: HubPageFixture;
  let app2: FastifyInstance;
  const hub = (...args: string[]) => runCli(['hub', ...args, '--config', fx2.configFile]);

  beforeAll(async () => {
    fx2 = await hubPageFixture(tempDir('bcrp-hub-page-2-'));
    app2 = hubApp(fx2.deps);
  }, 60_000);

  afterAll(async () => {
    await app2?.close();
    await fx2?.store.close();
  });

  it('judges the shared period at the time of the request, not at the last retention sweep', async () => {
    fx2.clock.set('2027-11-01T09:00:00.000Z');
    try {
      const c = await as(app2, 'member');
      const ids = (await c.request('GET', '/api/packets'))
        .json<{ packets: HubPacketView[] }>()
        .packets.map((p) => p.id);
      expect(ids).toEqual([PACKETS.revoked.id]);
      expect((await c.request('GET', `/packets/${PACKETS.shared.id}/images/subject-1.jpg`)).statusCode).toBe(404);
    } finally {
      fx2.clock.set(NOW);
    }
  });

  it('shows a packet whose stored bytes were changed as failing verification, and withholds its images', async () => {
    const db = new Database(fx2.config.store as string);
    const raw = db.prepare('SELECT raw FROM packets WHERE id = ?').get(PACKETS.revoked.id) as { raw: Buffer };
    const forged = Buffer.from(raw.raw);
    forged[forged.length - 5] = forged[forged.length - 5] === 0x41 ? 0x42 : 0x41;
    db.prepare('UPDATE packets SET raw = ? WHERE id = ?').run(forged, PACKETS.revoked.id);
    db.close();
    const c = await as(app2, 'member');
    const p = (await c.request('GET', `/api/packets/${PACKETS.revoked.id}`)).json<HubPacketView>();
    expect(p.signature.state).toBe('failed');
    expect((await c.request('GET', `/packets/${PACKETS.revoked.id}`)).body).toContain('Signature check failed');
    const img = await c.request('GET', `/packets/${PACKETS.revoked.id}/images/subject-1.jpg`);
    expect(img.statusCode).toBe(409);
    expect(img.headers['content-type']).not.toMatch(/^image\//);
  });

  it('hub users add/list/remove: weak or duplicate refused; removal ends the user’s session at once', async () => {
    const pw = join(fx2.dir, 'pw');
    writeFileSync(pw, 'short\n');
    const weak = await hub('users', 'add', 'bob', '--role', 'member', '--password-file', pw);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('at least 12 characters');
    writeFileSync(pw, 'a long enough pass phrase\n');
    const badRole = await hub('users', 'add', 'bob', '--role', 'staff', '--password-file', pw);
    expect(badRole.stderr).toContain('role must be one of member, administrator');
    expect((await hub('users', 'add', 'bob', '--role', 'member', '--password-file', pw)).code).toBe(0);
    expect((await hub('users', 'add', 'bob', '--role', 'member', '--password-file', pw)).stderr).toContain(
      'already a hub user called bob',
    );
    const list = await hub('users', 'list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ username: 'ada', role: 'administrator' }),
      expect.objectContaining({ username: 'bob', role: 'member' }),
      expect.objectContaining({ username: 'mia', role: 'member' }),
    ]);
    expect(list.stdout).not.toContain('scrypt');

    const bob = new Client(app2, 'hub.test');
    expect((await bob.signIn('bob', 'a long enough pass phrase')).statusCode).toBe(200);
    expect((await bob.request('GET', '/api/packets')).statusCode).toBe(200);
    expect((await hub('users', 'remove', 'bob')).code).toBe(0);
    expect((await bob.request('GET', '/api/packets')).statusCode).toBe(401);
    expect((await hub('users', 'remove', 'bob')).stderr).toContain('no hub user called bob');
    const changes = (await fx2.store.auditEntries({ limit: 100_000 })).filter((e) => e.action === 'user-change');
    expect(changes.map((e) => [e.subject, e.details['change']])).toEqual([
      ['bob', 'added'],
      ['bob', 'removed'],
    ]);
  });

  it('hub show --images is recorded in the same chain as an export', async () => {
    const out = join(fx2.dir, 'images');
    expect((await hub('show', PACKETS.shared.id, '--images', out)).code).toBe(0);
    expect((await fx2.store.auditEntries({ limit: 100_000 })).at(-1)).toMatchObject({
      action: 'export',
      subject: PACKETS.shared.id,
      details: { images: ['subject-1.jpg', 'context-1.jpg'], to: out },
    });
  });

  it('hub audit verify passes on the chain as written and fails, naming the entry, once a row is edited', async () => {
    const c = await as(app2, 'administrator');
    await c.request('GET', '/packets');
    const ok = await hub('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/hub audit chain OK: \d+ entries/);
    const db = new Database(fx2.config.store as string);
    const row = db.prepare("SELECT seq FROM hub_audit_log WHERE action = 'view' ORDER BY seq LIMIT 1").get() as {
      seq: number;
    };
    db.prepare("UPDATE hub_audit_log SET actor = 'someone-else' WHERE seq = ?").run(row.seq);
    db.close();
    const bad = await hub('audit', 'verify', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, failure: { seq: row.seq, fault: 'edited' } });
  });
});

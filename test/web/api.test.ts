// The web API through inject(): sign-in and sessions, the role matrix on every route, CSRF on every state
// change, the auditor's no-images rule, redacted-only image bytes, four-eyes approval, capture progress over
// SSE, metrics behind a token, and the audit entries each action leaves.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/ports/accounts.js';
import { PERMISSIONS, type Permission } from '../../src/web/roles.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { Client, devWeb, injectableApp, waitUntil } from './support.js';

const ROLES: Role[] = ['staff', 'manager', 'installer', 'auditor'];

let dev: DevWeb;
let app: FastifyInstance;

async function readyIncident(c: Client): Promise<{ id: string; stills: { id: string }[] }> {
  const res = await c.request('POST', '/api/incidents', { camera: 1 });
  expect(res.statusCode).toBe(201);
  const id = res.json<{ id: string }>().id;
  await waitUntil(async () => (await dev.incidents.get(id))?.status === 'in-review');
  return (await c.request('GET', `/api/incidents/${id}`)).json();
}

beforeAll(async () => {
  dev = await devWeb(join(tempDir('bcrp-web-api-'), 'data'));
  app = injectableApp(dev);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  dev.close();
});

describe('sign-in', () => {
  it('sets a Secure, HttpOnly, SameSite=Strict session cookie and audits the login', async () => {
    const c = new Client(app);
    const res = await c.login('staff');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: 'staff', role: 'staff', home: '/capture' });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const last = dev.deps.auditQueries.timeline({ actions: ['login'], limit: 1 })[0];
    expect(last).toMatchObject({ actor: 'staff', action: 'login' });
  });

  it('answers a wrong password and an unknown user the same way, without recording the typed name', async () => {
    const c = new Client(app);
    const a = await c.request('POST', '/api/login', { username: 'auditor', password: 'wrong-password' });
    const b = await c.request('POST', '/api/login', { username: 'MyS3cretPassw0rd', password: 'x' });
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
    const failed = dev.deps.auditQueries.timeline({ actions: ['login-failed'], limit: 2 });
    expect(failed.map((e) => e.actor)).toEqual(['(unknown user)', 'auditor']);
    expect(JSON.stringify(failed)).not.toContain('MyS3cretPassw0rd');
  });

  it('refuses sign-in posted from another site', async () => {
    const c = new Client(app);
    const res = await c.request(
      'POST',
      '/api/login',
      { username: 'staff', password: 'staff-password-1' },
      { origin: 'https://evil.example' },
    );
    expect(res.statusCode).toBe(403);
  });

  it('rejects a malformed body with 400 and a message naming the problem', async () => {
    const c = new Client(app);
    const res = await c.request('POST', '/api/login', { username: 'staff' });
    expect(res.statusCode).toBe(400);
    // The field by its label and what to do, never the schema's own words ("body must have required property").
    expect(res.json<{ error: string }>().error).toBe('Check “Password” and try again.');
  });

  it('answers in Welsh when the browser asks for Welsh', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { 'accept-language': 'cy-GB,cy;q=0.9,en;q=0.5' },
      payload: { username: 'staff' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toBe('Gwiriwch “Cyfrinair” a rhoi cynnig arall arni.');
  });

  it('signs out and the old cookie no longer works', async () => {
    const c = new Client(app);
    await c.login('staff');
    const old = c.cookie;
    expect((await c.request('POST', '/api/logout')).statusCode).toBe(200);
    const again = await app.inject({ method: 'GET', url: '/api/cameras', headers: { cookie: old } });
    expect(again.statusCode).toBe(401);
  });
});

describe('the role matrix', () => {
  // One representative route per permission; each role gets 2xx exactly when the matrix allows it.
  const probes: { permission: Permission; method: 'GET' | 'POST'; url: (ids: Ids) => string; body?: unknown }[] = [
    { permission: 'status:read', method: 'GET', url: () => '/api/status' },
    { permission: 'incidents:capture', method: 'GET', url: () => '/api/cameras' },
    { permission: 'incidents:read', method: 'GET', url: () => '/api/incidents' },
    { permission: 'images:view', method: 'GET', url: (i) => `/api/incidents/${i.incident}/stills/${i.still}/image` },
    { permission: 'review', method: 'GET', url: (i) => `/api/incidents/${i.incident}/review` },
    { permission: 'approve', method: 'GET', url: () => '/api/approvals' },
    { permission: 'holds:read', method: 'GET', url: () => '/api/holds' },
    { permission: 'installer', method: 'GET', url: () => '/api/installer/certificates' },
    { permission: 'installer', method: 'POST', url: () => '/api/installer/nvr-self-test' },
    { permission: 'audit:read', method: 'GET', url: () => '/api/audit/timeline' },
    { permission: 'audit:read', method: 'POST', url: () => '/api/audit/verify' },
    {
      permission: 'sar:export',
      method: 'POST',
      url: () => '/api/sar-exports',
      body: { reference: 'R1', incidentIds: ['x'] },
    },
  ];
  interface Ids {
    incident: string;
    still: string;
  }
  const clients = {} as Record<Role, Client>;
  let ids: Ids;

  beforeAll(async () => {
    for (const r of ROLES) {
      clients[r] = new Client(app);
      await clients[r].login(r);
    }
    const inc = await readyIncident(clients.staff);
    ids = { incident: inc.id, still: inc.stills[0]!.id };
  });

  for (const p of probes) {
    it(`${p.method} ${p.url({ incident: ':id', still: ':still' })} is allowed for ${PERMISSIONS[p.permission].join(', ')} only`, async () => {
      for (const role of ROLES) {
        const res = await clients[role].request(p.method, p.url(ids), p.body);
        const allowed = (PERMISSIONS[p.permission] as readonly Role[]).includes(role);
        if (allowed) expect(res.statusCode, `${role} should be allowed`).not.toBe(403);
        else expect(res.statusCode, `${role} should be refused`).toBe(403);
        if (allowed) expect(res.statusCode, `${role}: ${res.body}`).toBeLessThan(500);
      }
    });
  }

  it('refuses anonymous API calls with 401 and sends anonymous pages to sign-in', async () => {
    const anon = new Client(app);
    expect((await anon.request('GET', '/api/incidents')).statusCode).toBe(401);
    const page = await anon.request('GET', '/incidents');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fincidents');
    expect((await anon.request('GET', '/docs')).statusCode).toBe(303);
  });

  it('never gives an auditor an image, even from the installer test still', async () => {
    const res = await clients.auditor.request('GET', `/api/incidents/${ids.incident}/stills/${ids.still}/image`);
    expect(res.statusCode).toBe(403);
    expect(String(res.headers['content-type'])).not.toMatch(/^image\//);
    const test = await clients.auditor.request('GET', '/api/installer/cameras/1/test-still');
    expect(test.statusCode).toBe(403);
  });
});

describe('CSRF', () => {
  it('refuses every state-changing route without a valid token with 403', async () => {
    const c = new Client(app);
    await c.login('manager');
    const inc = await readyIncident(c);
    const changes: ['POST' | 'PUT', string, unknown][] = [
      ['POST', '/api/incidents', { camera: 1 }],
      [
        'PUT',
        `/api/incidents/${inc.id}/review`,
        { subject: null, extraBoxes: [], category: null, contextStills: [], description: '' },
      ],
      ['POST', `/api/incidents/${inc.id}/send`, undefined],
      ['POST', `/api/incidents/${inc.id}/approve`, undefined],
      ['POST', '/api/holds', { incidentId: inc.id, reason: 'police' }],
      ['POST', '/api/sar-exports', { reference: 'R', incidentIds: [inc.id] }],
      ['POST', '/api/logout', undefined],
    ];
    for (const [method, url, body] of changes) {
      for (const token of ['', 'forged-token']) {
        const res = await c.request(method, url, body, { 'csrf-token': token });
        expect(res.statusCode, `${method} ${url} with token '${token}'`).toBe(403);
      }
    }
    // The same session with its token works, so the 403s above were about the token.
    expect((await c.request('POST', '/api/incidents', { camera: 1 })).statusCode).toBe(201);
  });
});

describe('review and send', () => {
  it('serves only redacted renderings: faces covered until one is chosen, then only that one shown', async () => {
    const c = new Client(app);
    await c.login('staff');
    const inc = await readyIncident(c);
    const still = inc.stills[0]!.id;
    const faces = (await c.request('GET', `/api/incidents/${inc.id}/stills/${still}/faces`)).json<{
      faces: { index: number; box: [number, number, number, number] }[];
    }>().faces;
    expect(faces.length).toBe(3);
    const original = dev.incidents.still(inc.id, still).original;

    const centre = async (bytes: Buffer, box: [number, number, number, number]) => {
      const { data } = await sharp(bytes)
        .extract({
          left: box[0] + Math.floor(box[2] / 2) - 2,
          top: box[1] + Math.floor(box[3] / 2) - 2,
          width: 4,
          height: 4,
        })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return [data[0]!, data[1]!, data[2]!];
    };
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 24);

    const before = await c.request('GET', `/api/incidents/${inc.id}/stills/${still}/image`);
    expect(before.headers['content-type']).toBe('image/jpeg');
    expect(before.headers['cache-control']).toBe('no-store');
    expect(before.rawPayload.equals(original)).toBe(false);
    for (const f of faces) {
      expect(near(await centre(before.rawPayload, f.box), await centre(original, f.box))).toBe(false);
    }

    const draft = {
      subject: { stillId: still, face: 1 },
      extraBoxes: [],
      category: null,
      contextStills: [],
      description: '',
    };
    expect((await c.request('PUT', `/api/incidents/${inc.id}/review`, draft)).statusCode).toBe(200);
    const after = await c.request('GET', `/api/incidents/${inc.id}/stills/${still}/image`);
    expect(near(await centre(after.rawPayload, faces[1]!.box), await centre(original, faces[1]!.box))).toBe(true);
    expect(near(await centre(after.rawPayload, faces[0]!.box), await centre(original, faces[0]!.box))).toBe(false);
    // Someone else opening the same incident does not see the subject revealed.
    const other = new Client(app);
    await other.login('manager');
    const theirs = await other.request('GET', `/api/incidents/${inc.id}/stills/${still}/image`);
    expect(near(await centre(theirs.rawPayload, faces[1]!.box), await centre(original, faces[1]!.box))).toBe(false);
    const lastView = dev.deps.auditQueries.timeline({ actions: ['view'], limit: 2 });
    expect(lastView.map((v) => [v.actor, v.details['revealed']])).toEqual([
      ['manager', false],
      ['staff', true],
    ]);

    const reveal = dev.deps.auditQueries.timeline({ actions: ['reveal'], limit: 1 })[0];
    expect(reveal).toMatchObject({ actor: 'staff', subject: inc.id });
    const views = dev.deps.auditQueries.timeline({ actions: ['view'], limit: 3 });
    expect(views.every((v) => v.subject === inc.id)).toBe(true);
  });

  it('will not send without a subject and a category, then sends and the hub acknowledges', async () => {
    const c = new Client(app);
    await c.login('staff');
    const inc = await readyIncident(c);
    const early = await c.request('POST', `/api/incidents/${inc.id}/send`);
    expect(early.statusCode).toBe(400);
    expect(early.json<{ error: string }>().error).toContain('tap the face');

    const still = inc.stills[1]!.id;
    const draft = {
      subject: { stillId: still, face: 0 },
      extraBoxes: [{ stillId: still, box: [10, 400, 200, 100] }],
      category: 'theft',
      contextStills: [inc.stills[2]!.id],
      description: 'Two bottles',
    };
    expect((await c.request('PUT', `/api/incidents/${inc.id}/review`, draft)).statusCode).toBe(200);
    const preview = (await c.request('GET', `/api/incidents/${inc.id}/preview`)).json<{
      ready: boolean;
      images: { role: string }[];
    }>();
    expect(preview.ready).toBe(true);
    expect(preview.images.map((i) => i.role)).toEqual(['subject-crop', 'context']);
    const crop = await c.request('GET', `/api/incidents/${inc.id}/preview/0/image`);
    const meta = await sharp(crop.rawPayload).metadata();
    expect(meta.width).toBeLessThan(960);
    expect(meta.exif).toBeUndefined();

    const sent = await c.request('POST', `/api/incidents/${inc.id}/send`);
    expect(sent.json()).toEqual({ status: 'queued' });
    await waitUntil(async () => (await dev.incidents.get(inc.id))?.status === 'acked');
    const again = await c.request('PUT', `/api/incidents/${inc.id}/review`, draft);
    expect(again.statusCode).toBe(409);
    expect(dev.deps.auditQueries.timeline({ actions: ['send'], limit: 1 })[0]?.subject).toBe(inc.id);
  });

  it('rejects a draft that points at a face or still that does not exist', async () => {
    const c = new Client(app);
    await c.login('staff');
    const inc = await readyIncident(c);
    const bad = {
      subject: { stillId: inc.stills[0]!.id, face: 9 },
      extraBoxes: [],
      category: null,
      contextStills: [],
      description: '',
    };
    const res = await c.request('PUT', `/api/incidents/${inc.id}/review`, bad);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toContain('face');
    const long = { ...bad, subject: null, description: 'x'.repeat(281) };
    expect((await c.request('PUT', `/api/incidents/${inc.id}/review`, long)).statusCode).toBe(400);
  });

  it('streams capture progress as server-sent events until the stills are ready', async () => {
    const c = new Client(app);
    await c.login('staff');
    const id = (await c.request('POST', '/api/incidents', { camera: 2, minutesAgo: 5 })).json<{
      id: string;
      triggerTime: string;
    }>();
    const res = await c.request('GET', `/api/incidents/${id.id}/events`);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = res.body
      .split('\n\n')
      .filter((b) => b.startsWith('event: progress'))
      .map((b) => JSON.parse(b.split('data: ')[1]!) as { status: string; done: boolean; stillsReady: number });
    expect(events.at(-1)).toMatchObject({ status: 'in-review', done: true, stillsReady: 4 });
    const incident = await dev.incidents.get(id.id);
    const ago = dev.deps.clock.now().getTime() - new Date(incident!.triggerTime).getTime();
    expect(ago).toBeGreaterThanOrEqual(5 * 60_000);
  });
});

describe('four-eyes approval', () => {
  let four: DevWeb;
  let fourApp: FastifyInstance;
  beforeAll(async () => {
    four = await devWeb(join(tempDir('bcrp-web-4eyes-'), 'data'), { fourEyes: true });
    fourApp = injectableApp(four);
    await fourApp.ready();
  });
  afterAll(async () => {
    await fourApp.close();
    four.close();
  });

  it('puts a send in front of a manager, who approves one and rejects another', async () => {
    const staff = new Client(fourApp);
    await staff.login('staff');
    const manager = new Client(fourApp);
    await manager.login('manager');
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await staff.request('POST', '/api/incidents', { camera: 1 });
      const id = res.json<{ id: string }>().id;
      await waitUntil(async () => (await four.incidents.get(id))?.status === 'in-review');
      const still = (await four.incidents.get(id))!.stills[0]!.id;
      const draft = {
        subject: { stillId: still, face: 2 },
        extraBoxes: [],
        category: 'violence',
        contextStills: [],
        description: '',
      };
      await staff.request('PUT', `/api/incidents/${id}/review`, draft);
      expect((await staff.request('POST', `/api/incidents/${id}/send`)).json()).toEqual({
        status: 'awaiting-approval',
      });
      ids.push(id);
    }
    expect((await staff.request('POST', `/api/incidents/${ids[0]}/approve`)).statusCode).toBe(403);
    const pending = (await manager.request('GET', '/api/approvals')).json<{ id: string }[]>();
    expect(pending.map((p) => p.id).sort()).toEqual([...ids].sort());
    expect((await manager.request('POST', `/api/incidents/${ids[0]}/approve`)).json()).toEqual({ status: 'queued' });
    const rejected = await manager.request('POST', `/api/incidents/${ids[1]}/reject`, { reason: 'Face not clear' });
    expect(rejected.json()).toEqual({ status: 'rejected' });
    expect((await four.incidents.get(ids[1]!))?.statusReason).toBe('Face not clear');
    expect((await manager.request('POST', `/api/incidents/${ids[1]}/approve`)).statusCode).toBe(409);
    const actions = four.deps.auditQueries.timeline({ limit: 5 }).map((e) => e.action);
    expect(actions).toContain('approve');
    expect(actions).toContain('reject');
  });
});

describe('holds, SAR and the auditor', () => {
  it('places and releases a hold (audited) and the auditor sees it', async () => {
    const m = new Client(app);
    await m.login('manager');
    const inc = await readyIncident(m);
    const placed = await m.request('POST', '/api/holds', {
      incidentId: inc.id,
      reason: 'Police case',
      reference: 'CASE-1',
    });
    expect(placed.statusCode).toBe(201);
    const hold = placed.json<{ id: string }>();
    expect((await m.request('GET', `/api/incidents/${inc.id}`)).json<{ held: boolean }>().held).toBe(true);
    expect((await m.request('POST', `/api/holds/${hold.id}/release`)).statusCode).toBe(200);
    expect((await m.request('POST', `/api/holds/${hold.id}/release`)).statusCode).toBe(409);
    const a = new Client(app);
    await a.login('auditor');
    const holds = (await a.request('GET', '/api/holds')).json<{ id: string; releasedBy: string }[]>();
    expect(holds.find((h) => h.id === hold.id)?.releasedBy).toBe('manager');
    expect((await a.request('POST', '/api/holds', { incidentId: inc.id, reason: 'x'.repeat(5) })).statusCode).toBe(403);
    const bad = await m.request('POST', '/api/holds', { incidentId: 'no-such-incident', reason: 'Police case' });
    expect(bad.statusCode).toBe(404);
  });

  it('verifies the chain, exports it as JSON lines and audits the export', async () => {
    const a = new Client(app);
    await a.login('auditor');
    const report = (await a.request('POST', '/api/audit/verify')).json<{ ok: boolean; entries: number }>();
    expect(report.ok).toBe(true);
    const exp = await a.request('GET', '/api/audit/export');
    expect(exp.headers['content-type']).toContain('application/x-ndjson');
    expect(exp.headers['content-disposition']).toContain('attachment');
    const lines = exp.body.trim().split('\n');
    const seqs = lines.map((l) => (JSON.parse(l) as { seq: number; hash: string }).seq);
    expect(seqs.length).toBeGreaterThanOrEqual(report.entries);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(dev.deps.auditQueries.timeline({ limit: 1 })[0]).toMatchObject({ action: 'export', actor: 'auditor' });
    const page = await a.request('GET', '/auditor?action=export');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/<img/);
  });
});

describe('operations endpoints', () => {
  it('healthz says ok and nothing else', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });

  it('metrics need the bearer token and report captures and queue depth', async () => {
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const wrong = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const res = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-token-for-tests' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/bcrp_edge_captures_total\{source="web"\} \d+/);
    expect(res.body).toContain('bcrp_edge_outbox_queue_depth');
    expect(res.body).toContain('bcrp_edge_nvr_up 1');
  });

  it('serves OpenAPI with a schema for the login route', async () => {
    const c = new Client(app);
    await c.login('installer');
    const spec = (await c.request('GET', '/docs/json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/login', '/api/incidents', '/api/audit/verify']),
    );
  });

  it('serves /favicon.ico (an icon, not a 404) without signing in', async () => {
    const res = await app.inject({ method: 'GET', url: '/favicon.ico' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    expect(res.rawPayload.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
  });

  it('sends security headers on pages', async () => {
    const res = await app.inject({ method: 'GET', url: '/login' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});

describe('accounts and rate limits', () => {
  it('a disabled account loses its open session at the next request', async () => {
    await dev.accounts.create({ username: 'temp-staff', role: 'staff', password: 'temporary-pw-1' });
    const c = new Client(app);
    const res = await c.request('POST', '/api/login', { username: 'temp-staff', password: 'temporary-pw-1' });
    expect(res.statusCode).toBe(200);
    expect((await c.request('GET', '/api/cameras')).statusCode).toBe(200);
    dev.accounts.disable('temp-staff');
    expect((await c.request('GET', '/api/cameras')).statusCode).toBe(401);
  });

  it('rate-limits sign-in per address on top of the lockout', async () => {
    const limited = await devWeb(join(tempDir('bcrp-web-rl-'), 'data'), {
      loginRateLimit: { max: 3, timeWindowMs: 60_000 },
    });
    const limitedApp = injectableApp(limited);
    await limitedApp.ready();
    try {
      const c = new Client(limitedApp);
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        codes.push((await c.request('POST', '/api/login', { username: `nobody${i}`, password: 'x' })).statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await limitedApp.close();
      limited.close();
    }
  });
});

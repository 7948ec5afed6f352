// Every page in Welsh: lang="cy", no catalogue key left raw and no English sentence from the catalogue anywhere a
// person reads (text, labels, titles, alt text). The language comes from the browser before sign-in, from the
// switch on every page, and per account afterwards: on a shared tablet each person gets their own.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/ports/accounts.js';
import { CATALOGUES, type Message } from '../../src/web/i18n/i18n.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { Client, devWeb, injectableApp, waitUntil } from './support.js';

const WELSH = { 'accept-language': 'cy-GB,cy;q=0.9,en;q=0.5' };

/** What a person reads on a page: its text and the attributes read out or shown (labels, titles, alt text). */
function readable(page: string): string {
  const attrs = [...page.matchAll(/\b(?:aria-label|title|alt|placeholder|data-confirm)="([^"]*)"/g)].map((m) => m[1]);
  const text = page
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
  return [text, ...attrs]
    .join(' \n ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

const forms = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m).filter((x) => x !== undefined));

/** English sentences from the catalogue that Welsh says differently: the longest fixed run of each (12+ chars). */
const ENGLISH = Object.entries(CATALOGUES.en).flatMap(([key, m]) => {
  const cy = forms(CATALOGUES.cy[key as keyof typeof CATALOGUES.cy]);
  return forms(m)
    .filter((f) => !cy.includes(f))
    .map(
      (f) =>
        f
          .split(/\{\w+\}/)
          .sort((a, b) => b.length - a.length)[0]
          ?.trim() ?? '',
    )
    .filter((run) => run.length >= 12 && !cy.some((c) => c.includes(run)));
});
const KEYS = Object.keys(CATALOGUES.en);

function expectWelsh(page: string, where: string): void {
  expect(page, where).toMatch(/<html lang="cy">/);
  const text = readable(page);
  expect(
    KEYS.filter((k) => text.includes(k)),
    `${where}: raw keys`,
  ).toEqual([]);
  expect(
    ENGLISH.filter((e) => text.includes(e)),
    `${where}: English left`,
  ).toEqual([]);
}

describe('the pages in Welsh', () => {
  let dev: DevWeb;
  let app: FastifyInstance;
  let incidentId = '';

  beforeAll(async () => {
    dev = await devWeb(join(tempDir('bcrp-welsh-'), 'data'));
    app = injectableApp(dev);
    await app.ready();
    const incident = await dev.incidents.trigger({ camera: 1, source: 'web', actor: 'staff' });
    incidentId = incident.id;
    await waitUntil(async () => (await dev.incidents.get(incident.id))?.status === 'in-review', 15_000);
    dev.deps.holds.place({ incidentId, reason: 'Heddlu', actor: { name: 'manager', role: 'manager' } });
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    dev?.close();
  });

  it('the sign-in page and an unknown page follow the browser’s Welsh before anyone signs in', async () => {
    const c = new Client(app);
    expectWelsh((await c.request('GET', '/login', undefined, WELSH)).body, '/login');
    const missing = await c.request('GET', '/no-such-page', undefined, WELSH);
    expect(missing.statusCode).toBe(404);
    expectWelsh(missing.body, '404');
    // English stays the default.
    expect((await c.request('GET', '/login')).body).toMatch(/<html lang="en-GB">[\s\S]*User name/);
  });

  const PAGES: Record<Role, string[]> = {
    staff: ['/capture', '/incidents', '/incidents/:id'],
    manager: ['/manager', '/incidents/:id'],
    installer: ['/installer'],
    auditor: ['/auditor'],
  };
  for (const [role, paths] of Object.entries(PAGES) as [Role, string[]][]) {
    it(`every ${role} page is Welsh, with no English from the catalogue and no raw key`, async () => {
      const c = new Client(app);
      expect((await c.login(role)).statusCode).toBe(200);
      for (const path of paths) {
        const res = await c.request('GET', path.replace(':id', incidentId), undefined, WELSH);
        expect(res.statusCode, path).toBe(200);
        expectWelsh(res.body, `${role} ${path}`);
      }
      // A page this role may not open: the "Not allowed" page is Welsh too.
      const refused = await c.request('GET', role === 'auditor' ? '/manager' : '/auditor', undefined, WELSH);
      expect(refused.statusCode).toBe(403);
      expectWelsh(refused.body, `${role} 403`);
    });
  }

  it('names audit actions and holds in words, never codes or ids', async () => {
    const c = new Client(app);
    await c.login('auditor');
    const page = (await c.request('GET', '/auditor', undefined, WELSH)).body;
    const text = readable(page);
    expect(text).toContain('Tystiolaeth wedi’i chadw'); // hold-place
    expect(text).not.toMatch(/\bhold-place\b|\bpacket-queue\b/);
    expect(text).not.toContain(incidentId.slice(0, 8));
    expect(page).toContain(`data-subject="${incidentId}"`);
    expect(text).toMatch(/Camera|Till|Door/);
  });

  it('keeps each account’s own choice, made with the switch on any page', async () => {
    const mia = new Client(app);
    await mia.login('manager');
    const switched = await mia.request('GET', '/language?to=cy&next=%2Fmanager%23sar');
    expect(switched.statusCode).toBe(303);
    expect(switched.headers.location).toBe('/manager#sar');
    // A new sign-in anywhere (no cookie, a browser asking for English) shows her Welsh.
    const again = new Client(app);
    await again.login('manager');
    expectWelsh((await again.request('GET', '/manager', undefined, { 'accept-language': 'en-GB' })).body, 'stored');
    // The next person on the same tablet gets their own language, not hers.
    const sam = new Client(app);
    await sam.login('staff');
    expect((await sam.request('GET', '/capture')).body).toMatch(/<html lang="en-GB">/);
    // And she can switch back.
    await again.request('GET', '/language?to=en&next=/manager');
    expect((await again.request('GET', '/manager')).body).toMatch(/<html lang="en-GB">/);
  });

  it('refuses to send the switch anywhere but this site', async () => {
    const c = new Client(app);
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil']) {
      const res = await c.request('GET', `/language?to=cy&next=${encodeURIComponent(next)}`);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/');
    }
  });

  it('serves the page scripts’ words for each language and nothing for others', async () => {
    const c = new Client(app);
    const cy = await c.request('GET', '/i18n/cy.json');
    expect(cy.json<{ messages: Record<string, unknown> }>().messages['js.review.sendAnyway']).toBe('Anfon beth bynnag');
    expect(Object.keys(cy.json<{ messages: object }>().messages).every((k) => k.startsWith('js.'))).toBe(true);
    expect((await c.request('GET', '/i18n/fr.json')).statusCode).toBe(404);
  });
});

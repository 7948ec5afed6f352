// The review page's preview says, per outgoing image, whether it was searched again for faces after blurring (its
// redaction certificate), and when a weaker face finder stood in that it was not and the reviewer's confirmation
// stood in — in English and in Welsh, in Chromium. The preview's retention line is the hub page's sentence.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWebServer, startWebServer } from '../../src/web/server.js';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { ROOT } from '../support/cli.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { notWelsh } from '../support/welsh.js';
import { devWeb, PASSWORDS, selfSignedCert, waitUntil } from '../web/support.js';

const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const available = existsSync(CHROMIUM);
if (!available) console.log(`skipped: ${CHROMIUM} not present`);

describe.skipIf(!available)('the review page’s certificates, in chromium', () => {
  let dev: DevWeb;
  let server: RunningWebServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = tempDir('bcrp-review-checks-');
    dev = await devWeb(join(dir, 'data'));
    server = await startWebServer(dev.deps, { bind: '127.0.0.1', port: 0, tls: selfSignedCert(dir) });
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    dev?.close();
  });

  async function signIn(locale: string): Promise<Page> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale, baseURL: server.url });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/login');
    await page.fill('#username', 'staff');
    await page.fill('#password', PASSWORDS.staff);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return page;
  }

  /** An incident in review with a subject, a category and one context still chosen by staff. */
  async function drafted(): Promise<string> {
    const incident = await dev.incidents.trigger({ camera: 1, source: 'web', actor: 'staff' });
    await waitUntil(async () => (await dev.incidents.get(incident.id))?.status === 'in-review', 15_000);
    const stills = (await dev.incidents.get(incident.id))!.stills;
    const subjectStill = stills[1]!.id;
    await dev.review.saveDraft(
      incident.id,
      {
        subject: { stillId: subjectStill, face: 0 },
        extraBoxes: [],
        category: 'theft',
        contextStills: [stills[2]!.id],
        description: '',
      },
      'staff',
    );
    return incident.id;
  }

  async function checks(page: Page, id: string): Promise<string[]> {
    await page.goto(`/incidents/${id}`);
    await page.click('#preview-button');
    const items = page.locator('#preview-checks-list li');
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(2);
    return items.allInnerTexts();
  }

  it('lists each outgoing image as checked again after blurring, with its passes', async () => {
    dev.redactor.certifyPasses = 2;
    const page = await signIn('en-GB');
    const id = await drafted();
    expect(await checks(page, id)).toEqual([
      'Subject crop: Checked again after blurring: no face found (2 passes)',
      'Still 3: Checked again after blurring: no face found (2 passes)',
    ]);
    expect(await page.locator('#preview-checks-list li[data-checked="yes"]').count()).toBe(2);
    // The retention line is the one sentence the incident and hub pages use.
    expect(await page.textContent('#preview-fields')).toContain(
      'The partnership shares it with members for 12 months (24 months after a further report about the same person)',
    );
    await page.locator('#preview').screenshot({ path: join(SHOTS, 'review-checks.png') });
  });

  it('says plainly, in Welsh, that a weaker face finder’s images were not checked again and the reviewer stood in', async () => {
    dev.redactor.certifyPasses = null;
    const page = await signIn('cy-GB');
    const id = await drafted();
    const said = await checks(page, id);
    expect(said).toHaveLength(2);
    for (const s of said) expect(s).toContain('Heb ei wirio eto ar ôl niwlio');
    expect(await page.locator('#preview-checks-list li[data-checked="no"]').count()).toBe(2);
    expect(notWelsh(await page.innerText('#preview'))).toEqual({ rawKeys: [], english: [] });
    await page.locator('#preview').screenshot({ path: join(SHOTS, 'review-checks-cy.png') });
  });
});

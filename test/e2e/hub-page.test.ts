// The hub page in headless Chromium over real HTTPS (`startHubWeb`, as `hub run` serves it): a member signs in and
// sees the shared packets with their redacted images and nothing withheld; an administrator also sees the
// administrator-only packet and the tombstone of the deleted one.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWebServer } from '../../src/web/server.js';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { ROOT } from '../support/cli.js';
import { type HubPageFixture, hubPageFixture, PACKETS, serveHubPage, signInToHub } from '../support/hub-page.js';
import { tempDir } from '../support/tmp.js';
import { notWelsh } from '../support/welsh.js';

const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const missing = !existsSync(CHROMIUM);
if (missing) console.log(`skipped: ${CHROMIUM} not present`);

describe.skipIf(missing)('hub page in Chromium', () => {
  let fx: HubPageFixture;
  let server: RunningWebServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fx = await hubPageFixture(tempDir('bcrp-hub-e2e-'));
    server = await serveHubPage(fx);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fx?.store.close();
  });

  const signIn = (who: 'member' | 'administrator'): Promise<Page> =>
    signInToHub(browser, server, who, '/packets', '#packets');

  const rows = (page: Page) =>
    page.$$eval('#packets tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-id'), tr.getAttribute('data-phase')]),
    );
  const loadedImages = (page: Page) =>
    page.$$eval(
      '#packets img',
      (imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length,
    );

  it('a member sees the shared packets with their images, the revoked device flagged, and nothing withheld', async () => {
    const page = await signIn('member');
    expect(await rows(page)).toEqual([
      [PACKETS.revoked.id, 'shared'],
      [PACKETS.shared.id, 'shared'],
    ]);
    await expect.poll(() => loadedImages(page), { timeout: 10_000 }).toBe(3);
    const text = await page.textContent('#packets');
    expect(text).toContain('Signature verified');
    expect(text).toContain('Device revoked 20 November 2026');
    await page.screenshot({ path: join(SHOTS, 'hub-member.png'), fullPage: true });
    // Typing the administrator-only packet's address gets the same refusal as a packet that does not exist.
    const r = await page.goto(`/packets/${PACKETS.adminOnly.id}`);
    expect(r?.status()).toBe(404);
    expect(await page.textContent('main')).toContain('not shared with you');
    await page.context().close();
  });

  it('a member whose browser prefers Welsh reads the hub in Welsh, certificates included, and can switch to English', async () => {
    const page = await signInToHub(browser, server, 'member', '/packets', '#packets', 'cy-GB');
    expect(await page.getAttribute('html', 'lang')).toBe('cy');
    const list = await page.innerText('body');
    expect(notWelsh(list)).toEqual({ rawKeys: [], english: [] });
    expect(list).toContain('Pecynnau a dderbyniwyd');
    expect(list).toContain('Pob delwedd wedi’i gwirio eto ar ôl niwlio');
    await page.click(`tr[data-id="${PACKETS.shared.id}"] a.button`);
    await page.waitForSelector('#packet');
    const one = await page.innerText('body');
    expect(notWelsh(one)).toEqual({ rawKeys: [], english: [] });
    expect(await page.locator('.hub-images figcaption .checked').allInnerTexts()).toEqual([
      'wedi’i gwirio eto',
      'wedi’i gwirio eto',
    ]);
    await expect
      .poll(
        () =>
          page.$$eval(
            '.hub-images img',
            (imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length,
          ),
        { timeout: 10_000 },
      )
      .toBe(2);
    await page.screenshot({ path: join(SHOTS, 'hub-packet-cy.png'), fullPage: true });
    await page.click('nav.language a');
    await page.waitForSelector('html[lang="en-GB"]');
    expect(await page.innerText('main')).toContain('Every image checked again after blurring');
    await page.context().close();
  });

  it('an administrator also sees the administrator-only packet with its image and the deleted one as a tombstone', async () => {
    const page = await signIn('administrator');
    expect(await rows(page)).toEqual([
      [PACKETS.revoked.id, 'shared'],
      [PACKETS.shared.id, 'shared'],
      [PACKETS.adminOnly.id, 'admin-only'],
      [PACKETS.deleted.id, 'deleted'],
    ]);
    await expect.poll(() => loadedImages(page), { timeout: 10_000 }).toBe(4);
    await page.screenshot({ path: join(SHOTS, 'hub-administrator.png'), fullPage: true });
    await page.click(`tr[data-id="${PACKETS.deleted.id}"] a`);
    await page.waitForSelector('#packet[data-phase="deleted"]');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.textContent('main')).toContain('Only this record that it existed remains');
    const audit = await fx.store.auditEntries({ limit: 10_000 });
    expect(audit.filter((e) => e.actor === 'ada' && e.action === 'view').length).toBeGreaterThanOrEqual(6);
    await page.context().close();
  });
});

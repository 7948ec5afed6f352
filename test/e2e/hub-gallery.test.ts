// The members' gallery, a subject page and the exclusion in headless Chromium over real HTTPS (`startHubWeb`, as
// `hub run` serves it), and the watermark: the image the browser receives is not the signed one but carries the
// member's account and the time in its pixels.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/adapters/crypto/keys.js';
import { HubExclusions, schemeRules } from '../../src/hub/hub-exclusions.js';
import { openStoredPacket } from '../../src/hub/hub-packets.js';
import { HubSubjects } from '../../src/hub/hub-subjects.js';
import type { RunningWebServer } from '../../src/web/server.js';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { ROOT } from '../support/cli.js';
import { type HubPageFixture, hubPageFixture, PACKETS, serveHubPage, signInToHub } from '../support/hub-page.js';
import { tempDir } from '../support/tmp.js';

const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const missing = !existsSync(CHROMIUM);
if (missing) console.log(`skipped: ${CHROMIUM} not present`);

describe.skipIf(missing)('hub gallery in Chromium', () => {
  let fx: HubPageFixture;
  let server: RunningWebServer;
  let browser: Browser;
  let ref = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    fx = await hubPageFixture(tempDir('bcrp-hub-gallery-e2e-'));
    ref = (await new HubSubjects(fx.store, fx.clock).create('ada', {}, [PACKETS.shared.id, PACKETS.revoked.id])).ref;
    await new HubExclusions(fx.store, fx.clock, schemeRules({})).record('ada', {
      subjectRef: ref,
      months: 12,
      grounds: 'Two thefts reported by members within a month.',
    });
    server = await serveHubPage(fx);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fx?.store.close();
  });

  const signIn = (who: 'member' | 'administrator'): Promise<Page> =>
    signInToHub(browser, server, who, '/gallery', '#gallery');

  it('a member sees the subject with its face and exclusion, opens its page, and every image is watermarked', async () => {
    const page = await signIn('member');
    expect(await page.$$eval('#gallery li', (lis) => lis.map((li) => li.getAttribute('data-ref')))).toEqual([ref]);
    await expect
      .poll(
        () =>
          page.$$eval(
            '#gallery img',
            (imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length,
          ),
        {
          timeout: 10_000,
        },
      )
      .toBe(1);
    expect(await page.textContent('#gallery')).toContain('Excluded from all members’ premises until 23 November 2027');
    await page.screenshot({ path: join(SHOTS, 'hub-gallery-member.png'), fullPage: true });
    await page.click(`#gallery li[data-ref="${ref}"] strong`);
    await page.waitForSelector(`#subject[data-ref="${ref}"]`);
    expect(await page.$$eval('#subject-packets a', (as) => as.map((a) => a.textContent))).toEqual([
      PACKETS.shared.id,
      PACKETS.revoked.id,
    ]);
    // The bytes the browser gets for the face image, against the image the device signed.
    const src = (await page.getAttribute('#subject img', 'src'))!;
    const served = Buffer.from(
      await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), src),
    );
    const stored = (await fx.store.get(PACKETS.revoked.id))!;
    const opened = await openStoredPacket(stored, {
      store: fx.store,
      encryptionKey: loadPrivateKey(fx.config.encryptionKey!, 'x25519'),
    });
    const signed = opened.files!.find((f) => src.endsWith(f.name))!.bytes;
    expect(Buffer.compare(served, signed)).not.toBe(0);
    const [a, b] = await Promise.all(
      [served, signed].map((x) => sharp(x).removeAlpha().raw().toBuffer({ resolveWithObject: true })),
    );
    expect([a!.info.width, a!.info.height]).toEqual([b!.info.width, b!.info.height]);
    const w = a!.info.width;
    const h = a!.info.height;
    let diff = 0;
    for (let y = h - 4; y < h; y++)
      for (let x = 0; x < w * 3; x++) diff += Math.abs(a!.data[y * w * 3 + x]! - b!.data[y * w * 3 + x]!);
    expect(diff / (4 * w * 3)).toBeGreaterThan(25);
    const views = (await fx.store.auditEntries({ limit: 10_000 })).filter(
      (e) => e.actor === 'mia' && e.action === 'view' && e.subject.startsWith(PACKETS.revoked.id),
    );
    expect(views.at(-1)!.details).toMatchObject({ watermark: 'mia 2026-11-23 10:00' });
    await page.context().close();
  });

  it('an administrator sees on the subject page who viewed its images', async () => {
    const page = await signIn('administrator');
    await page.goto(`/subjects/${ref}`);
    await page.waitForSelector('#subject-views');
    expect(await page.textContent('#subject-views')).toContain('mia');
    expect(await page.textContent('#exclusions')).toContain('whole scheme, 23 November 2026 to 23 November 2027');
    await page.screenshot({ path: join(SHOTS, 'hub-subject-admin.png'), fullPage: true });
    await page.context().close();
  });
});

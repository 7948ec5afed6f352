// The web UI in a real browser (Debian's chromium through playwright-core, never a downloaded one): every role
// signs in, staff capture, pick a subject, add a blur box and send until the hub acknowledges; the auditor's
// page loads no image; CSRF and role checks answer 403; repeated wrong passwords lock the login. Screenshots of
// each page go to test-artifacts/screenshots/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/ports/accounts.js';
import { type RunningWebServer, startWebServer } from '../../src/web/server.js';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { ROOT } from '../support/cli.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { devWeb, PASSWORDS, selfSignedCert, waitUntil } from '../web/support.js';

const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const available = existsSync(CHROMIUM);
if (!available) console.log(`skipped: ${CHROMIUM} not present`);

const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

describe.skipIf(!available)('web UI in chromium', () => {
  let dev: DevWeb;
  let server: RunningWebServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = tempDir('bcrp-web-e2e-');
    const tls = selfSignedCert(dir);
    dev = await devWeb(join(dir, 'data'), {
      stepMs: 150,
      certificatePath: tls.certPath,
      throttle: { freeFailures: 3, baseLockMs: 30_000, maxLockMs: 60_000, forgetAfterMs: 3_600_000 },
    });
    server = await startWebServer(dev.deps, { bind: '127.0.0.1', port: 0, tls });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    dev?.close();
  });

  async function signIn(role: Role): Promise<Page> {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: 'en-GB',
      viewport: { width: 1024, height: 768 },
      baseURL: server.url,
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/login');
    await page.fill('#username', role);
    await page.fill('#password', PASSWORDS[role]);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return page;
  }

  it('shows a sign-in page and the security headers', async () => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: 'en-GB',
      viewport: { width: 1024, height: 768 },
    });
    contexts.push(context);
    const page = await context.newPage();
    const res = await page.goto(`${server.url}/capture`);
    expect(page.url()).toContain('/login?next=%2Fcapture');
    const headers = res?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['referrer-policy']).toBe('same-origin');
    await shot(page, 'login');
  });

  it('staff capture, choose the subject, add a blur box and send until the hub acknowledges', async () => {
    const page = await signIn('staff');
    expect(new URL(page.url()).pathname).toBe('/capture');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'bcrp_session');
    expect(session?.secure).toBe(true);
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    await shot(page, 'capture');

    await page.getByLabel('Door').check();
    await page.selectOption('#minutesAgo', '2');
    await page.click('#capture-button');
    await expect.poll(() => page.textContent('#progress-message'), { timeout: 10_000 }).toContain('Getting stills');
    await shot(page, 'capture-progress');
    await page.waitForSelector('#review-link:not([hidden])', { timeout: 15_000 });
    expect(await page.textContent('#progress-message')).toContain('Ready');
    await page.click('#review-link');

    await page.waitForSelector('.face-target');
    const faces = page.locator('figure.still').first().locator('.face-target');
    expect(await faces.count()).toBe(3);
    const firstImage = page.locator('figure.still img').first();
    const before = await firstImage.getAttribute('src');
    await faces.nth(1).click();
    await expect.poll(() => page.textContent('#subject-state')).toContain('Subject chosen');
    await expect.poll(() => firstImage.getAttribute('src')).not.toBe(before);

    // An extra blur box dragged over the second still.
    await page.click('#draw-toggle');
    const frame = page.locator('figure.still').nth(1).locator('.frame');
    await frame.scrollIntoViewIfNeeded();
    const box = (await frame.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.05, box.y + box.height * 0.75);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.95, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => page.textContent('#review-message')).toContain('Blur box added');
    await page.click('#draw-toggle');
    expect(await page.locator('.extra-box').count()).toBe(1);

    await page.selectOption('#category', 'theft');
    await page.fill('#description', 'Took two bottles from the spirits shelf');
    await page.locator('input[name="context"]').nth(1).check();
    await page.waitForTimeout(600);
    await page.click('#preview-button');
    await page.waitForSelector('#preview-images img');
    expect(await page.locator('#preview-images img').count()).toBe(2);
    await expect.poll(() => page.locator('#send-button').isEnabled()).toBe(true);
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'review', true);

    const draft = dev.review.draft(new URL(page.url()).pathname.split('/').pop()!);
    expect((await draft).extraBoxes).toHaveLength(1);

    await page.click('#send-button');
    await expect.poll(() => page.textContent('#send-message')).toContain('Sent to the partnership');
    await page.goto('/incidents');
    // The list refreshes itself while the report is on its way, until the hub's acknowledgement shows.
    await page.waitForSelector('tr[data-status="acked"]', { timeout: 20_000 });
    expect(await page.textContent('tr[data-status="acked"]')).toContain('Received by the partnership');
    await shot(page, 'incidents');
  });

  it('lets staff choose a subject with the keyboard alone', async () => {
    const page = await signIn('staff');
    await page.keyboard.press('Tab'); // skip link
    // Capture with the keyboard: Tab to the big button and press Enter.
    await page.focus('#capture-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#review-link:not([hidden])', { timeout: 15_000 });
    await page.keyboard.press('Enter'); // the link takes focus when ready
    await page.waitForSelector('.face-target');
    await page.focus('.face-target');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#subject-state')).toContain('Subject chosen');
    // A blur box placed and moved with the keyboard, on the second still: every still has its own "Add a box".
    await page.focus('figure.still:nth-of-type(2) button.add-box');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#review-message')).toContain('Blur box added');
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const placed = (await dev.review.draft(id)).extraBoxes[0]!.box;
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(async () => (await dev.review.draft(id)).extraBoxes[0]!.box[0]).toBeGreaterThan(placed[0]);
    const moved = (await dev.review.draft(id)).extraBoxes[0]!.box;
    expect(moved[3]).toBeGreaterThan(placed[3]);
    // Sign out is a form post with the CSRF token.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    const again = await page.goto('/capture');
    expect(again?.url()).toContain('/login?next=');
  });

  it('manager places a hold and exports for a subject access request', async () => {
    const page = await signIn('manager');
    await page.goto('/manager');
    await page.fill('#hold-reason', 'Police investigation');
    await page.fill('#hold-reference', 'PC 1234 / case 55');
    await page.click('form[data-api="/api/holds"] button[type="submit"]');
    // The page reloads with the new hold and says what was done.
    await expect
      .poll(() => page.locator('form[data-api="/api/holds"] [data-result]').textContent())
      .toContain('Hold placed on');
    await page.waitForSelector('#holds');
    expect(await page.textContent('#holds')).toContain('Police investigation');
    await page.fill('#sar-reference', 'SAR-2026-001');
    await page.locator('input[name="incidentIds"]').first().check();
    await page.click('form[data-api="/api/sar-exports"] button[type="submit"]');
    await expect
      .poll(() => page.locator('form[data-api="/api/sar-exports"] [data-result]').textContent())
      .toContain('Exported 1 incident');
    await shot(page, 'manager', true);
  });

  it('installer tests the recorder and sees a redacted test still', async () => {
    const page = await signIn('installer');
    expect(new URL(page.url()).pathname).toBe('/installer');
    await page.click('button[data-api="/api/installer/nvr-test"]');
    await expect.poll(() => page.locator('section').first().locator('[data-result]').textContent()).toContain('OK');
    await page.locator('button[data-still]').first().click();
    const testStill = page.locator('img.test-still').first();
    await expect
      .poll(() => testStill.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    expect(await page.textContent('#certificates')).toContain('Web UI');
    await shot(page, 'installer', true);
  });

  it('auditor verifies the chain and no image is ever requested', async () => {
    const images: string[] = [];
    const page = await signIn('auditor');
    page.on('request', (r) => {
      if (r.resourceType() === 'image') images.push(r.url());
    });
    page.on('response', (r) => {
      if ((r.headers()['content-type'] ?? '').startsWith('image/')) images.push(r.url());
    });
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/auditor');
    await page.click('button[data-api="/api/audit/verify"]');
    await expect.poll(() => page.textContent('#verify-result')).toContain('complete and unaltered');
    expect(await page.textContent('#timeline')).toContain('reveal');
    await shot(page, 'auditor', true);
    // Asking for an image directly is refused too.
    const incident = (await dev.incidents.list())[0]!;
    const still = (await dev.incidents.get(incident.id))!.stills[0]!;
    const status = await page.evaluate(
      async (url) => (await fetch(url)).status,
      `/api/incidents/${incident.id}/stills/${still.id}/image`,
    );
    expect(status).toBe(403);
    expect(images).toEqual([]);
  });

  it('refuses a state change without the CSRF token, and a role check, with 403', async () => {
    const page = await signIn('staff');
    // Browser-side code as a string: the project's TypeScript has no DOM types.
    const result = await page.evaluate(`(async () => {
      const noToken = await fetch('/api/incidents', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ camera: 1 }),
      });
      const token = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
      const wrongRole = await fetch('/api/audit/verify', { method: 'POST', headers: { 'csrf-token': token } });
      const wrongRolePage = await fetch('/auditor');
      return [noToken.status, wrongRole.status, wrongRolePage.status];
    })()`);
    expect(result).toEqual([403, 403, 403]);
  });

  it('slows down repeated wrong passwords', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: server.url });
    contexts.push(context);
    const page = await context.newPage();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      await page.goto('/login');
      await page.fill('#username', 'manager');
      await page.fill('#password', `guess-${i}`);
      const [res] = await Promise.all([page.waitForResponse('**/login'), page.click('button[type="submit"]')]);
      statuses.push(res.status());
    }
    // Three free failures, the fourth locks the account, and from then on every attempt waits.
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    expect(await page.textContent('.error')).toContain('Too many wrong passwords');
    // Even the right password waits out the lockout.
    await page.fill('#password', PASSWORDS.manager);
    const [res] = await Promise.all([page.waitForResponse('**/login'), page.click('button[type="submit"]')]);
    expect(res.status()).toBe(429);
  });
});

describe.skipIf(!available)('four-eyes approval in chromium', () => {
  let dev: DevWeb;
  let server: RunningWebServer;
  let browser: Browser;

  beforeAll(async () => {
    const dir = tempDir('bcrp-web-e2e4-');
    const tls = selfSignedCert(dir);
    dev = await devWeb(join(dir, 'data'), { fourEyes: true, stepMs: 5 });
    server = await startWebServer(dev.deps, { bind: '127.0.0.1', port: 0, tls });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    dev?.close();
  });

  it('a manager sees exactly what would leave and approves it', async () => {
    // Staff's part through the services (the browser flow is covered above).
    const incident = await dev.incidents.trigger({ camera: 3, source: 'web', actor: 'staff' });
    await waitUntil(async () => (await dev.incidents.get(incident.id))?.status === 'in-review');
    const still = (await dev.incidents.get(incident.id))!.stills[2]!.id;
    await dev.review.saveDraft(
      incident.id,
      {
        subject: { stillId: still, face: 0 },
        extraBoxes: [],
        category: 'violence',
        contextStills: [],
        description: 'Pushed a member of staff',
      },
      'staff',
    );
    await dev.review.submit(incident.id, 'staff', { requireApproval: true });

    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: 'en-GB',
      viewport: { width: 1024, height: 768 },
      baseURL: server.url,
    });
    const page = await context.newPage();
    await page.goto('/login');
    await page.fill('#username', 'manager');
    await page.fill('#password', PASSWORDS.manager);
    await page.click('button[type="submit"]');
    await page.waitForURL('**/capture');
    await page.goto('/manager');
    await page.click(`a[href="/incidents/${incident.id}"]`);
    await page.waitForSelector('#preview-images img');
    expect(await page.textContent('#preview-fields')).toContain('Pushed a member of staff');
    await shot(page, 'approval', true);
    await page.click('#approve-button');
    await expect.poll(() => page.textContent('#send-message')).toContain('Approved');
    await waitUntil(async () => (await dev.incidents.get(incident.id))?.status === 'acked');
    await context.close();
  });
});

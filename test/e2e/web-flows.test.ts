// The four flows that broke under real use, each in Chromium (Debian's, through playwright-core): a subject access
// export from the manager page says what was made and never where on the server, and a failed one says what to do
// and is in the audit log; "Sign out" works from a "Not allowed" page; "Review now" stays hidden while stills are
// still being made, and an incident page opened early follows the capture by itself; a blur box over the chosen
// subject is not sent without a warning.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/ports/accounts.js';
import { ExportError } from '../../src/services/sar/export-folder.js';
import { CATALOGUES, type Message } from '../../src/web/i18n/i18n.js';
import { type RunningWebServer, startWebServer } from '../../src/web/server.js';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { ROOT } from '../support/cli.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { devWeb, PASSWORDS, selfSignedCert, waitUntil } from '../web/support.js';

const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const available = existsSync(CHROMIUM);
if (!available) console.log(`skipped: ${CHROMIUM} not present`);

describe.skipIf(!available)('broken flows, fixed, in chromium', () => {
  let dev: DevWeb;
  let dataDir = '';
  let server: RunningWebServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = tempDir('bcrp-web-flows-');
    const tls = selfSignedCert(dir);
    dataDir = join(dir, 'data');
    // Slow enough steps that a person (and this test) can act while the stills are still being made.
    dev = await devWeb(dataDir, { stepMs: 400 });
    server = await startWebServer(dev.deps, { bind: '127.0.0.1', port: 0, tls });
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    dev?.close();
  });

  async function signIn(role: Role, viewport = { width: 1366, height: 768 }, locale = 'en-GB'): Promise<Page> {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale,
      viewport,
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

  async function readyIncident(camera = 1): Promise<string> {
    const incident = await dev.incidents.trigger({ camera, source: 'web', actor: 'staff' });
    await waitUntil(async () => (await dev.incidents.get(incident.id))?.status === 'in-review', 15_000);
    return incident.id;
  }

  it('exports a subject access request without showing a server path, and a failed export says what to do and is audited', async () => {
    await readyIncident();
    const page = await signIn('manager');
    await page.goto('/manager');
    const form = page.locator('form[data-api="/api/sar-exports"]');
    const result = form.locator('[data-result]');
    await page.fill('#sar-reference', 'SAR-2026-014');
    await form.locator('input[name="incidentIds"]').first().check();
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => result.textContent()).toContain('Exported 1 incident');
    const said = (await result.textContent()) ?? '';
    expect(said).not.toContain(dataDir);
    expect(said).not.toMatch(/\/(tmp|var)\//);
    // The due date is written out, day month year.
    expect(said).toMatch(/Answer the request by \d{1,2} [A-Z][a-z]+ \d{4}\./);

    // The export itself fails (the error names a folder on the appliance, as the real one did).
    const real = dev.deps.sar;
    dev.deps.sar = {
      faces: real.faces,
      archive: real.archive,
      async export() {
        throw new ExportError('export-failed', `the folder ${join(dataDir, 'sar')} does not exist`);
      },
    };
    try {
      await page.fill('#sar-reference', 'SAR-2026-015');
      await form.locator('button[type="submit"]').click();
      await expect.poll(() => result.textContent()).toContain('could not be made');
      const failed = (await result.textContent()) ?? '';
      expect(failed).toContain('Try again');
      expect(failed).not.toContain(dataDir);
      expect(failed).not.toContain('does not exist');
    } finally {
      dev.deps.sar = real;
    }
    const entries = [...dev.audit.entries()];
    const row = entries.find((e) => e.action === 'sar-export-failed');
    expect(row?.actor).toBe('manager');
    expect(row?.subject).toBe('SAR-2026-015');
  });

  it('signs out from a "Not allowed" page: no raw JSON, and the session is over', async () => {
    const page = await signIn('staff');
    const denied = await page.goto('/auditor');
    expect(denied?.status()).toBe(403);
    expect(await page.textContent('h1')).toContain('Not allowed');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/logout')),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    expect(res.status()).toBe(303);
    await page.waitForURL('**/login');
    expect(await page.content()).not.toContain('{"error"');
    const again = await page.goto('/capture');
    expect(again?.url()).toContain('/login?next=');
  });

  it('an expired page’s sign-out answers with a page, not JSON', async () => {
    const page = await signIn('staff');
    await page.goto('/incidents');
    // The token in the page no longer matches (as after a restart with a new secret).
    await page.evaluate(`document.querySelector('form.signout input[name="_csrf"]').value = 'stale'`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForLoadState();
    expect(await page.textContent('h1')).toContain('Not allowed');
    expect(await page.textContent('main')).toContain('Reload the page');
    expect(await page.content()).not.toContain('{"error"');
  });

  it('keeps "Review now" hidden while capturing, and an incident page opened early follows the capture', async () => {
    const page = await signIn('staff');
    await page.click('#capture-button');
    await expect.poll(() => page.textContent('#progress-message')).toContain('Getting stills');
    const link = page.locator('#review-link');
    expect(await link.isVisible()).toBe(false);
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/incidents\//);
    await page.screenshot({ path: join(SHOTS, 'capture-in-progress.png') });

    // Opened early (say from the Incidents list) in a second tab: it says what it waits for, then shows the review.
    const early = await page.context().newPage();
    await early.goto(href!);
    expect(await early.textContent('#waiting')).toMatch(/Getting|Hiding|stills/);
    expect(await early.locator('.face-target').count()).toBe(0);
    await early.waitForSelector('.face-target', { timeout: 20_000 });
    expect(await early.locator('#waiting').count()).toBe(0);
    await page.waitForSelector('#review-link:not([hidden])', { timeout: 20_000 });
    expect(await link.isVisible()).toBe(true);
    await early.close();
  });

  it('warns before sending when a blur box covers the chosen subject', async () => {
    const id = await readyIncident(2);
    const page = await signIn('staff');
    await page.goto(`/incidents/${id}`);
    await page.waitForSelector('.face-target');
    const face = page.locator('figure.still').first().locator('.face-target').first();
    await face.click();
    await expect.poll(() => page.textContent('#subject-state')).toContain('Subject chosen');

    // A box dragged across the subject's face.
    await page.click('#draw-toggle');
    await face.scrollIntoViewIfNeeded();
    const fb = (await face.boundingBox())!;
    await page.mouse.move(fb.x + fb.width * 0.2, fb.y + fb.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(fb.x + fb.width * 0.9, fb.y + fb.height * 0.9, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => page.textContent('#review-message')).toContain('Blur box added');
    await page.click('#draw-toggle');
    await page.selectOption('#category', 'theft');
    await page.waitForTimeout(600);
    await page.click('#preview-button');
    await expect.poll(() => page.locator('#send-button').isEnabled(), { timeout: 10_000 }).toBe(true);

    await page.click('#send-button');
    await expect.poll(() => page.textContent('#send-message')).toContain('covers part of the chosen subject');
    await page.waitForTimeout(500);
    expect((await dev.incidents.get(id))?.status).toBe('in-review');
    expect(await page.textContent('#send-button')).toContain('Send anyway');
    await page.screenshot({ path: join(SHOTS, 'review-box-over-subject.png'), fullPage: true });

    // Staff who meant it can still send.
    await page.click('#send-button');
    await expect.poll(() => page.textContent('#send-message')).toContain('Sent to the partnership');
  });

  it('manager tables tell incidents apart: camera names, UK time with the date written out, category, status, paging and filters', async () => {
    // Enough incidents for a second page (20 a page), on two cameras.
    for (let i = 0; i < 22; i++)
      await dev.incidents.trigger({ camera: i % 2 === 0 ? 1 : 3, source: 'web', actor: 'staff' });
    const page = await signIn('manager');
    await page.goto('/manager');
    const table = page.locator('#sar-incidents');
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('Till');
    expect(text).toContain('Spirits aisle');
    expect(text).not.toMatch(/camera \d/i);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T?\s?\d{2}:\d{2}/); // no ISO or UTC-style stamps
    expect(text).toMatch(/(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}/);
    expect(await table.locator('caption').textContent()).toMatch(/page 1 of 2/);
    expect(await table.locator('tbody tr').count()).toBe(20);
    // The hold picker names the camera and the time too.
    const option = (await page.locator('#hold-incident option').first().textContent()) ?? '';
    expect(option).toMatch(
      /^(Till|Door|Spirits aisle), (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} — /,
    );
    await page.screenshot({ path: join(SHOTS, 'manager-tables.png'), fullPage: true });

    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/page=2/);
    expect(await page.locator('#sar-incidents caption').textContent()).toMatch(/page 2 of 2/);

    // Filter to one camera: every row is that camera.
    await page.selectOption('#sar-camera', { label: 'Till' });
    await page.locator('#sar').getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/camera=1/);
    const cameras = await page.locator('#sar-incidents tbody tr td:nth-child(3)').allTextContents();
    expect(cameras.length).toBeGreaterThan(0);
    expect(new Set(cameras)).toEqual(new Set(['Till']));
  });

  /** English sentences of the catalogue that the Welsh says differently (the longest fixed run of each, 12+ chars). */
  function englishRuns(): string[] {
    const forms = (m: Message): string[] =>
      typeof m === 'string' ? [m] : Object.values(m).filter((x): x is string => x !== undefined);
    return Object.entries(CATALOGUES.en).flatMap(([key, m]) => {
      const cy = forms(CATALOGUES.cy[key as keyof typeof CATALOGUES.cy]);
      return forms(m)
        .map(
          (f) =>
            f
              .split(/\{\w+\}/)
              .sort((a, b) => b.length - a.length)[0]
              ?.trim() ?? '',
        )
        .filter((run) => run.length >= 12 && !cy.some((c) => c.includes(run)));
    });
  }

  /** What a person reads or hears: visible text and the labels a screen reader speaks. */
  const readable = (page: Page): Promise<string> =>
    page.evaluate(`[document.body.innerText,
      ...[...document.querySelectorAll('[aria-label],[title],img[alt]')].map((el) =>
        [el.getAttribute('aria-label'), el.getAttribute('title'), el.getAttribute('alt')].join(' '))].join('\\n')`);

  it('a whole capture, review and send in Welsh, with Welsh dates and no English left on the way', async () => {
    const english = englishRuns();
    const leftovers = async (page: Page) => {
      const text = await readable(page);
      return english.filter((e) => text.includes(e));
    };
    // A browser set to Welsh: the sign-in page is Welsh before anyone signs in.
    const page = await signIn('staff', { width: 1366, height: 768 }, 'cy-GB');
    expect(await page.getAttribute('html', 'lang')).toBe('cy');
    await page.getByRole('button', { name: 'Cofnodi’r digwyddiad' }).click();
    await expect.poll(() => page.textContent('#progress-message'), { timeout: 10_000 }).toMatch(/lluniau|wyneb/);
    await page.waitForSelector('#review-link:not([hidden])', { timeout: 15_000 });
    expect(await page.textContent('#review-link')).toBe('Adolygu nawr');
    await page.click('#review-link');

    await page.waitForSelector('.face-target');
    expect(await leftovers(page)).toEqual([]);
    // Faces read left to right, each saying where it is.
    const labels = await page
      .locator('figure.still')
      .first()
      .locator('.face-target')
      .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
    expect(labels[0]).toMatch(/^Wyneb 1 o 3 ar lun 1, chwith/);
    expect(labels[2]).toMatch(/^Wyneb 3 o 3 ar lun 1, de/);
    // Review times and the title in Welsh: the date written out with a Welsh month.
    expect(await page.textContent('p.state time')).toMatch(
      /^(Llun|Maw|Mer|Iau|Gwen|Sad|Sul) \d{1,2} (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) \d{4}, \d{2}:\d{2}$/,
    );

    await page.locator('figure.still').first().locator('.face-target').nth(1).click();
    await expect.poll(() => page.textContent('#subject-state')).toContain('Mae’r gwrthrych wedi’i ddewis');
    // "Add a box" on the second still, not only the first.
    await page.getByRole('button', { name: 'Ychwanegu blwch ar lun 2' }).click();
    await expect.poll(() => page.textContent('#review-message')).toContain('yng nghanol llun 2');
    await page.selectOption('#category', 'theft');
    expect(await page.locator('#category option:checked').textContent()).toBe('Dwyn');
    await page.waitForTimeout(600);
    await page.getByRole('button', { name: 'Dangos beth fydd yn gadael y siop' }).click();
    await page.waitForSelector('#preview-fields tr');
    const fields = await page.locator('#preview-fields').innerText();
    expect(fields).toContain('Beth ddigwyddodd');
    expect(fields).toContain('Dwyn');
    expect(fields).toContain('Pryd (amser y DU)');
    expect(fields).not.toMatch(/\d{4}-\d{2}-\d{2}T/); // no ISO stamp
    // Written out in Welsh by the page script too (Chromium has no Welsh month names of its own).
    expect(fields).toMatch(
      /Pryd \(amser y DU\)\s+(Llun|Maw|Mer|Iau|Gwen|Sad|Sul) \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}/,
    );
    expect(fields).toMatch(/Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr/);
    expect(fields).not.toContain('demo-shop'); // the shop by name, not its slug
    await expect.poll(() => page.locator('#send-button').isEnabled()).toBe(true);
    expect(await leftovers(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'review-welsh.png'), fullPage: true });
    await page.click('#send-button');
    await expect.poll(() => page.textContent('#send-message')).toContain('Wedi’i anfon i’r bartneriaeth');

    await page.goto('/incidents');
    expect(await page.getAttribute('html', 'lang')).toBe('cy');
    expect(await leftovers(page)).toEqual([]);
    // The switch on the page goes back to English and stays with this account.
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL('**/incidents');
    expect(await page.getAttribute('html', 'lang')).toBe('en-GB');
    expect(await page.textContent('h1')).toBe('Incidents');
  });

  it('a manager’s hold says what was done, in the manager’s language, with a day/month/year date', async () => {
    await readyIncident();
    const page = await signIn('manager', { width: 1366, height: 768 }, 'cy-GB');
    await page.goto('/manager');
    const option = (await page.locator('#hold-incident option').first().textContent()) ?? '';
    await page.fill('#hold-reason', 'Yr heddlu yn ymchwilio');
    await page.fill('#hold-expires', '31/12/2030');
    await page.getByRole('button', { name: 'Cadw', exact: true }).click();
    const result = page.locator('#holds-section [data-result]');
    await expect.poll(() => result.textContent()).toContain(`Mae ${option.split(' — ')[0]} yn cael ei gadw`);
    await page.waitForSelector('#holds tbody tr');
    expect(await page.locator('#holds tbody tr').first().innerText()).toContain('31 Rhagfyr 2030');
  });

  it('a subject access export shows only the requester’s face, chosen on the page like staff choose a subject', async () => {
    const id = await readyIncident(2);
    const page = await signIn('manager');
    await page.goto('/manager?camera=2#sar');
    const form = page.locator('form[data-api="/api/sar-exports"]');
    await page.fill('#sar-reference', 'SAR-2026-020');
    // Asking for faces before ticking an incident says what to do first.
    await page.getByRole('button', { name: 'Choose the requester’s face' }).click();
    await expect.poll(() => page.textContent('#sar-faces')).toContain('Tick at least one incident first');
    await form.locator(`input[name="incidentIds"][value="${id}"]`).check();
    await page.getByRole('button', { name: 'Choose the requester’s face' }).click();
    const faces = page.locator('#sar-faces input[name="keep"]');
    await expect.poll(() => faces.count()).toBeGreaterThan(0);
    // Labelled for a keyboard and screen reader, numbered left to right as the CLI's "sar faces" numbers them.
    expect(await faces.first().getAttribute('aria-label')).toMatch(/^Face 1 of \d on still 1: this is the requester$/);
    const recorded: { keep?: Record<string, number> }[] = [];
    const real = dev.deps.sar;
    dev.deps.sar = {
      faces: (ids, actor) => real.faces(ids, actor),
      archive: (name, actor) => real.archive(name, actor),
      export: (request, actor) => {
        recorded.push(request);
        return real.export(request, actor);
      },
    };
    try {
      await page.getByRole('checkbox', { name: 'Face 2 of 3 on still 1: this is the requester' }).check();
      await expect.poll(() => page.textContent('#sar-faces-chosen')).toContain('1 face chosen');
      await form.locator('button[type="submit"]').click();
      const result = form.locator('[data-result]');
      await expect.poll(() => result.textContent()).toContain('the requester’s face shown on 1 image');
      // The answer downloads as one ZIP file that another reader opens.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download the answer (ZIP file)' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^SAR-2026-020.*\.zip$/);
      const saved = join(dataDir, 'downloaded.zip');
      await download.saveAs(saved);
      const py = spawnSync(
        '/usr/bin/python3',
        [
          '-c',
          'import zipfile,sys;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print(len(z.namelist()))',
          saved,
        ],
        { encoding: 'utf8' },
      );
      expect(Number(py.stdout.trim())).toBe(4);
    } finally {
      dev.deps.sar = real;
    }
    const stills = await dev.incidents.get(id);
    expect(recorded[0]?.keep).toEqual({ [stills!.stills[0]!.id]: 2 });
    await page.screenshot({ path: join(SHOTS, 'sar-requester.png'), fullPage: true });
  });
});

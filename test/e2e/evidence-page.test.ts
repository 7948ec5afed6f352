// The police master on the incident page, in Chromium (Debian's, through playwright-core), over the real
// acquisition: the project's NVR emulator refuses its download, so the master is an RTSP playback copied with
// ffmpeg in real time, which the page follows live (waiting for the window, bytes and seconds of footage, sealed
// with its hash) with the recorder's clock 3 s ahead flagged. A manager then exports the held incident for the
// police from the page: progress, every file with its SHA-256, a ZIP whose master is the sealed bytes, all audited.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masterReader } from '../../src/app/evidence-module.js';
import type { Role } from '../../src/core/ports/accounts.js';
import { type RunningWebServer, startWebServer } from '../../src/web/server.js';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { ROOT } from '../support/cli.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { type EvidenceRig, evidenceRig } from '../support/evidence.js';
import { devWeb, PASSWORDS, selfSignedCert, waitUntil } from '../web/support.js';

const run = promisify(execFile);
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const available = existsSync(CHROMIUM);
if (!available) console.log(`skipped: ${CHROMIUM} not present`);

describe.skipIf(!available)('the police master on the incident page, in chromium', () => {
  let rig: EvidenceRig;
  let dev: DevWeb;
  let server: RunningWebServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    rig = await evidenceRig({
      emulator: { quirks: ['download-refused', 'clock-skew'], clockSkewMs: 3000 },
      evidence: { clipPreSeconds: 4, clipPostSeconds: 8 },
    });
    // The web over the same data dir: accounts, holds and the incident list from the store, the master's state
    // and police exports from the running evidence module.
    dev = await devWeb(join(rig.dir, 'data'));
    const tls = selfSignedCert(rig.dir);
    server = await startWebServer(
      { ...dev.deps, masters: rig.evidence.status!, policeExports: rig.evidence.policeExports! },
      { bind: '127.0.0.1', port: 0, tls },
    );
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await rig?.stop();
    dev?.close();
  });

  async function signIn(role: Role, locale = 'en-GB'): Promise<Page> {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale,
      viewport: { width: 1280, height: 900 },
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

  let incidentId = '';

  it('follows the master live: waiting, bytes and seconds of footage, then sealed with its hash and the clock warning', async () => {
    const staff = await signIn('staff');
    incidentId = rig.capture.trigger({ camera: 1, source: 'web', actor: 'staff' }).id;
    const sealed = rig.settled(incidentId);
    // Opened once the stills are in (while they are taken the page follows the capture and reloads after it).
    await waitUntil(async () => (await dev.incidents.get(incidentId))?.status !== 'triggered', 15_000);
    await staff.goto(`/incidents/${incidentId}`);
    const state = staff.locator('#master-state');
    await expect
      .poll(() => state.textContent(), { timeout: 10_000 })
      .toMatch(/^Waiting for the end of the incident window/);
    // Staff see the state, not the export.
    expect(await staff.locator('#police-export').count()).toBe(0);
    // The RTSP copy runs in real time: the page shows seconds of footage climbing, with the bar.
    await expect
      .poll(() => state.textContent(), { timeout: 30_000, interval: 100 })
      .toMatch(/^Fetching the footage: [\d.]+ MB, [1-9][\d.]* of 12 seconds\.$/);
    expect(await staff.locator('#master-bar').isVisible()).toBe(true);
    await staff.screenshot({ path: join(SHOTS, 'evidence-acquiring.png'), fullPage: true });
    expect(await sealed).toEqual({ sealed: true });
    const m = masterReader(rig.app).sealedMaster(incidentId)!;
    await expect
      .poll(() => state.textContent(), { timeout: 10_000 })
      .toMatch(
        /^Sealed: [\d.]+ seconds of footage, [\d.]+ MB, copied from the recorder’s playback without re-encoding\.$/,
      );
    expect(await staff.locator('#master-sha256').textContent()).toBe(m.sha256);
    expect(await staff.locator('#master-bar').isVisible()).toBe(false);
    // The recorder runs 3 s ahead: said, and flagged (over 2 s).
    expect(await staff.locator('#master-clock').textContent()).toMatch(/^[23]\.\d s ahead of the appliance’s clock$/);
    expect(await staff.locator('#master-clock-warning').isVisible()).toBe(true);
    await staff.screenshot({ path: join(SHOTS, 'evidence-sealed.png'), fullPage: true });
    // Opened afresh, the page says the same without any event.
    await staff.reload();
    expect(await state.textContent()).toMatch(/^Sealed: /);
  }, 90_000);

  it('shows the same in Welsh', async () => {
    const page = await signIn('staff', 'cy-GB');
    await page.goto('/language?to=cy&next=/incidents/' + incidentId);
    expect(await page.locator('#master-state').textContent()).toMatch(/^Wedi’i selio: /);
    expect(await page.locator('#master-clock').textContent()).toMatch(/eiliad o flaen cloc y ddyfais$/);
    expect(await page.locator('#master-title').textContent()).toBe('Ffilm y recordydd i’r heddlu');
  }, 30_000);

  it('lets a manager export the held incident for the police from the page, with progress, hashes and the ZIP', async () => {
    const manager = await signIn('manager');
    // Not held yet: the page says to place a hold, and the API refuses.
    await manager.goto(`/incidents/${incidentId}`);
    expect(await manager.locator('#police-export').textContent()).toContain('Place an evidence hold');
    const token = (await manager.locator('meta[name="csrf-token"]').getAttribute('content')) ?? '';
    const res = await manager.request.post(`/api/incidents/${incidentId}/police-export`, {
      headers: { 'csrf-token': token },
      data: { officer: 'PC 1234 Jones', reference: 'CR/0042/26' },
    });
    const refused = { status: res.status(), body: await res.json() };
    expect(refused).toEqual({ status: 409, body: { error: expect.stringContaining('Place an evidence hold') } });
    dev.deps.holds.place({
      incidentId,
      reason: 'police investigation',
      reference: 'CR/0042/26',
      actor: { name: 'manager', role: 'manager' },
    });
    // From the manager page's holds table to the incident's export form.
    await manager.goto('/manager');
    await manager.click(`#holds a[href="/incidents/${incidentId}#police-export"]`);
    await manager.waitForURL((u) => u.pathname === `/incidents/${incidentId}`);
    await manager.fill('#police-officer', 'PC 1234 Jones');
    await manager.fill('#police-reference', 'CR/0042/26');
    await manager.click('#police-export button[type="submit"]');
    // Every message the export shows on its way, read as it changes, until it is ready.
    const message = manager.locator('#police-message');
    const messages: string[] = [];
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const text = (await message.textContent()) ?? '';
      if (messages.at(-1) !== text) messages.push(text);
      if (/^Export ready|could not|no longer|Nothing is left|does not match/.test(text)) break;
      await manager.waitForTimeout(50);
    }
    expect(messages.at(-1)).toMatch(/^Export ready: \d+ files\. Recorded in the disclosure register \(entry \d+\)\.$/);
    expect(
      messages.some((t) => t.startsWith('Writing the recorder’s footage') || t.startsWith('Making the working copy')),
    ).toBe(true);
    const m = masterReader(rig.app).sealedMaster(incidentId)!;
    const rows = manager.locator('#police-result table tbody tr');
    const files = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(files).toContainEqual([`master/${m.recorderName}`, m.sha256, m.bytes!.toLocaleString()]);
    expect(files.map((f) => f[0])).toEqual(
      expect.arrayContaining(['SHA256SUMS', 'continuity.json', 'witness-statement.txt']),
    );
    expect(files.some((f) => /^working\/.*-WORKING-COPY\.mp4$/.test(f[0] ?? ''))).toBe(true);
    expect(await manager.locator('#police-result').textContent()).toMatch(
      /Exhibit reference of the footage: DEMO-SHOP|Exhibit reference of the footage: [A-Z0-9-]+-M1/,
    );
    await manager.screenshot({ path: join(SHOTS, 'evidence-police-export.png'), fullPage: true });
    // The ZIP: the master inside is the sealed bytes, and its SHA256SUMS checks out with the standard tool.
    const [download] = await Promise.all([manager.waitForEvent('download'), manager.click('#police-result a.button')]);
    const zip = join(rig.dir, 'police.zip');
    await download.saveAs(zip);
    const unzipDir = join(rig.dir, 'unzipped');
    await run('unzip', ['-q', zip, '-d', unzipDir]);
    const [folder] = (await run('ls', [unzipDir])).stdout.trim().split('\n');
    const master = readFileSync(join(unzipDir, folder!, 'master', m.recorderName!));
    expect(createHash('sha256').update(master).digest('hex')).toBe(m.sha256);
    const check = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: join(unzipDir, folder!) });
    expect(check.stdout).toContain(`master/${m.recorderName}: OK`);
    // Audited: the export in the disclosure register (as from the CLI), and the download.
    const audit = [...rig.app.audit.entries()];
    expect(audit.find((e) => e.action === 'police-export')?.details).toMatchObject({
      recipient: 'PC 1234 Jones',
      reference: 'CR/0042/26',
      master: { sha256: m.sha256 },
    });
    expect(
      audit.find((e) => e.action === 'export' && e.details['purpose'] === 'police-download')?.details,
    ).toMatchObject({
      incidentId,
      masterSha256: m.sha256,
    });
    expect(rig.app.audit.verify().ok).toBe(true);
  }, 120_000);
});

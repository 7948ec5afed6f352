// The one-command demo, built binary and all: `bcrp-edge demo` starts the NVR emulator, mosquitto, the hub and
// the appliance; in Chromium staff capture from the emulator, choose the subject the real face detector found,
// send, and see the hub's acknowledgement; on the hub page a demo member signs in and sees the packet as verified,
// with its redacted images. SIGINT must then leave no process behind.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOSQUITTO } from '../../src/adapters/mqtt/dev-mosquitto.js';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { BIN, ROOT, runBin, startBin, waitFor } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const missing = [CHROMIUM, BIN].filter((p) => !existsSync(p));
if (!MOSQUITTO) missing.push('mosquitto');
if (missing.length) console.log(`skipped: ${missing.join(', ')} not present`);

/** Every process below `pid` (children, grandchildren…). */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of rows)
      if (pp === p) {
        out.push(c);
        walk(c);
      }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(missing.length > 0)('bcrp-edge demo', () => {
  let demo: ReturnType<typeof startBin>;
  let browser: Browser;
  let url = '';
  let hubUrl = '';
  const passwords = new Map<string, string>();
  const hubPasswords = new Map<string, string>();
  let startedMs = 0;
  let dataDir = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = tempDir('bcrp-demo-e2e-');
    const t0 = Date.now();
    dataDir = join(dir, 'demo');
    demo = startBin(['demo', '--port', '0', '--data-dir', dataDir, '--no-open']);
    await waitFor(
      () => /^ready https:\/\/127\.0\.0\.1:\d+$/m.test(demo.output()) || demo.exitCode !== null,
      60_000,
      'ready',
    );
    startedMs = Date.now() - t0;
    const out = demo.output();
    url = /^ready (https:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1] ?? '';
    hubUrl = /hub page[^:]*: (https:\/\/\S+)/.exec(out)?.[1] ?? '';
    for (const m of out.matchAll(/^ {2}(\w+)\s+user (\w+)\s+password (\S+)$/gm)) passwords.set(m[2]!, m[3]!);
    for (const m of out.matchAll(/^ {2}hub (\w+)\s+user (\w+)\s+password (\S+)$/gm)) hubPasswords.set(m[2]!, m[3]!);
    if (!url) throw new Error(`demo did not start:\n${out}`);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  });

  it('prints the accounts once and a ready line on loopback', () => {
    expect([...passwords.keys()].sort()).toEqual(['auditor', 'installer', 'manager', 'staff']);
    expect([...hubPasswords.keys()].sort()).toEqual(['administrator', 'member']);
    expect(hubUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    console.log(`demo start-up: ${startedMs} ms`);
  });

  it('staff capture from the emulator, choose the detected subject, send, and the hub acknowledges', async () => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: 'en-GB',
      viewport: { width: 1024, height: 768 },
      baseURL: url,
    });
    const page = await context.newPage();
    await page.goto('/login');
    await page.fill('#username', 'staff');
    await page.fill('#password', passwords.get('staff')!);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));

    await page.getByLabel('Till').check();
    const t0 = Date.now();
    await page.click('#capture-button');
    await page.waitForSelector('#review-link:not([hidden])', { timeout: 30_000 });
    expect(await page.textContent('#progress-message')).toContain('Ready');
    await page.click('#review-link');

    // The faces are the real detector's findings on the emulator's footage; no image shows an original.
    await page.waitForSelector('.face-target', { timeout: 20_000 });
    const faces = page.locator('figure.still').first().locator('.face-target');
    expect(await faces.count()).toBeGreaterThanOrEqual(2);
    await faces.first().click();
    await expect.poll(() => page.textContent('#subject-state'), { timeout: 10_000 }).toContain('Subject chosen');
    await page.selectOption('#category', 'theft');
    // A fresh demo has no YuNet file: BlazeFace stands in, the strip says so, and a context still goes only once a
    // reviewer has confirmed it.
    expect(await page.locator('#status [data-part="detector"]').getAttribute('title')).toMatch(/weaker face detector/);
    const second = page.locator('figure.still').nth(1);
    await second.locator('input[name="context"]').check();
    await page.waitForTimeout(600);
    await page.click('#preview-button');
    await expect
      .poll(() => page.textContent('#preview-missing'), { timeout: 10_000 })
      .toMatch(/confirm that still 2 shows no face left unhidden/);
    await second.locator('input[name="confirm"]').check();
    await page.waitForTimeout(600);
    await page.click('#preview-button');
    await page.waitForSelector('#preview-images img', { timeout: 20_000 });
    await expect.poll(() => page.textContent('#preview-missing'), { timeout: 10_000 }).toBe('');
    await expect.poll(() => page.locator('#preview-images img').count()).toBe(2);
    await expect.poll(() => page.locator('#send-button').isEnabled(), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'demo-review.png'), fullPage: true });
    await page.click('#send-button');
    await expect
      .poll(() => page.textContent('#send-message'), { timeout: 20_000 })
      .toContain('Sent to the partnership');
    await page.goto('/incidents');
    await page.waitForSelector('tr[data-status="acked"]', { timeout: 30_000 });
    console.log(`demo capture→ack (browser clicks included): ${Date.now() - t0} ms`);
    await page.screenshot({ path: join(SHOTS, 'demo-incidents.png') });

    await context.close();
    // The hub page is another site: its own sign-in, as a member of the partnership.
    const hubContext = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', baseURL: hubUrl });
    const hub = await hubContext.newPage();
    await hub.goto('/packets');
    await hub.waitForURL((u) => u.pathname.startsWith('/login'));
    await hub.fill('#username', 'member');
    await hub.fill('#password', hubPasswords.get('member')!);
    await hub.click('button[type="submit"]');
    await hub.waitForSelector('#packets');
    expect(await hub.textContent('#packets')).toContain('Signature verified');
    expect(await hub.textContent('#packets')).toContain('demo-shop');
    const img = hub.locator('#packets img').first();
    await expect
      .poll(() => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    await hub.screenshot({ path: join(SHOTS, 'demo-hub.png') });
    await hubContext.close();
  }, 120_000);

  it('a manager exports the incident for a subject access request from the manager page', async () => {
    // With the real wiring: the export folder is made on first use, and the page never shows where it went.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', baseURL: url });
    const page = await context.newPage();
    await page.goto('/login');
    await page.fill('#username', 'manager');
    await page.fill('#password', passwords.get('manager')!);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto('/manager');
    const form = page.locator('form[data-api="/api/sar-exports"]');
    await page.fill('#sar-reference', 'SAR-DEMO-1');
    await form.locator('input[name="incidentIds"]').first().check();
    await form.locator('button[type="submit"]').click();
    const result = form.locator('[data-result]');
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toMatch(/Exported|could not/);
    expect(await result.textContent()).toContain('Exported 1 incident');
    expect(await result.textContent()).not.toContain(dataDir);
    await context.close();
  }, 60_000);

  it('stops everything on SIGINT and leaves no process behind', async () => {
    const pid = demo.pid!;
    const before = descendants(pid);
    expect(before.length).toBeGreaterThanOrEqual(2); // mosquitto and the emulator's RTSP server at least
    const exited = new Promise<number | null>((r) => demo.once('exit', (code) => r(code)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(demo.output()).toContain('stopped');
    await waitFor(() => before.every((p) => !alive(p)), 5000, 'the demo’s children to exit');

    // The capture→ack path as the appliance's audit chain timed it (printed as a figure, not asserted).
    const out = join(dataDir, 'audit.jsonl');
    const r = await runBin(['audit', 'export', '-o', out, '--data-dir', join(dataDir, 'appliance')]);
    expect(r.code).toBe(0);
    const entries = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string; action: string; actor: string; subject: string });
    const trigger = entries.find((e) => e.action === 'trigger');
    expect(trigger).toBeDefined();
    const at = (action: string, actor?: string) =>
      entries.find((e) => e.subject === trigger!.subject && e.action === action && (!actor || e.actor === actor));
    const t0 = Date.parse(trigger!.time);
    const phases = [
      ['capture', at('capture')],
      ['redact', at('redact')],
      ['queued (staff)', at('packet-queue', 'staff')],
      ['published', at('send', 'system')],
      ['ack', at('ack')],
    ] as const;
    expect(phases.every(([, e]) => e !== undefined)).toBe(true);
    console.log(
      `demo audit timeline from trigger: ${phases.map(([n, e]) => `${n} +${Date.parse(e!.time) - t0} ms`).join(', ')}`,
    );
  }, 30_000);
});

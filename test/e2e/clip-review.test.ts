// The review page's clip in a real browser (Debian's chromium through playwright-core): the page waits for the
// clip and shows it when it is made (live, no reload), staff scrub it, pick the offender on a frame and see the clip
// made again with that face visible (pixels read back from the played video), and the frames where the offender's
// track was lost behind the pillar are flagged. Real ffmpeg and BlazeFace over drawn footage.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegVideo } from '../../src/adapters/ffmpeg/raw-video.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { SqliteClips } from '../../src/adapters/store/sqlite-clips.js';
import { aisleScene, faceBoxAt, writeScene } from '../../src/bench/clip-media.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { FaceDetector } from '../../src/core/ports/face-detector.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { ClipMaker } from '../../src/services/clips/clip-maker.js';
import { ClipService } from '../../src/services/clips/clip-service.js';
import { buildWebApp } from '../../src/web/app.js';
import { type RunningWebServer, startWebServer } from '../../src/web/server.js';
import { CHROMIUM, launchChromium } from '../support/browser.js';
import { ROOT } from '../support/cli.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { blazeface } from '../support/vision.js';
import { Client, devWeb, PASSWORDS, selfSignedCert, waitUntil } from '../web/support.js';

const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const available = existsSync(CHROMIUM);
if (!available) console.log(`skipped: ${CHROMIUM} not present`);

/** The played video's pixel at clip pixel (x, y) of the frame on screen (evaluated in the page, as a string: the
 * test's own TypeScript has no DOM types). */
function pixelAt(page: Page, x: number, y: number): Promise<[number, number, number]> {
  return page.evaluate(`(() => {
    const v = document.getElementById('clip-video');
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0);
    return Array.from(g.getImageData(${x}, ${y}, 1, 1).data.slice(0, 3));
  })()`);
}

/**
 * The clip on record is loaded in the player, on the frame the page says, not seeking. A function, not a string:
 * Playwright polls a string predicate with eval, which the page's CSP (no 'unsafe-eval') refuses once it must poll.
 */
const LOADED = (): boolean => {
  // Runs in the page; the project's TypeScript has no DOM types, so the few fields read are named here.
  type El = { dataset: Record<string, string | undefined>; readyState?: number; seeking?: boolean };
  const doc = (globalThis as unknown as { document: { getElementById(id: string): El | null } }).document;
  const root = doc.getElementById('clip');
  const v = doc.getElementById('clip-video');
  return Boolean(root && v && root.dataset.loaded === root.dataset.clip && (v.readyState ?? 0) >= 2 && !v.seeking);
};

describe.skipIf(!available)('the clip on the review page, in chromium', () => {
  let dev: DevWeb;
  let server: RunningWebServer;
  let browser: Browser;
  let detector: FaceDetector;
  let clips: ClipService;
  let incidentId: string;
  const scene = aisleScene(6);
  const k = 960 / 1280;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = tempDir('bcrp-clip-review-');
    const tls = selfSignedCert(dir);
    dev = await devWeb(join(dir, 'data'), { certificatePath: tls.certPath });
    const media = join(dir, 'aisle.mp4');
    await writeScene(scene, media);
    detector = await blazeface();
    const clock = new FixedClock('2026-11-23T10:00:00.000Z');
    clips = new ClipService({
      maker: new ClipMaker({ video: new FfmpegVideo(), detector }),
      source: { window: async () => ({ kind: 'file', path: media }) },
      store: new SqliteClips(dev.db),
      incidents: new SqliteIncidents(dev.db, { clock, ids: counterIds('clip-page') }),
      files: new EncryptedFiles(dev.db, join(dir, 'data'), { clock, ids: counterIds('key') }),
      audit: dev.audit,
      clock,
      preSeconds: 1,
      postSeconds: 5,
    });
    const deps = { ...dev.deps, clips };
    server = await startWebServer(deps, { bind: '127.0.0.1', port: 0, tls });
    const api = buildWebApp(deps);
    api.addHook('onRequest', async (request) => {
      (request.raw.socket as { encrypted?: boolean }).encrypted = true;
    });
    const staff = new Client(api);
    await staff.login('staff');
    incidentId = (await staff.request('POST', '/api/incidents', { camera: 1 })).json<{ id: string }>().id;
    await waitUntil(async () => (await dev.incidents.get(incidentId))?.status === 'in-review', 20_000);
    await api.close();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await clips?.whenIdle();
    dev?.close();
    await detector?.close();
  });

  it('shows the clip when it is made, keeps the picked offender visible and flags where they were lost', async () => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: 'en-GB',
      viewport: { width: 1100, height: 1400 },
      baseURL: server.url,
    });
    const page = await context.newPage();
    await page.goto('/login');
    await page.fill('#username', 'staff');
    await page.fill('#password', PASSWORDS.staff);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`/incidents/${incidentId}`);

    // No clip yet: the page says so, then shows it as soon as it is made (the live update, no reload).
    await expect.poll(() => page.textContent('#clip-state')).toContain('being made');
    expect(await page.isVisible('#clip-player')).toBe(false);
    await clips.makeFor(incidentId);
    await page.waitForSelector('#clip-player', { state: 'visible', timeout: 20_000 });
    expect(await page.textContent('#clip-state')).toContain('Every face is filled');
    const loaded = () => page.waitForFunction(LOADED);
    await loaded();

    // Scrub to 1 s (frame 9 of 48): the offender-to-be (walker 1) is filled there.
    await page.locator('#clip-scrub').fill('8');
    await expect.poll(() => page.textContent('#clip-time')).toContain('frame 9');
    const face = faceBoxAt(scene.walkers[1]!, 1).map((v) => v * k);
    const cx = Math.round(face[0]! + face[2]! / 2);
    const cy = Math.round(face[1]! + face[3]! / 2);
    await loaded();
    await page.screenshot({ path: join(SHOTS, 'review-clip-filled.png'), fullPage: true });
    const before = await pixelAt(page, cx, cy);
    expect(Math.max(...before)).toBeLessThan(60); // the fill colour (32,32,32)

    // Pick the offender: tap their face on the video. The clip is made again with that face kept.
    const sha = await page.getAttribute('#clip', 'data-clip');
    await page.click('#clip-pick');
    const overlay = await page.locator('#clip-overlay').boundingBox();
    if (!overlay) throw new Error('no overlay');
    await page.mouse.click(overlay.x + (cx / 960) * overlay.width, overlay.y + (cy / 540) * overlay.height);
    await expect.poll(() => page.getAttribute('#clip', 'data-clip'), { timeout: 90_000 }).not.toBe(sha);
    expect(await page.textContent('#clip-state')).toContain('The offender stays visible');
    expect(await page.getAttribute('#clip', 'data-subject-tracks')).toBe('1');
    expect(await page.textContent('#clip-message')).toContain('made again');
    await loaded();
    await expect.poll(() => page.textContent('#clip-time')).toContain('frame 9');
    const after = await pixelAt(page, cx, cy);
    expect(Math.max(...after)).toBeGreaterThan(100); // the drawn face, no longer filled
    const made = [...dev.audit.entries()].filter((e) => e.action === 'clip' && e.subject === incidentId);
    expect(made.at(-1)?.actor).toBe('staff');

    // Walker 1 passes behind the pillar: the page lists where the offender was lost and warns on those frames.
    const lost = page.locator('#clip-warnings li', { hasText: 'Offender lost' });
    await expect.poll(() => lost.count()).toBeGreaterThan(0);
    await lost.first().getByRole('button', { name: 'Go to it' }).click();
    await page.waitForSelector('#clip-lost', { state: 'visible' });
    expect(await page.textContent('#clip-lost')).toContain('track was lost');
    await page.screenshot({ path: join(SHOTS, 'review-clip-lost.png'), fullPage: true });
    await context.close();
  }, 240_000);
});

// Field behaviour of real recorders, replayed by the emulator's quirk modes (ISAPI side on 127.0.0.1, the test
// pattern as media): each mode is met by the product's own client, frame source, watcher and self-test, and the
// test asserts what an installer or a capture would notice — the still arrives, the fallback is named, the
// password is tried once and not again, the clock offset is measured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsapiEmulator } from '../../src/adapters/nvr/emulator/isapi-server.js';
import { testPatternClip } from '../../src/adapters/nvr/emulator/media.js';
import { parseQuirks, QUIRK_NAMES, quirkList } from '../../src/adapters/nvr/emulator/quirks.js';
import { AlertStreamWatcher } from '../../src/adapters/nvr/isapi/alert-stream.js';
import { listCameraChannels, listCameras } from '../../src/adapters/nvr/isapi/cameras.js';
import { IsapiClient, type IsapiOptions, type LoginRefusal } from '../../src/adapters/nvr/isapi/client.js';
import { HikvisionFrameSource } from '../../src/adapters/nvr/isapi/hikvision-frame-source.js';
import { readIsapiClock } from '../../src/adapters/nvr/isapi/recorder-clock.js';
import type { AlertEvent } from '../../src/adapters/nvr/isapi/xml.js';
import { isapiAnswers } from '../../src/adapters/nvr/onvif/discovery.js';
import { runNvrSelfTest } from '../../src/adapters/nvr/self-test.js';
import { FixedClock, systemClock } from '../../src/core/ports/clock.js';
import { runCli } from '../support/cli.js';
import { isJpeg } from '../support/nvr.js';

let media: string;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  media = await testPatternClip();
}, 60_000);
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

type Emu = ReturnType<typeof buildIsapiEmulator> & { port: number };

async function isapiEmulator(
  quirks: string,
  extra: Partial<Parameters<typeof buildIsapiEmulator>[0]> = {},
): Promise<Emu> {
  const app = buildIsapiEmulator({
    username: 'admin',
    password: 'Passw0rd!',
    media: [media],
    mediaSeconds: [30],
    rtspBase: () => 'rtsp://127.0.0.1:1',
    heartbeatMs: 100,
    quirks: parseQuirks(quirks),
    ...extra,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => app.close());
  return Object.assign(app, { port: (app.server.address() as { port: number }).port });
}

function client(emu: Emu, o: Partial<IsapiOptions> = {}): IsapiClient {
  const c = new IsapiClient({
    scheme: 'http',
    host: '127.0.0.1',
    port: emu.port,
    username: 'admin',
    password: 'Passw0rd!',
    timeoutMs: 3000,
    retries: 0,
    ...o,
  });
  closers.push(() => c.close());
  return c;
}

const frames = (c: IsapiClient, o: Partial<ConstructorParameters<typeof HikvisionFrameSource>[1]> = {}) =>
  new HikvisionFrameSource(c, {
    host: '127.0.0.1',
    rtspPort: 1,
    username: 'admin',
    password: 'Passw0rd!',
    stallMs: 5000,
    ...o,
  });

describe('the quirk list', () => {
  it('names every mode once, with the issue item it reproduces, and refuses unknown names', () => {
    const lines = quirkList();
    expect(lines).toHaveLength(QUIRK_NAMES.length);
    for (const n of QUIRK_NAMES) expect(lines.some((l) => l.startsWith(`${n} `))).toBe(true);
    const items = new Set(lines.map((l) => Number(/^\S+\s+(\d+)/.exec(l)?.[1])));
    expect([...items].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(() => parseQuirks('picture-400,nope')).toThrow(/unknown quirk nope: use picture-400/);
  });

  it('`nvr-emulator --quirks list` prints it; a bad name is a usage error', async () => {
    const ok = await runCli(['nvr-emulator', '--quirks', 'list']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.split('\n')).toHaveLength(QUIRK_NAMES.length);
    const bad = await runCli(['nvr-emulator', '--quirks', 'picture-401']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--quirks: unknown quirk picture-401/);
  });
});

describe('1–3: the channel picture refused, the streaming proxy used', () => {
  for (const [quirk, answered] of [
    ['picture-400', /answered 400 \(badXmlContent\)/],
    ['picture-403', /answered 403 \(notSupport\)/],
    ['picture-xml', /answered 200 with a ResponseStatus instead of a JPEG/],
  ] as const) {
    it(`${quirk}: the snapshot is a JPEG from StreamingProxy and the reason is kept`, async () => {
      const emu = await isapiEmulator(quirk);
      const f = frames(client(emu));
      const still = await f.snapshot(1);
      expect(isJpeg(still.jpeg)).toBe(true);
      expect(f.pictureRoute(1)).toEqual({
        path: '/ISAPI/ContentMgmt/StreamingProxy/channels/101/picture',
        workedAround: expect.stringMatching(answered),
      });
      expect(isJpeg((await f.snapshot(1)).jpeg)).toBe(true); // remembered: straight to the proxy
    });
  }

  it('a camera with no proxy either: the error names both answers', async () => {
    const emu = await isapiEmulator('picture-400,camera');
    const err = await frames(client(emu))
      .snapshot(1)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'nvr-not-found' });
    expect((err as Error).message).toMatch(/channel picture endpoint had answered 400 \(badXmlContent\)/);
  });
});

describe('4: a standalone camera', () => {
  it('403 on InputProxy/channels falls back to the streaming channels instead of failing as a login', async () => {
    const emu = await isapiEmulator('camera');
    const c = client(emu);
    expect(await listCameras(c)).toEqual([{ id: 1, name: 'Camera 1', online: true }]);
    const listing = await listCameraChannels(c);
    expect(listing.path).toBe('/ISAPI/Streaming/channels');
    expect(listing.workedAround).toMatch(/InputProxy\/channels answered 403/);
    expect(c.loginRefusal).toBeUndefined();
  });

  it('a wrong password is still reported as one, not hidden by the fallback', async () => {
    const emu = await isapiEmulator('camera');
    await expect(listCameras(client(emu, { password: 'wrong' }))).rejects.toMatchObject({
      code: 'nvr-auth-failed',
      message: expect.stringMatching(/wrong user name or password/),
    });
  });
});

describe('6: discover wants a real DeviceInfo', () => {
  it('a web server answering 200 with a page is not ISAPI; a recorder asking for digest is', async () => {
    const page = await isapiEmulator('not-isapi');
    const nvr = await isapiEmulator('');
    expect(await isapiAnswers(`http://127.0.0.1:${page.port}/onvif/device_service`, 2000)).toBe('no');
    expect(await isapiAnswers(`http://127.0.0.1:${nvr.port}/onvif/device_service`, 2000)).toBe('login');
  });
});

describe('7: the illegal-login lock', () => {
  it('stops after the first definite 401, refuses locally until a slow retry, tells once, and recovers', async () => {
    const emu = await isapiEmulator('login-lock', { lockAfter: 3, lockSeconds: 600 });
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    const told: LoginRefusal[] = [];
    let restored = 0;
    const c = client(emu, {
      password: 'Changed-on-the-NVR',
      clock,
      loginRetryMs: [60_000, 300_000],
      onLoginRefused: (r) => told.push(r),
      onLoginRestored: () => restored++,
    });
    const first = await c.getXml('/ISAPI/System/deviceInfo', 'device info').catch((e: unknown) => e);
    expect(first).toMatchObject({
      code: 'nvr-auth-failed',
      message: expect.stringMatching(/wrong user name or password/),
    });
    expect(emu.failedLogins()).toBe(1);
    // Everything that shares the client — captures, the status probe, the event stream — is refused locally.
    const watcher = new AlertStreamWatcher(c, { onEvent: () => {}, backoffMs: 20, maxBackoffMs: 40 });
    watcher.start();
    for (let i = 0; i < 5; i++) {
      const again = await c.get('/ISAPI/Streaming/channels/101/picture', 'snapshot').catch((e: unknown) => e);
      expect((again as Error).message).toMatch(
        /not trying again until 10:01 UTC so the NVR does not lock the user out/,
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    await watcher.stop();
    expect(emu.failedLogins()).toBe(1);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ locked: false, attempts: 1, until: new Date('2026-11-23T10:01:00Z') });

    // The retry is due: one attempt (it fails again, so the next pause is longer), never a burst.
    clock.advance(61_000);
    await Promise.all([1, 2, 3].map(() => c.getXml('/ISAPI/System/deviceInfo', 'device info').catch(() => undefined)));
    expect(emu.failedLogins()).toBe(2);
    expect(c.loginRefusal?.until).toEqual(new Date(clock.now().getTime() + 300_000));
    expect(restored).toBe(0);
  });

  it('a recorder that says it locked the user: the message says so and the pause lasts the lock', async () => {
    const emu = await isapiEmulator('login-lock', { lockAfter: 1, lockSeconds: 1200 });
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    // Someone else (an old phone app, a colleague) already locked the user with the wrong password.
    await client(emu, { password: 'wrong' })
      .getXml('/ISAPI/System/deviceInfo', 'x')
      .catch(() => undefined);
    const c = client(emu, { clock, loginRetryMs: [60_000] });
    const err = await c.getXml('/ISAPI/System/deviceInfo', 'device info').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/has locked user "admin" out after failed logins for 1[12]\d\d s/);
    expect(c.loginRefusal?.locked).toBe(true);
    expect(c.loginRefusal!.until.getTime() - clock.now().getTime()).toBeGreaterThan(1_100_000);
  });

  it('a right password after a refusal reopens the guard and says so', async () => {
    const emu = await isapiEmulator('');
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    let restored = 0;
    const o = { clock, loginRetryMs: [1000], onLoginRestored: () => restored++ };
    const wrong = client(emu, { ...o, password: 'old' });
    await wrong.getXml('/ISAPI/System/deviceInfo', 'x').catch(() => undefined);
    expect(wrong.loginRefusal).toBeDefined();
    // The installer fixes the password on the NVR to the one configured: next due try succeeds.
    emu.failedLogins();
    clock.advance(1500);
    const right = client(emu, { ...o });
    await right.getXml('/ISAPI/System/deviceInfo', 'x');
    expect(right.loginRefusal).toBeUndefined();
  });
});

describe('8: digest variants and Basic', () => {
  for (const [quirk, variant] of [
    ['sha256-only', 'Digest SHA-256'],
    ['no-algorithm', 'Digest MD5 (no algorithm= offered)'],
    ['multi-challenge', 'Digest SHA-256'],
  ] as const) {
    it(`${quirk}: logs in with ${variant}`, async () => {
      const emu = await isapiEmulator(quirk);
      const c = client(emu);
      expect(await c.getXml('/ISAPI/System/deviceInfo', 'device info')).toContain('<DeviceInfo');
      expect(c.authVariant).toBe(variant);
      expect(emu.failedLogins()).toBe(0);
    });
  }

  it('basic-only over http: refused with the fix, no password sent; allowed explicitly it works', async () => {
    const emu = await isapiEmulator('basic-only');
    const err = await client(emu)
      .getXml('/ISAPI/System/deviceInfo', 'device info')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'nvr-auth-failed' });
    expect((err as Error).message).toMatch(/offers only Basic login.*clear text over http.*nvr.allowBasicAuth/);
    expect(emu.failedLogins()).toBe(0);
    const allowed = client(emu, { allowBasic: true });
    expect(await allowed.getXml('/ISAPI/System/deviceInfo', 'device info')).toContain('<DeviceInfo');
    expect(allowed.authVariant).toBe('Basic');
  });
});

describe('9 and 11: search by POST, POSIX zones, the recorder clock', () => {
  it('search-post-only: GET is refused, the product searches with POST', async () => {
    const emu = await isapiEmulator('search-post-only');
    const c = client(emu);
    await expect(c.get('/ISAPI/ContentMgmt/search', 'search')).rejects.toMatchObject({ status: 403 });
    const uri = await frames(c).search(1, new Date(Date.now() - 60_000), new Date(Date.now() - 50_000));
    expect(uri).toMatch(/^rtsp:\/\/127\.0\.0\.1:1\/Streaming\/tracks\/101\/\?starttime=/);
  });

  it('posix-tz: local time without an offset is read through the POSIX zone', async () => {
    const emu = await isapiEmulator('posix-tz');
    const r = await readIsapiClock(client(emu), systemClock);
    expect(r.timeZone).toBe('CET-1CEST,M3.5.0,M10.5.0/3');
    expect(Math.abs(r.offsetMs)).toBeLessThan(1500);
  });

  it('clock-skew: the offset is measured, and playback asks for the recorder time', async () => {
    const emu = await isapiEmulator('clock-skew', { clockSkewMs: -30_000 });
    const f = frames(client(emu));
    const r = await f.recorderClock();
    expect(r.offsetMs).toBeGreaterThan(-31_500);
    expect(r.offsetMs).toBeLessThan(-28_500);
    const from = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const uri = await f.search(1, new Date(from.getTime() + r.offsetMs), new Date(from.getTime() + r.offsetMs + 5000));
    const asked = /starttime=(\d{8}T\d{6}Z)/.exec(uri)?.[1];
    expect(asked).toBeDefined();
  });
});

describe('10: the event stream', () => {
  it('alert-empty: events with empty elements still arrive as IO presses', async () => {
    const emu = await isapiEmulator('alert-empty');
    const got: AlertEvent[] = [];
    const problems: string[] = [];
    const w = new AlertStreamWatcher(client(emu), {
      onEvent: (e) => got.push(e),
      onProblem: (p) => problems.push(p),
    });
    w.start();
    await new Promise((r) => setTimeout(r, 400));
    emu.raiseIo(1);
    await new Promise((r) => setTimeout(r, 300));
    await w.stop();
    const io = got.filter((e) => e.eventType === 'IO');
    expect(io).toEqual([
      expect.objectContaining({ inputIOPortID: 1, eventState: 'active', activePostCount: undefined }),
    ]);
    expect(problems).toEqual([]);
  });

  it('no-heartbeat: silence makes no disconnected state while the recorder answers, and IO still arrives', async () => {
    const emu = await isapiEmulator('no-heartbeat');
    const states: string[] = [];
    const got: AlertEvent[] = [];
    const w = new AlertStreamWatcher(client(emu), {
      silenceMs: 250,
      onEvent: (e) => got.push(e),
      onState: (s) => states.push(s),
    });
    w.start();
    await new Promise((r) => setTimeout(r, 1400));
    // A press is raised until one arrives: a reopening leaves a moment with no stream open, as on a real recorder.
    const end = Date.now() + 3000;
    while (!got.some((e) => e.eventType === 'IO') && Date.now() < end) {
      emu.raiseIo(2);
      await new Promise((r) => setTimeout(r, 50));
    }
    await w.stop();
    expect(states).toEqual(['connected']);
    expect(w.quietReopens).toBeGreaterThanOrEqual(3);
    const io = got.filter((e) => e.eventType === 'IO').map((e) => e.inputIOPortID);
    expect(io.length).toBeGreaterThan(0);
    expect(io.every((i) => i === 2)).toBe(true);
  });

  it('a recorder that goes away after silence is reported down, and stays down without flapping', async () => {
    const emu = await isapiEmulator('no-heartbeat');
    const states: string[] = [];
    const w = new AlertStreamWatcher(client(emu, { timeoutMs: 500 }), {
      silenceMs: 200,
      backoffMs: 50,
      onEvent: () => {},
      onState: (s) => states.push(s),
    });
    w.start();
    await new Promise((r) => setTimeout(r, 300));
    await emu.close();
    await new Promise((r) => setTimeout(r, 900));
    await w.stop();
    expect(states[0]).toBe('connected');
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(states.slice(1).every((s) => s === 'disconnected')).toBe(true);
  });
});

describe('the self-test in quirk modes (ISAPI side only: live and playback are covered in doctor-nvr)', () => {
  it('io-not-notified: the alarm input step fails with the Notify Surveillance Center menu path', async () => {
    const emu = await isapiEmulator('io-not-notified');
    const steps = await runNvrSelfTest({
      isapi: {
        scheme: 'http',
        host: '127.0.0.1',
        port: emu.port,
        username: 'admin',
        password: 'Passw0rd!',
        timeoutMs: 2000,
      },
      rtspPort: 1,
      cameras: [],
      alarmInputs: [3],
      clock: systemClock,
      stallMs: 1000,
      listenMs: 400,
    });
    const io = steps.find((s) => s.id === 'io-input')!;
    expect(io.status).toBe('fail');
    expect(io.fix).toMatch(
      /Alarm Input > A<-3: tick Enable Alarm Input Handling; Linkage Method: tick Notify Surveillance Center; Arming Schedule/,
    );
    expect(steps.find((s) => s.id === 'alert-stream')?.status).toBe('ok');
  });

  it('login-lock with a wrong password: one failed login, the rest skipped', async () => {
    const emu = await isapiEmulator('login-lock');
    const steps = await runNvrSelfTest({
      isapi: {
        scheme: 'http',
        host: '127.0.0.1',
        port: emu.port,
        username: 'admin',
        password: 'nope',
        timeoutMs: 2000,
      },
      rtspPort: 1,
      cameras: [1, 2],
      alarmInputs: [1],
      clock: systemClock,
      stallMs: 1000,
    });
    expect(steps.map((s) => `${s.id}:${s.status}`)).toEqual(['login:fail', 'rest:skip']);
    expect(steps[0]!.fix).toMatch(/will not try the password again before \d\d:\d\d UTC/);
    expect(emu.failedLogins()).toBe(1);
  });
});

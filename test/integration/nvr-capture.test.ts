// Real ffmpeg against the emulator's real RTSP server, and the capture command end to end: a stream that never
// sends a frame, a wrong RTSP password and a closed port each give their own error without a hang or a password;
// `capture --camera` stores encrypted originals and audits them; `capture --rtsp` writes decodable JPEGs.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { grabFrames } from '../../src/adapters/ffmpeg/frame-grabber.js';
import { emulatorNvrConfig, type RunningEmulator } from '../../src/adapters/nvr/emulator/emulator.js';
import { RtspFrameSource } from '../../src/adapters/nvr/rtsp-frame-source.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { emulator, isJpeg } from '../support/nvr.js';
import { silentRtspServer } from '../support/silent-rtsp.js';
import { tempDir } from '../support/tmp.js';

let emu: RunningEmulator;
const url = (path: string, password = emu.password) =>
  `rtsp://${emu.username}:${encodeURIComponent(password)}@127.0.0.1:${emu.rtspPort}${path}`;

beforeAll(async () => {
  emu = await emulator({ password: 'Passw0rd!' });
});

describe('ffmpeg against the RTSP side', () => {
  it('stops a stream that never sends a frame after the stall timeout', async () => {
    const { port } = await silentRtspServer();
    const t0 = Date.now();
    const err = await grabFrames({
      url: `rtsp://admin:Passw0rd!@127.0.0.1:${port}/Streaming/Channels/101`,
      count: 1,
      stallMs: 1500,
      what: 'live stream of camera 1',
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'stream-no-frames' });
    expect((err as Error).message).toBe('the live stream of camera 1 sent no frame within 1500 ms (ffmpeg stopped)');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('tells a wrong password from a missing path from a closed port, with no password anywhere', async () => {
    const logs: string[] = [];
    const wrong = await grabFrames({
      url: url('/Streaming/Channels/101', 'Wr0ng-pass'),
      count: 1,
      stallMs: 8000,
      onLog: (l) => logs.push(l),
    }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'nvr-auth-failed' });
    const missing = await grabFrames({
      url: url('/Streaming/Channels/901'),
      count: 1,
      stallMs: 8000,
      onLog: (l) => logs.push(l),
    }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'nvr-not-found' });
    const port = await freePort();
    const closed = await grabFrames({
      url: `rtsp://admin:Passw0rd!@127.0.0.1:${port}/Streaming/Channels/101`,
      count: 1,
      stallMs: 8000,
      onLog: (l) => logs.push(l),
    }).catch((e: unknown) => e);
    expect(closed).toMatchObject({ code: 'nvr-unreachable' });
    const all = [wrong, missing, closed].map((e) => (e as Error).message).join('\n') + logs.join('\n');
    expect(logs.some((l) => l.includes('[redacted]@127.0.0.1'))).toBe(true); // ffmpeg did print the URL; it was scrubbed
    expect(all).not.toMatch(/Wr0ng-pass|Passw0rd!/);
  });

  it('grabs spaced live frames as decodable JPEGs', async () => {
    const frames = await new RtspFrameSource(url('/Streaming/Channels/101'), { stallMs: 8000 }).live(1, 3, 300);
    expect(frames).toHaveLength(3);
    for (const f of frames) expect((await sharp(f.jpeg).metadata()).width).toBe(640);
  });
});

describe('bcrp-edge capture', () => {
  it('--camera captures, stores only encrypted originals, audits, and reports in JSON', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      nvr: emulatorNvrConfig(emu, join(dir, 'nvr-password'), [{ id: 1, name: 'Till' }]),
    });
    const data = join(dir, 'data');
    const r = await runCli([
      'capture',
      '--camera',
      '1',
      '--pre',
      '4',
      '--post',
      '2',
      '--json',
      '--config',
      config,
      '--data-dir',
      data,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      status: string;
      stills: { origin: string; width: number }[];
      triggerMs: number;
    };
    expect(out.status).toBe('captured');
    expect(out.stills).toHaveLength(5);
    expect(new Set(out.stills.map((s) => s.origin))).toEqual(new Set(['snapshot', 'playback', 'live']));
    // Nothing under the data dir is a plain JPEG.
    const files = walk(join(data, 'files'));
    expect(files.length).toBe(5);
    for (const f of files) expect(isJpeg(readFileSync(f))).toBe(false);
    const v = await runCli(['audit', 'verify', '--json', '--data-dir', data]);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, entries: 2 });
    expect(r.stdout).not.toContain('Passw0rd!');
  });

  it('--camera against a wrong password fails with its reason and exit 1, the trigger still recorded', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      nvr: emulatorNvrConfig(emu, join(dir, 'wrong'), [{ id: 1, name: 'Till' }]),
    });
    writeFileSync(join(dir, 'wrong'), 'not-the-password\n', { mode: 0o600 });
    const r = await runCli([
      'capture',
      '--camera',
      '1',
      '--post',
      '0',
      '--json',
      '--config',
      config,
      '--data-dir',
      join(dir, 'data'),
    ]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { status: string; reason: string };
    expect(out.status).toBe('capture-failed');
    expect(out.reason).toMatch(/refused/);
    expect(r.stdout + r.stderr).not.toContain('not-the-password');
  });

  it('--rtsp writes decodable JPEGs and prints their paths without the password', async () => {
    const dir = tempDir();
    const r = await runCli([
      'capture',
      '--rtsp',
      url('/Streaming/Channels/101'),
      '--count',
      '2',
      '-o',
      join(dir, 'out'),
      '--reason',
      'checking the till camera after a firmware update',
      '--actor',
      'ian',
      '--data-dir',
      join(dir, 'data'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(join(dir, 'out'));
    expect(files).toEqual(['frame-001.jpg', 'frame-002.jpg']);
    for (const f of files) expect((await sharp(readFileSync(join(dir, 'out', f))).metadata()).format).toBe('jpeg');
    expect(r.stdout).toContain(join(dir, 'out', 'frame-001.jpg'));
    expect(r.stdout).not.toContain('Passw0rd!');
    // Unredacted frames left the store: who (claimed and OS login), what (files and hashes) and why are audited.
    const db = new Database(join(dir, 'data', 'bcrp-edge.sqlite'), { readonly: true });
    const row = db.prepare("SELECT actor, details FROM audit_log WHERE action = 'capture'").get() as {
      actor: string;
      details: string;
    };
    db.close();
    const details = JSON.parse(row.details) as Record<string, unknown>;
    expect(row.actor).toBe('ian');
    expect(details).toMatchObject({ unredacted: true, reason: 'checking the till camera after a firmware update' });
    expect(details['frames']).toHaveLength(2);
    expect(details['cli']).toMatchObject({ osUser: expect.any(String) });
    expect(row.details).not.toContain('Passw0rd!');
  });

  it('refuses --rtsp without a reason, writing nothing', async () => {
    const dir = tempDir();
    const r = await runCli(['capture', '--rtsp', url('/Streaming/Channels/101'), '-o', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/audited: say why with --reason/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('rejects bad usage clearly', async () => {
    expect((await runCli(['capture'])).stderr).toMatch(/--camera N or --rtsp URL is required/);
    expect((await runCli(['capture', '--rtsp', 'http://x', '-o', '/tmp/x', '--reason', 'r'])).stderr).toMatch(
      /must be an rtsp:\/\/ URL/,
    );
    expect((await runCli(['capture', '--camera', '0'])).code).toBe(2);
  });
});

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

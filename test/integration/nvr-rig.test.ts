// The grabber against ../shared/rig/rtsp-server.py, an independent implementation of a Hikvision recorder's RTSP
// side (when ../shared is present): live and playback paths, and the wrong-password case. Each case gets its own
// rig server: the rig's looping media can hang rtsp-server when sessions open and close back to back (it holds
// back the first ASYNC_DONE to arm its loop; the project's emulator loops without doing so), which would make one
// case fail for another's session.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { grabFrames } from '../../src/adapters/ffmpeg/frame-grabber.js';
import { sharedOrSkip } from '../support/shared.js';

const script = sharedOrSkip('rig', 'rtsp-server.py');
// The 360p clip: these cases test the RTSP paths and errors, and the rig re-encoding 1080p on two cores busy with
// the rest of the suite could take longer than a stall limit to send its first frame.
const media = script ? sharedOrSkip('media', 'shop-cctv-360p.mp4') : undefined;

let child: ChildProcess | undefined;
// Generous, because the suite runs many files at once; each case still ends by itself.
const STALL_MS = 25_000;
const CASE_MS = 60_000;

async function startRig(): Promise<number> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const c = spawn(
    '/usr/bin/python3',
    [script!, '--port', String(port), '--ttl', '60', ...(media ? ['--media', media] : [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = c;
  let out = '';
  c.stdout?.on('data', (d) => {
    out += d;
  });
  c.stderr?.resume();
  const end = Date.now() + 30_000;
  while (!out.includes('ready')) {
    if (Date.now() > end || c.exitCode !== null) throw new Error('rig rtsp-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return port;
}

afterEach(async () => {
  const c = child;
  child = undefined;
  if (c && c.exitCode === null) {
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
});

const url = (port: number, path: string, pw = 'Passw0rd!') =>
  `rtsp://admin:${encodeURIComponent(pw)}@127.0.0.1:${port}${path}`;

describe.runIf(script !== undefined)('against ../shared/rig/rtsp-server.py', () => {
  it(
    'gives decodable frames from the live main stream',
    async () => {
      const port = await startRig();
      const live = await grabFrames({
        url: url(port, '/Streaming/Channels/101'),
        count: 2,
        intervalMs: 200,
        stallMs: STALL_MS,
      });
      expect(live).toHaveLength(2);
      expect((await sharp(live[0]!).metadata()).format).toBe('jpeg');
    },
    CASE_MS,
  );

  it(
    'gives a frame from the playback path in the Hikvision form',
    async () => {
      const port = await startRig();
      const back = await grabFrames({
        url: url(port, '/Streaming/tracks/101/?starttime=20261123T100000Z&endtime=20261123T100010Z'),
        count: 1,
        stallMs: STALL_MS,
      });
      expect(back).toHaveLength(1);
    },
    CASE_MS,
  );

  it(
    'reports the wrong password as nvr-auth-failed',
    async () => {
      const port = await startRig();
      await expect(
        grabFrames({ url: url(port, '/Streaming/Channels/101', 'bad'), count: 1, stallMs: STALL_MS }),
      ).rejects.toMatchObject({
        code: 'nvr-auth-failed',
      });
    },
    CASE_MS,
  );
});

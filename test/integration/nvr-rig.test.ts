// The grabber against ../shared/rig/rtsp-server.py, an independent implementation of a Hikvision recorder's RTSP
// side (when ../shared is present): live and playback paths, and the wrong-password case.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grabFrames } from '../../src/adapters/ffmpeg/frame-grabber.js';
import { sharedOrSkip } from '../support/shared.js';

const script = sharedOrSkip('rig', 'rtsp-server.py');
const media = script ? sharedOrSkip('media', 'shop-cctv-1080p.mp4') : undefined;

describe.runIf(script !== undefined)('against ../shared/rig/rtsp-server.py', () => {
  let child: ChildProcess;
  let port = 0;
  beforeAll(async () => {
    port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    child = spawn(
      '/usr/bin/python3',
      [script!, '--port', String(port), '--ttl', '120', ...(media ? ['--media', media] : [])],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.resume();
    const end = Date.now() + 30_000;
    while (!out.includes('ready')) {
      if (Date.now() > end || child.exitCode !== null) throw new Error('rig rtsp-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
  });

  const url = (path: string, pw = 'Passw0rd!') => `rtsp://admin:${encodeURIComponent(pw)}@127.0.0.1:${port}${path}`;

  it('gives decodable frames from live and playback paths', async () => {
    const live = await grabFrames({ url: url('/Streaming/Channels/101'), count: 2, intervalMs: 200, stallMs: 10_000 });
    expect(live).toHaveLength(2);
    expect((await sharp(live[0]!).metadata()).format).toBe('jpeg');
    const back = await grabFrames({
      url: url('/Streaming/tracks/101/?starttime=20261123T100000Z&endtime=20261123T100010Z'),
      count: 1,
      stallMs: 10_000,
    });
    expect(back).toHaveLength(1);
  });

  it('reports the wrong password as nvr-auth-failed', async () => {
    await expect(
      grabFrames({ url: url('/Streaming/Channels/101', 'bad'), count: 1, stallMs: 10_000 }),
    ).rejects.toMatchObject({ code: 'nvr-auth-failed' });
  });
});

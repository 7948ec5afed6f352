// The emulator's RTSP side behaves like a recorder's: playback shows the recording at the requested starttime (so
// capture's playback stills come from the right moments of the window), live runs on past the end of its media
// (it loops), and many sessions opened and dropped at once do not wedge the server (the deadlock the first,
// non-looping version avoided by not looping at all). The media is a clip made here whose brightness steps every
// second, so a frame tells which second of the "recording" it shows.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { grabFrames } from '../../src/adapters/ffmpeg/frame-grabber.js';
import type { RunningEmulator } from '../../src/adapters/nvr/emulator/emulator.js';
import { frameAt } from '../../src/adapters/nvr/emulator/media.js';
import { HikvisionFrameSource } from '../../src/adapters/nvr/isapi/hikvision-frame-source.js';
import { clientFor, emulator } from '../support/nvr.js';
import { tempDir } from '../support/tmp.js';

const run = promisify(execFile);
const SECONDS = 12;

/** An H.264 clip whose luma is 16 + 15·second, keyframe every second (as the emulator's own test pattern). */
async function steppedClip(file: string, seconds: number): Promise<void> {
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `color=c=black:s=160x90:r=15,format=yuv420p,geq=lum='16+15*floor(T)':cb=128:cr=128`,
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '15',
    '-keyint_min',
    '15',
    '-sc_threshold',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-y',
    file,
  ]);
}

const brightness = async (jpeg: Buffer) => (await sharp(jpeg).greyscale().stats()).channels[0]!.mean;

let emu: RunningEmulator;
let hik: HikvisionFrameSource;
/** Mean brightness of each second of the clip, decoded from the file itself. */
const reference: number[] = [];
/** Which second of the clip a frame shows. */
const secondOf = async (jpeg: Buffer) => {
  const b = await brightness(jpeg);
  let best = 0;
  reference.forEach((r, i) => {
    if (Math.abs(r - b) < Math.abs(reference[best]! - b)) best = i;
  });
  return best;
};
const mod = (n: number) => ((n % SECONDS) + SECONDS) % SECONDS;

beforeAll(async () => {
  const dir = tempDir('bcrp-emu-rtsp-');
  const clip = join(dir, 'stepped.mp4');
  await steppedClip(clip, SECONDS);
  // Mid-second, so the frame is surely of that second.
  const measured = await Promise.all(
    Array.from({ length: SECONDS }, async (_, s) => brightness(await frameAt(clip, s + 0.5))),
  );
  reference.push(...measured);
  emu = await emulator({ media: clip });
  hik = new HikvisionFrameSource(clientFor(emu), {
    host: '127.0.0.1',
    rtspPort: emu.rtspPort,
    username: emu.username,
    password: emu.password,
    stallMs: 8000,
  });
}, 60_000);

describe('the emulator as a recorder', () => {
  it('plays back each still from its own moment of the window, consistent with the live snapshot', async () => {
    const t0 = Date.now();
    const now = await secondOf((await hik.snapshot(1)).jpeg);
    const to = new Date(t0 - 2000);
    const from = new Date(t0 - 8000);
    const frames = await hik.playback(1, from, to, 4);
    expect(frames).toHaveLength(4);
    const shown = await Promise.all(frames.map((f) => secondOf(f.jpeg)));
    for (const [i, f] of frames.entries()) {
      // Playback is asked for by whole second (YYYYMMDDTHHMMSSZ); the snapshot was taken within a second of t0.
      const expected = mod(now + Math.floor(f.at.getTime() / 1000) - Math.floor(t0 / 1000));
      const off = Math.min(mod(shown[i]! - expected), mod(expected - shown[i]!));
      expect(
        off,
        `still ${i} at ${f.at.toISOString()} shows second ${shown[i]}, wanted ~${expected}`,
      ).toBeLessThanOrEqual(1);
    }
    // Two seconds apart in the window, two seconds apart in the recording: not the same frame four times.
    expect(new Set(shown).size).toBe(4);
  }, 30_000);

  it('keeps the live stream running past the end of its media (it loops)', async () => {
    // 10 frames 1.5 s apart need ~14 s of stream from a 12 s clip.
    const frames = await grabFrames({
      url: `rtsp://${emu.username}:${encodeURIComponent(emu.password)}@127.0.0.1:${emu.rtspPort}/Streaming/Channels/101`,
      count: 10,
      intervalMs: 1500,
      stallMs: 5000,
    });
    expect(frames).toHaveLength(10);
  }, 40_000);

  it('still answers after many sessions opened and dropped at once', async () => {
    const url = (path: string) =>
      `rtsp://${emu.username}:${encodeURIComponent(emu.password)}@127.0.0.1:${emu.rtspPort}${path}`;
    const past = new Date(Date.now() - 5000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const paths = ['/Streaming/Channels/101', '/Streaming/Channels/102', `/Streaming/tracks/101?starttime=${past}`];
    // Twelve clients at once, each killed at a different point of its RTSP exchange or stream.
    await Promise.all(
      Array.from(
        { length: 12 },
        (_, i) =>
          new Promise<void>((resolve) => {
            const c = spawn(
              'ffmpeg',
              ['-v', 'quiet', '-rtsp_transport', 'tcp', '-i', url(paths[i % 3]!), '-f', 'null', '-'],
              { stdio: 'ignore' },
            );
            const t = setTimeout(() => c.kill('SIGKILL'), 60 + i * 40);
            c.on('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
    const more = await Promise.all(paths.map((p) => grabFrames({ url: url(p), count: 2, stallMs: 8000, what: p })));
    for (const frames of more) expect(frames).toHaveLength(2);
  }, 40_000);
});

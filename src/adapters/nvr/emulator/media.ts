// Media for the NVR emulator: a given MP4, the MP4s in a folder (one per channel), or a test-pattern clip made
// with ffmpeg on first use and cached in the temp dir, so the emulator works on a fresh clone with no media.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../../core/errors.js';
import { frameFromFile, JPEG_TO_PIPE, JpegSplitter } from '../../ffmpeg/frame-grabber.js';
import { probeMedia } from '../../ffmpeg/probe.js';

const run = promisify(execFile);

export async function resolveMedia(media: string | undefined, channels: number): Promise<string[]> {
  let files: string[];
  if (media === undefined) {
    files = [await testPatternClip()];
  } else if (!existsSync(media)) {
    throw new AppError('emulator-media', `no such media file or folder: ${media}`);
  } else if (statSync(media).isDirectory()) {
    files = readdirSync(media)
      .filter((f) => /\.mp4$/i.test(f) && !/-360p\./.test(f))
      .sort()
      .map((f) => join(media, f));
    if (files.length === 0) throw new AppError('emulator-media', `no .mp4 files in ${media}`);
  } else {
    files = [media];
  }
  return Array.from({ length: channels }, (_, i) => files[i % files.length]!);
}

/** A 30 s 640×360 15 fps H.264 test pattern (keyframe every second), cached by its parameters. */
export async function testPatternClip(): Promise<string> {
  const dir = join(tmpdir(), 'bcrp-edge-emulator');
  const file = join(dir, 'testsrc-640x360-30s-v2.mp4');
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.mp4`;
  try {
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=640x360:rate=15',
      '-t',
      '30',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '15',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      '-y',
      tmp,
    ]);
  } catch (e) {
    throw new AppError('emulator-media', `ffmpeg could not make the test-pattern clip: ${(e as Error).message}`);
  }
  renameSync(tmp, file); // atomic: parallel test files may race to make it
  return file;
}

export async function mediaDurationSeconds(file: string): Promise<number> {
  const d = (await probeMedia(file)).duration;
  return Number.isFinite(d) && d > 0 ? d : 1;
}

/** One JPEG of `file` at `seconds` (used for the ISAPI snapshot). */
export function frameAt(file: string, seconds: number): Promise<Buffer> {
  return frameFromFile(file, seconds);
}

/**
 * Decodes one frame per second of `file` in one ffmpeg pass, handing each JPEG over as it comes. Only keyframes
 * are decoded (a quarter of the CPU for the 1080p shop clip, which competes with captures while the emulator
 * warms up); playback also starts at a keyframe, so snapshot and playback of the same second agree.
 */
export async function warmFrames(file: string, onFrame: (second: number, jpeg: Buffer) => void): Promise<void> {
  await new Promise<void>((resolve) => {
    const child = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-skip_frame',
        'nokey',
        '-i',
        file,
        '-vf',
        'fps=1',
        ...JPEG_TO_PIPE,
        'pipe:1',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const split = new JpegSplitter();
    let n = 0;
    child.stdout.on('data', (d: Buffer) => {
      for (const j of split.push(d)) onFrame(n++, j);
    });
    child.on('close', () => resolve());
    child.on('error', () => resolve());
  });
}

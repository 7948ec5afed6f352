// Copies a window of an RTSP stream (a recorder's playback) to a byte stream without decoding or re-encoding:
// ffmpeg -c copy into MPEG-TS on a pipe, so the caller hashes and encrypts the bytes as they arrive. A stream that
// goes quiet is killed after `stallMs`; stderr lines pass scrubCredentials before anything sees them.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { NvrError } from '../../core/nvr-errors.js';
import { scrubCredentials } from '../../core/secrets.js';

export interface RtspCopyOptions {
  /** rtsp://user:pass@host:port/path?query — the credentials stay in this module and the ffmpeg child. */
  url: string;
  /** Seconds of stream to copy (playback plays in real time, so this is also about how long it takes). */
  seconds: number;
  stallMs: number;
  what: string;
  onLog?: (line: string) => void;
  /** Seconds of footage copied so far, from ffmpeg's own progress report (its output timestamps; nothing decoded). */
  onPosition?: (seconds: number) => void;
  ffmpegPath?: string;
}

/** The exact ffmpeg arguments (after the URL): stream copy of the video, nothing decoded. */
export const RTSP_COPY_OUTPUT = ['-map', '0:v:0', '-c', 'copy', '-f', 'mpegts', 'pipe:1'] as const;

export async function* rtspCopy(o: RtspCopyOptions): AsyncGenerator<Buffer> {
  const child = spawn(
    o.ffmpegPath ?? 'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-rtsp_transport',
      'tcp',
      '-i',
      o.url,
      '-t',
      o.seconds.toFixed(3),
      // key=value progress lines on a third pipe, about twice a second: out_time_us is the footage copied so far.
      '-nostats',
      '-progress',
      'pipe:3',
      ...RTSP_COPY_OUTPUT,
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
  ) as ChildProcessByStdio<null, Readable, Readable>;
  const progress = child.stdio[3] as NodeJS.ReadableStream | null;
  let partial = '';
  progress?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const us = /^out_time_us=(\d+)$/.exec(l.trim());
      if (us) o.onPosition?.(Number(us[1]) / 1e6);
    }
  });
  const tail: string[] = [];
  child.stderr.on('data', (d: Buffer) => {
    for (const l of d.toString().split('\n')) {
      if (!l.trim()) continue;
      const line = scrubCredentials(l);
      tail.push(line);
      if (tail.length > 20) tail.shift();
      o.onLog?.(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      child.kill('SIGKILL');
    }, o.stallMs);
  };
  let got = 0;
  arm();
  try {
    for await (const chunk of child.stdout) {
      arm();
      got += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    clearTimeout(timer);
    const code = await exited;
    if (stalled || code !== 0 || got === 0) throw copyError(stalled, got, o, tail);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function copyError(stalled: boolean, got: number, o: RtspCopyOptions, tail: readonly string[]): NvrError {
  const text = tail.join('\n');
  if (stalled)
    return new NvrError(
      'stream-no-frames',
      `the ${o.what} went quiet after ${got} bytes (nothing for ${o.stallMs} ms; ffmpeg stopped)`,
    );
  if (/401 Unauthorized/i.test(text))
    return new NvrError('nvr-auth-failed', `the ${o.what} refused the user name or password (RTSP 401)`);
  if (/404 Not Found/i.test(text)) return new NvrError('nvr-not-found', `the ${o.what} does not exist (RTSP 404)`);
  if (/Connection refused/i.test(text))
    return new NvrError('nvr-unreachable', `the ${o.what} is unreachable (connection refused)`);
  return new NvrError(
    'stream-failed',
    `ffmpeg could not copy the ${o.what}: ${tail.slice(-2).join(' | ') || 'no data'}`,
  );
}

// Pulls JPEG frames from an RTSP URL with Debian's ffmpeg (driven by fluent-ffmpeg): TCP transport, minimal
// probing for a quick first frame, an fps filter for spaced frames. A stream that goes quiet is killed after
// `stallMs`; every stderr line passes scrubCredentials before a log or an error message sees it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ffmpeg from 'fluent-ffmpeg';
import { NvrError } from '../../core/nvr-errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Frame } from '../../core/ports/frame-source.js';
import { scrubCredentials } from '../../core/secrets.js';

/** ffmpeg output options for a stream of JPEG frames on a pipe (quality 3: near-lossless for evidence stills). */
export const JPEG_TO_PIPE = ['-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2pipe'] as const;

export interface GrabOptions {
  /** rtsp://user:pass@host:port/path — the credentials stay inside this module and the ffmpeg child. */
  url: string;
  count: number;
  /** Spacing between frames in stream time; 0 takes consecutive frames. */
  intervalMs?: number;
  /** No frame for this long (the first one included) kills ffmpeg. */
  stallMs: number;
  /** Called per frame as it arrives. */
  onFrame?: (jpeg: Buffer, index: number) => void;
  /** Receives scrubbed stderr lines (debug logging). */
  onLog?: (line: string) => void;
  /** What the stream is, for messages ("live stream of camera 1"). */
  what?: string;
  ffmpegPath?: string;
}

/**
 * Input flags that make the first frame come quickly: no probing beyond what the SDP says. Deliberately NOT
 * `-fflags nobuffer`: with it ffmpeg drops the packets it read while probing — the stream's first keyframe — so
 * the decoder waits a whole GOP for the next one (measured: 1.2–1.4 s to a first frame instead of 0.2–0.3 s
 * against a 1 s GOP; see docs/nvr.md).
 */
export const LOW_LATENCY_INPUT = [
  '-rtsp_transport',
  'tcp',
  '-analyzeduration',
  '0',
  '-probesize',
  '32',
  '-flags',
  'low_delay',
];

/** Splits a concatenated MJPEG byte stream into whole JPEG images. */
export class JpegSplitter {
  #buf = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const start = this.#buf.indexOf(SOI);
      if (start === -1) {
        this.#buf = Buffer.alloc(0);
        break;
      }
      const end = this.#buf.indexOf(EOI, start + 2);
      if (end === -1) {
        this.#buf = this.#buf.subarray(start);
        break;
      }
      out.push(Buffer.from(this.#buf.subarray(start, end + 2)));
      this.#buf = this.#buf.subarray(end + 2);
    }
    return out;
  }
}
const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);

let primed: Promise<void> | undefined;

/**
 * Loads fluent-ffmpeg's format and encoder lists, which it checks before every command and caches per process.
 * Unprimed, the first capture after start-up runs `ffmpeg -formats` and `ffmpeg -encoders` once per parallel
 * grab (eight extra processes for four playback stills); the frame-source adapters prime when they are created,
 * and grabs wait for a priming under way. Never rejects: a missing ffmpeg is reported by the grab itself.
 */
export function primeFrameGrabber(): Promise<void> {
  primed ??= new Promise<void>((resolve) => {
    ffmpeg.getAvailableFormats(() => ffmpeg.getAvailableEncoders(() => resolve()));
  });
  return primed;
}

export async function grabFrames(o: GrabOptions): Promise<Buffer[]> {
  await primeFrameGrabber();
  return grabNow(o);
}

/** FrameSource.live for any recorder that gives an RTSP URL: `count` frames `intervalMs` apart, each stamped as it
 * arrives and handed to `onFrame` at once (the capture path stores each before the next is pulled). */
export async function grabLiveFrames(
  o: Pick<GrabOptions, 'url' | 'count' | 'intervalMs' | 'stallMs' | 'onLog' | 'what'> & {
    camera: number;
    onFrame?: ((f: Frame) => void) | undefined;
    clock: Clock;
  },
): Promise<Frame[]> {
  const frames: Frame[] = [];
  await grabFrames({
    url: o.url,
    count: o.count,
    ...(o.intervalMs === undefined ? {} : { intervalMs: o.intervalMs }),
    stallMs: o.stallMs,
    what: o.what ?? `live stream of camera ${o.camera}`,
    onFrame: (jpeg) => {
      const f: Frame = { jpeg, origin: 'live', at: o.clock.now() };
      frames.push(f);
      o.onFrame?.(f);
    },
    ...(o.onLog ? { onLog: o.onLog } : {}),
  });
  return frames;
}

function grabNow(o: GrabOptions): Promise<Buffer[]> {
  const what = o.what ?? 'stream';
  return new Promise((resolve, reject) => {
    const frames: Buffer[] = [];
    const tail: string[] = [];
    let settled = false;
    let stalled = false;
    const cmd = ffmpeg(o.url)
      .inputOptions(LOW_LATENCY_INPUT)
      .outputOptions([
        ...(o.intervalMs && o.intervalMs > 0 ? ['-vf', `fps=${(1000 / o.intervalMs).toFixed(4)}`] : []),
        '-frames:v',
        String(o.count),
        '-an',
        ...JPEG_TO_PIPE,
      ]);
    if (o.ffmpegPath) cmd.setFfmpegPath(o.ffmpegPath);
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        cmd.kill('SIGKILL');
      }, o.stallMs);
    };
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(frames);
    };
    cmd.on('stderr', (line: string) => {
      const clean = scrubCredentials(line);
      tail.push(clean);
      if (tail.length > 12) tail.shift();
      o.onLog?.(clean);
    });
    cmd.on('error', (e: Error) => {
      if (frames.length >= o.count) return finish();
      finish(classify(stalled, frames.length, o, what, tail, e));
    });
    cmd.on('end', () => {
      if (frames.length === 0) finish(classify(false, 0, o, what, tail, undefined));
      else finish();
    });
    const splitter = new JpegSplitter();
    const out = cmd.pipe();
    out.on('data', (chunk: Buffer) => {
      for (const jpeg of splitter.push(chunk)) {
        if (frames.length >= o.count) break;
        frames.push(jpeg);
        o.onFrame?.(jpeg, frames.length - 1);
        arm();
      }
    });
    out.on('error', () => {
      // the command's own 'error' reports it
    });
    arm();
  });
}

function classify(
  stalled: boolean,
  got: number,
  o: GrabOptions,
  what: string,
  tail: readonly string[],
  e: Error | undefined,
): NvrError {
  const text = tail.join('\n');
  if (stalled) {
    return new NvrError(
      'stream-no-frames',
      got === 0
        ? `the ${what} sent no frame within ${o.stallMs} ms (ffmpeg stopped)`
        : `the ${what} stalled after ${got} of ${o.count} frames (no frame for ${o.stallMs} ms; ffmpeg stopped)`,
    );
  }
  if (/401 Unauthorized/i.test(text)) {
    return new NvrError('nvr-auth-failed', `the ${what} refused the user name or password (RTSP 401)`);
  }
  if (/404 Not Found/i.test(text)) {
    return new NvrError('nvr-not-found', `the ${what} does not exist on the recorder (RTSP 404)`);
  }
  if (
    /Connection refused|Connection timed out|No route to host|Network is unreachable|Name or service not known/i.test(
      text,
    )
  ) {
    const why = /Connection refused/i.test(text)
      ? 'connection refused'
      : /Name or service/i.test(text)
        ? 'host name not found'
        : 'no route or no answer';
    return new NvrError('nvr-unreachable', `the ${what} is unreachable (${why})`);
  }
  const last = tail
    .filter((l) => !/^\s*(built with|configuration:|lib\w+\s)/.test(l))
    .slice(-2)
    .join(' | ');
  const detail = scrubCredentials(last || (e ? e.message : 'ended without a frame'));
  return new NvrError('stream-failed', `ffmpeg could not read the ${what}: ${detail}`);
}

/** One JPEG of a local media file at `seconds` (empty when the file has no frame there). Used by the pre-roll
 * buffer and the NVR emulator's snapshot. */
export async function frameFromFile(file: string, seconds: number): Promise<Buffer> {
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-ss',
      seconds.toFixed(2),
      '-i',
      file,
      '-frames:v',
      '1',
      ...JPEG_TO_PIPE,
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 32 << 20 },
  );
  return stdout;
}

// Raw RGB video through ffmpeg pipes for the clip maker: the decoder reads a file, bytes on stdin or an RTSP URL
// and writes rgb24 frames at the clip's rate and size to stdout; the encoder takes rgb24 frames on stdin and writes
// H.264 (libx264, yuv420p) in an MP4 with faststart, no audio and no metadata. At most a few frames wait in each
// pipe. stderr passes scrubCredentials before any message sees it.
import { type ChildProcess, spawn } from 'node:child_process';
import { renameSync, rmSync, statSync } from 'node:fs';
import { AppError } from '../../core/errors.js';
import type {
  DecodeRequest,
  EncodeRequest,
  RawVideoIn,
  RawVideoOut,
  VideoCodec,
  VideoInput,
} from '../../core/ports/video.js';
import { scrubCredentials } from '../../core/secrets.js';

/** Frames read ahead of the consumer before the decoder's pipe is paused. */
const READ_AHEAD = 3;

export interface FfmpegVideoOptions {
  ffmpegPath?: string;
  /** x264 constant rate factor: 23 is x264's default; higher is smaller. */
  crf?: number;
  /** x264 preset: veryfast keeps a 2-core box ahead of real time. */
  preset?: string;
  /** Receives scrubbed stderr lines. */
  onLog?: (line: string) => void;
}

/** The scale filter: longer side at most `max`, never enlarged, both sides even (yuv420p needs it). */
export function scaleFilter(max: number): string {
  const w = `if(gte(iw\\,ih)\\,trunc(min(${max}\\,iw)/2)*2\\,-2)`;
  const h = `if(gte(iw\\,ih)\\,-2\\,trunc(min(${max}\\,ih)/2)*2)`;
  return `scale=w='${w}':h='${h}'`;
}

function inputArgs(input: VideoInput): string[] {
  switch (input.kind) {
    case 'file':
      return ['-i', input.path];
    case 'bytes':
      return ['-i', 'pipe:0'];
    case 'url':
      return ['-rtsp_transport', 'tcp', '-i', input.url];
  }
}

/** The last few stderr lines, scrubbed, for an error message. */
class Tail {
  lines: string[] = [];
  text = '';
  push(chunk: Buffer, onLog?: (l: string) => void): void {
    const s = scrubCredentials(chunk.toString('utf8'));
    this.text = (this.text + s).slice(-16_000);
    for (const l of s.split(/\r?\n/)) {
      if (!l.trim()) continue;
      this.lines.push(l.trim());
      if (this.lines.length > 4) this.lines.shift();
      onLog?.(l);
    }
  }
  get last(): string {
    return this.lines.filter((l) => !/^(frame=|Output #|Stream|Input #|Duration|Metadata)/.test(l)).at(-1) ?? '';
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('close', (code) => resolve(code));
  });
}

export class FfmpegVideo implements VideoCodec {
  readonly #o: FfmpegVideoOptions;

  constructor(options: FfmpegVideoOptions = {}) {
    this.#o = options;
  }

  async decode(req: DecodeRequest): Promise<RawVideoIn> {
    const o = this.#o;
    const args = [
      '-hide_banner',
      '-loglevel',
      'info',
      '-nostats',
      ...(req.startSeconds ? ['-ss', req.startSeconds.toFixed(3)] : []),
      ...inputArgs(req.input),
      ...(req.durationSeconds ? ['-t', req.durationSeconds.toFixed(3)] : []),
      '-an',
      '-sn',
      '-dn',
      '-vf',
      `fps=${req.fps},${scaleFilter(req.maxSide)}`,
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      'pipe:1',
    ];
    const child = spawn(o.ffmpegPath ?? 'ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const tail = new Tail();
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    if (req.input.kind === 'bytes') {
      child.stdin.on('error', () => {}); // ffmpeg may stop reading early (a -t limit); that is not our failure
      child.stdin.end(req.input.data);
    } else child.stdin.end();

    // The frame size is what ffmpeg reports for its output stream, read from stderr before the first frame.
    const size = await new Promise<{ width: number; height: number }>((resolve, reject) => {
      const onErr = (chunk: Buffer) => {
        tail.push(chunk, o.onLog);
        const out = tail.text.indexOf('Output #0');
        const m = out >= 0 ? /Video: rawvideo[^\n]*?, (\d{2,5})x(\d{2,5})/.exec(tail.text.slice(out)) : null;
        if (m) {
          child.stderr.off('data', onErr);
          child.stderr.on('data', (c: Buffer) => tail.push(c, o.onLog));
          resolve({ width: Number(m[1]), height: Number(m[2]) });
        }
      };
      child.stderr.on('data', onErr);
      void spawnError.then((e) => reject(new AppError('ffmpeg-missing', `ffmpeg could not be started: ${e.message}`)));
      child.once('close', () =>
        reject(
          new AppError(
            'clip-unreadable',
            `the video could not be decoded${tail.last ? `: ${tail.last}` : ''} (is it a whole, readable video file?)`,
          ),
        ),
      );
    });
    child.stdout.pause();
    const frameBytes = size.width * size.height * 3;
    let closedByUs = false;

    async function* frames(): AsyncIterable<Uint8Array> {
      const chunks: Buffer[] = [];
      let have = 0;
      let ended = false;
      let wake: (() => void) | undefined;
      const notify = () => {
        const w = wake;
        wake = undefined;
        w?.();
      };
      child.stdout.on('data', (c: Buffer) => {
        chunks.push(c);
        have += c.length;
        if (have >= READ_AHEAD * frameBytes) child.stdout.pause();
        notify();
      });
      child.stdout.once('end', () => {
        ended = true;
        notify();
      });
      child.stdout.resume();
      let count = 0;
      for (;;) {
        if (have >= frameBytes) {
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          chunks.length = 0;
          // A copy, so the consumer may keep or change the frame while the decoder reuses nothing of it.
          const frame = new Uint8Array(all.subarray(0, frameBytes));
          const rest = all.subarray(frameBytes);
          if (rest.length) chunks.push(rest);
          have = rest.length;
          if (have < READ_AHEAD * frameBytes && !ended) child.stdout.resume();
          count += 1;
          yield frame;
          continue;
        }
        if (ended) break;
        await new Promise<void>((r) => {
          wake = r;
        });
      }
      const code = await exited(child);
      if (closedByUs) return;
      if (code !== 0)
        throw new AppError(
          'clip-unreadable',
          `the video could not be decoded after ${count} frame(s)${tail.last ? `: ${tail.last}` : ''}`,
        );
      if (count === 0) throw new AppError('clip-empty', 'the video has no frames in the requested window');
    }

    return {
      width: size.width,
      height: size.height,
      fps: req.fps,
      frames,
      async close() {
        closedByUs = true;
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited(child);
      },
    };
  }

  async encode(req: EncodeRequest): Promise<RawVideoOut> {
    const o = this.#o;
    const part = `${req.path}.part`;
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${req.width}x${req.height}`,
      '-r',
      String(req.fps),
      '-i',
      'pipe:0',
      '-an',
      '-c:v',
      'libx264',
      '-preset',
      o.preset ?? 'veryfast',
      '-crf',
      String(o.crf ?? 26),
      '-pix_fmt',
      'yuv420p',
      // No metadata of any kind: no encoder string, no creation time, no chapters.
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-fflags',
      '+bitexact',
      '-flags:v',
      '+bitexact',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      '-y',
      part,
    ];
    const child = spawn(o.ffmpegPath ?? 'ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    const tail = new Tail();
    child.stderr.on('data', (c: Buffer) => tail.push(c, o.onLog));
    let failed: Error | undefined;
    child.once('error', (e) => {
      failed = new AppError('ffmpeg-missing', `ffmpeg could not be started: ${e.message}`);
    });
    child.stdin.on('error', (e) => {
      failed ??= new AppError('clip-encode', `the encoder stopped: ${tail.last || e.message}`);
    });
    const done = exited(child);
    return {
      async write(frame) {
        if (failed) throw failed;
        if (!child.stdin.write(frame))
          await new Promise<void>((resolve) => {
            const go = () => {
              child.stdin.off('drain', go);
              child.off('close', go);
              resolve();
            };
            child.stdin.once('drain', go);
            child.once('close', go);
          });
        if (failed) throw failed;
      },
      async finish() {
        child.stdin.end();
        const code = await done;
        if (failed || code !== 0) {
          rmSync(part, { force: true });
          throw failed ?? new AppError('clip-encode', `the encoder failed: ${tail.last || `exit ${code}`}`);
        }
        renameSync(part, req.path);
        return { bytes: statSync(req.path).size };
      },
      async abort() {
        child.stdin.destroy();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await done;
        rmSync(part, { force: true });
      },
    };
  }
}

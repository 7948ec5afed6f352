// Pre-roll ring buffer: ffmpeg copies a camera's main stream without decoding (-c copy) into short MPEG-TS
// segments in a RAM directory, overwriting the oldest, so the seconds before a button press are on hand at once
// even when recorder playback is slow. Segments never leave that directory and are deleted on stop. A stalled or
// exited ffmpeg is restarted with backoff.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NvrError } from '../../core/nvr-errors.js';
import { type Clock, systemClock } from '../../core/ports/clock.js';
import type { Frame, FrameSource, RecorderClockReading } from '../../core/ports/frame-source.js';
import { scrubCredentials } from '../../core/secrets.js';
import { frameFromFile } from './frame-grabber.js';

interface Segment {
  file: string;
  start: number;
  end: number;
}

export interface PreRollOptions {
  url: string;
  dir: string;
  seconds: number;
  segmentSeconds?: number;
  onLog?: (line: string) => void;
  /** Places segments in time (the system clock unless given): the trigger times they are matched with use it too. */
  clock?: Clock;
}

export class PreRollRecorder {
  readonly #o: Required<Omit<PreRollOptions, 'onLog' | 'clock'>> & Pick<PreRollOptions, 'onLog'>;
  readonly #clock: Clock;
  #child: ChildProcess | undefined;
  #segments: Segment[] = [];
  #seen = 0;
  #poll: NodeJS.Timeout | undefined;
  #stopped = true;
  #restarts = 0;

  constructor(o: PreRollOptions) {
    this.#o = { segmentSeconds: 2, ...o };
    this.#clock = o.clock ?? systemClock;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    this.#stopped = false;
    mkdirSync(this.#o.dir, { recursive: true, mode: 0o700 });
    this.#spawn();
    this.#poll = setInterval(() => this.#readList(), 250);
    this.#poll.unref();
  }

  #spawn(): void {
    const wrap = Math.ceil(this.#o.seconds / this.#o.segmentSeconds) + 2;
    rmSync(join(this.#o.dir, 'list.csv'), { force: true });
    this.#seen = 0;
    const child = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'warning',
        '-rtsp_transport',
        'tcp',
        // Without nobuffer, a B-frame stream's first packets reach the MPEG-TS muxer with no timestamps and it
        // refuses them ("first pts and dts value must be set"); measured against the 1080p shop clip.
        '-fflags',
        'nobuffer',
        '-i',
        this.#o.url,
        '-map',
        '0:v',
        '-c',
        'copy',
        '-f',
        'segment',
        '-segment_time',
        String(this.#o.segmentSeconds),
        '-segment_format',
        'mpegts',
        '-segment_wrap',
        String(wrap),
        '-segment_list',
        join(this.#o.dir, 'list.csv'),
        '-segment_list_type',
        'csv',
        '-reset_timestamps',
        '1',
        join(this.#o.dir, 'seg-%03d.ts'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (d: Buffer) => {
      for (const l of d.toString().split('\n')) if (l.trim()) this.#o.onLog?.(scrubCredentials(l));
    });
    child.on('exit', () => {
      if (this.#stopped) return;
      // Capped backoff so a camera that is down does not spin ffmpeg in a loop.
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.#restarts++, 6));
      setTimeout(() => !this.#stopped && this.#spawn(), delay).unref();
    });
    this.#child = child;
  }

  /** ffmpeg appends one line per finished segment; its wall-clock end is when we first see it. */
  #readList(): void {
    let lines: string[];
    try {
      lines = readFileSync(join(this.#o.dir, 'list.csv'), 'utf8').trim().split('\n').filter(Boolean);
    } catch {
      return;
    }
    const now = this.#clock.now().getTime();
    for (const line of lines.slice(this.#seen)) {
      const [name, s, e] = line.split(',');
      const dur = (Number(e) - Number(s)) * 1000;
      if (!name || !Number.isFinite(dur)) continue;
      const file = join(this.#o.dir, name);
      this.#segments = this.#segments.filter((x) => x.file !== file);
      this.#segments.push({ file, start: now - dur, end: now });
      this.#restarts = 0;
    }
    this.#seen = lines.length;
    this.#segments = this.#segments.filter((x) => x.end >= now - this.#o.seconds * 1000);
  }

  /** True when the buffer holds [from, to]. */
  covers(from: Date, to: Date): boolean {
    this.#readList();
    const first = this.#segments[0];
    const last = this.#segments[this.#segments.length - 1];
    return !!first && !!last && first.start <= from.getTime() && last.end >= to.getTime();
  }

  async frameAt(at: Date): Promise<Buffer> {
    const seg = this.#segments.find((s) => s.start <= at.getTime() && at.getTime() <= s.end);
    if (!seg) throw new NvrError('nvr-no-recording', 'the pre-roll buffer does not hold that moment');
    // The wall-clock mapping is only as good as the list poll (≤ 250 ms), so stay inside the segment.
    const offset = Math.min(
      Math.max(0, (at.getTime() - seg.start) / 1000),
      Math.max(0, (seg.end - seg.start) / 1000 - 0.3),
    );
    for (const ss of [offset, 0]) {
      const stdout = await frameFromFile(seg.file, ss);
      if (stdout.length > 0) return stdout;
    }
    throw new NvrError('stream-failed', 'the pre-roll segment gave no frame');
  }

  /** Bytes held in the RAM directory now. */
  bytes(): number {
    return this.#segments.reduce((n, s) => {
      try {
        return n + statSync(s.file).size;
      } catch {
        return n;
      }
    }, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#poll);
    const c = this.#child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(t);
    }
    rmSync(this.#o.dir, { recursive: true, force: true });
  }
}

/** A FrameSource that answers playback from the pre-roll buffers when they hold the window, else asks `inner`. */
export class PreRollFrameSource implements FrameSource {
  readonly #inner: FrameSource;
  readonly #buffers: ReadonlyMap<number, PreRollRecorder>;

  constructor(inner: FrameSource, buffers: ReadonlyMap<number, PreRollRecorder>) {
    this.#inner = inner;
    this.#buffers = buffers;
  }

  snapshot(camera: number): Promise<Frame> {
    return this.#inner.snapshot(camera);
  }

  recorderClock(): Promise<RecorderClockReading> {
    if (!this.#inner.recorderClock) return Promise.reject(new Error('this recorder has no clock to read'));
    return this.#inner.recorderClock();
  }

  live(camera: number, count: number, intervalMs: number, onFrame?: (f: Frame) => void): Promise<Frame[]> {
    return this.#inner.live(camera, count, intervalMs, onFrame);
  }

  async playback(camera: number, from: Date, to: Date, count: number, onFrame?: (f: Frame) => void): Promise<Frame[]> {
    const buf = this.#buffers.get(camera);
    if (!buf?.covers(from, to)) return this.#inner.playback(camera, from, to, count, onFrame);
    const step = count > 1 ? (to.getTime() - from.getTime()) / (count - 1) : 0;
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const at = new Date(from.getTime() + step * i);
        const f: Frame = { jpeg: await buf.frameAt(at), origin: 'playback', at };
        onFrame?.(f);
        return f;
      }),
    );
  }
}

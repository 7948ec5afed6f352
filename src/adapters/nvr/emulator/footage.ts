// The emulator's recorded footage for ISAPI downloads: the window [from, to] of a channel cut from its looping media
// with ffmpeg -c copy (stream copy, keyframe-aligned, like a recorder's own export) into an MP4 with a recorder-like
// name. Each cut is made once per window and kept in a temp folder until the emulator closes; the SHA-256 of each
// file served is remembered so tests can compare what the appliance sealed with what the recorder sent.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../../core/errors.js';

const run = promisify(execFile);

export interface CutFootage {
  file: string;
  name: string;
  bytes: number;
  sha256: string;
}

const hikTime = (d: Date) => d.toISOString().slice(0, 19).replace(/[-:]/g, '');

export class EmulatorFootage {
  readonly #media: string[];
  readonly #seconds: number[];
  readonly #epochMs: number;
  readonly #dir: string;
  readonly #cuts = new Map<string, Promise<CutFootage>>();
  readonly served: { name: string; sha256: string; bytes: number }[] = [];

  constructor(media: string[], mediaSeconds: number[], epochMs: number) {
    this.#media = media;
    this.#seconds = mediaSeconds;
    this.#epochMs = epochMs;
    this.#dir = mkdtempSync(join(tmpdir(), 'bcrp-emulator-footage-'));
  }

  /** The recorder's name for a download of channel `ch` (Hikvision exports name the channel and the times). */
  static fileName(ch: number, from: Date, to: Date): string {
    return `ch${String(ch).padStart(2, '0')}_${hikTime(from)}_${hikTime(to)}.mp4`;
  }

  cut(ch: number, from: Date, to: Date): Promise<CutFootage> {
    const key = `${ch}:${from.getTime()}:${to.getTime()}`;
    let p = this.#cuts.get(key);
    if (!p) {
      p = this.#make(ch, from, to);
      p.catch(() => this.#cuts.delete(key));
      this.#cuts.set(key, p);
    }
    return p;
  }

  async #make(ch: number, from: Date, to: Date): Promise<CutFootage> {
    const media = this.#media[ch - 1];
    if (!media) throw new AppError('emulator-media', `no channel ${ch}`);
    const whole = Math.max(1, Math.floor(this.#seconds[ch - 1] ?? 1));
    // The same mapping as the RTSP side and the snapshot: wall time t shows media second (t - epoch) mod duration.
    const pos = (((Math.floor((from.getTime() - this.#epochMs) / 1000) % whole) + whole) % whole).toFixed(3);
    const seconds = Math.max(1, (to.getTime() - from.getTime()) / 1000).toFixed(3);
    const name = EmulatorFootage.fileName(ch, from, to);
    const file = join(this.#dir, name);
    if (!existsSync(file)) {
      await run('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-stream_loop',
        '-1',
        '-ss',
        pos,
        '-i',
        media,
        '-t',
        seconds,
        '-map',
        '0:v:0',
        '-c',
        'copy',
        '-fflags',
        '+bitexact',
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        '-y',
        file,
      ]);
    }
    const hash = createHash('sha256');
    for await (const b of createReadStream(file)) hash.update(b as Buffer);
    return { file, name, bytes: statSync(file).size, sha256: hash.digest('hex') };
  }

  stream(cut: CutFootage) {
    this.served.push({ name: cut.name, sha256: cut.sha256, bytes: cut.bytes });
    return createReadStream(cut.file);
  }

  close(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

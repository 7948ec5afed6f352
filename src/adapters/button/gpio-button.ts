// GPIO push-button through Debian's `gpiomon` (package gpiod, libgpiod's tools). Chosen over a native Node binding
// because gpiod installs from apt on Raspberry Pi OS and Debian without a compiler, survives Node upgrades (no ABI
// to rebuild), and runs unprivileged with the gpio group's access to /dev/gpiochipN. We speak both tool versions:
// libgpiod 1.x (Debian 12 / Pi OS bookworm) and 2.x (Debian 13), which differ in flags and output.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { PressTiming } from '../../core/button-press.js';
import { AppError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import { EdgeButton } from './edge-button.js';

export interface GpioLine {
  chip: string;
  line: number;
  /** Button wired to ground with the internal pull-up: pressed reads low (the default wiring, docs/hardware.md). */
  activeLow: boolean;
}

/** Where gpiomon-format lines come from: the real tool, or a test's fake. */
export interface LineSource {
  lines: Readable;
  /** Resolves with an error message when the source ends (tool exited, device gone). */
  ended: Promise<string>;
  close(): void;
}

export type GpiodMajor = 1 | 2;

/** The gpiomon arguments for each libgpiod major version; the output format is the same: "<edge> <seconds>.<ns>". */
export function gpiomonArgs(major: GpiodMajor, l: GpioLine): string[] {
  return major === 1
    ? ['--line-buffered', '--bias=pull-up', '--format=%e %s.%n', l.chip, String(l.line)]
    : ['--chip', l.chip, '--bias', 'pull-up', '--edges', 'both', '--format', '%e %S', String(l.line)];
}

/** Parses one output line into {rising, tMs}. v1 prints 0/1 for falling/rising; v2 prints 1/2 for rising/falling. */
export function parseGpiomonLine(major: GpiodMajor, text: string): { rising: boolean; tMs: number } | undefined {
  const m = /^\s*(\d)\s+(\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!m) return undefined;
  const code = Number(m[1]);
  const rising = code === 1;
  const falling = major === 1 ? code === 0 : code === 2;
  if (!rising && !falling) return undefined;
  // v1 prints %n without zero padding, so "5.3" means 5 s + 3 ns; v2 prints a zero-padded fraction.
  const frac = m[3] ?? '0';
  const ns = major === 1 ? Number(frac) : Number(frac.padEnd(9, '0').slice(0, 9));
  return { rising, tMs: Number(m[2]) * 1000 + ns / 1e6 };
}

/** Asks gpiomon which libgpiod it belongs to ("gpiomon (libgpiod) v1.6.3"). */
export async function gpiodMajor(bin = 'gpiomon'): Promise<GpiodMajor> {
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn(bin, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let s = '';
    c.stdout.on('data', (d) => {
      s += d;
    });
    c.on('error', reject);
    c.on('close', () => resolve(s));
  }).catch((e: NodeJS.ErrnoException) => {
    throw new AppError(
      'gpio-unavailable',
      e.code === 'ENOENT' ? `${bin} not found: apt-get install gpiod` : `cannot run ${bin}: ${e.message}`,
    );
  });
  return /v2\./.test(out) ? 2 : 1;
}

export function gpiomonSource(bin: string, major: GpiodMajor, l: GpioLine): LineSource {
  const child: ChildProcess = spawn(bin, gpiomonArgs(major, l), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-500);
  });
  const ended = new Promise<string>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      resolve(e.code === 'ENOENT' ? `${bin} not found: apt-get install gpiod` : e.message),
    );
    child.on('close', (code) => resolve(`${bin} exited (${code ?? 'signal'}): ${stderr.trim() || 'no message'}`));
  });
  return { lines: child.stdout!, ended, close: () => child.kill('SIGTERM') };
}

export interface GpioButtonOptions {
  line: GpioLine;
  timing: PressTiming;
  clock: Clock;
  /** Defaults to the real gpiomon. */
  source?: (major: GpiodMajor) => LineSource;
  major?: GpiodMajor;
  bin?: string;
  /** Called when gpiomon stops by itself (the supervisor restarts the module). */
  onEnd?: (why: string) => void;
}

export class GpioButton extends EdgeButton {
  readonly #o: GpioButtonOptions;
  #src: LineSource | undefined;

  constructor(o: GpioButtonOptions) {
    super(`gpio:${o.line.chip}/${o.line.line}`, o.timing);
    this.#o = o;
  }

  async start(): Promise<void> {
    const bin = this.#o.bin ?? 'gpiomon';
    const major = this.#o.major ?? (await gpiodMajor(bin));
    const src = this.#o.source ? this.#o.source(major) : gpiomonSource(bin, major, this.#o.line);
    this.#src = src;
    this.resetDetector();
    this.running = true;
    const rl = createInterface({ input: src.lines });
    rl.on('line', (text) => {
      const ev = parseGpiomonLine(major, text);
      if (!ev) return;
      this.edge({ down: ev.rising !== this.#o.line.activeLow, t: ev.tMs, wall: this.#o.clock.now() });
    });
    void src.ended.then((why) => {
      if (this.running && this.#src === src) {
        this.running = false;
        this.#o.onEnd?.(why);
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.#src?.close();
    this.#src = undefined;
  }
}

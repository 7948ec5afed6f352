// A USB "big red button" that presents itself as a keyboard: reads Linux input events (struct input_event) from
// /dev/input/eventN, found by path or by the device name in /proc/bus/input/devices. Node cannot issue EVIOCGRAB,
// so the key also reaches the console; pick a key nothing else uses (docs/hardware.md).
import { createReadStream, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { PressTiming } from '../../core/button-press.js';
import { AppError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import { EdgeButton } from './edge-button.js';

const EV_KEY = 1;

/** Key names a button may send; most USB buttons are configurable to one of these. */
export const KEY_CODES: Readonly<Record<string, number>> = {
  KEY_ESC: 1,
  KEY_1: 2,
  KEY_ENTER: 28,
  KEY_A: 30,
  KEY_B: 48,
  KEY_SPACE: 57,
  KEY_F1: 59,
  KEY_F2: 60,
  KEY_F3: 61,
  KEY_F4: 62,
  KEY_F5: 63,
  KEY_F6: 64,
  KEY_F7: 65,
  KEY_F8: 66,
  KEY_F9: 67,
  KEY_F10: 68,
  KEY_F11: 87,
  KEY_F12: 88,
  KEY_KPENTER: 96,
  KEY_PAUSE: 119,
  KEY_F13: 183,
  KEY_F14: 184,
  KEY_F15: 185,
  KEY_F16: 186,
  KEY_F17: 187,
  KEY_F18: 188,
  KEY_F19: 189,
  KEY_F20: 190,
  KEY_F21: 191,
  KEY_F22: 192,
  KEY_F23: 193,
  KEY_F24: 194,
};

/** A key name from the table, or a raw code written as a number ("KEY_183" or "183"). */
export function keyCode(name: string): number {
  const known = KEY_CODES[name];
  if (known !== undefined) return known;
  const m = /^(?:KEY_)?(\d{1,3})$/.exec(name);
  if (m) return Number(m[1]);
  throw new AppError(
    'button-config',
    `unknown key ${JSON.stringify(name)}: use one of ${Object.keys(KEY_CODES).join(', ')} or a key code number`,
  );
}

/** struct input_event is a timeval (two longs) then u16 type, u16 code, s32 value: 24 bytes on 64-bit, 16 on 32-bit. */
export function inputEventSize(arch: string = process.arch): 16 | 24 {
  return arch === 'arm' || arch === 'ia32' ? 16 : 24;
}

export interface InputEvent {
  tMs: number;
  type: number;
  code: number;
  value: number;
}

export function parseInputEvent(buf: Buffer, offset: number, size: 16 | 24): InputEvent {
  const sec = size === 24 ? Number(buf.readBigInt64LE(offset)) : buf.readInt32LE(offset);
  const usec = size === 24 ? Number(buf.readBigInt64LE(offset + 8)) : buf.readInt32LE(offset + 4);
  const p = offset + size - 8;
  return {
    tMs: sec * 1000 + usec / 1000,
    type: buf.readUInt16LE(p),
    code: buf.readUInt16LE(p + 2),
    value: buf.readInt32LE(p + 4),
  };
}

/** Finds /dev/input/eventN for a device name in /proc/bus/input/devices text; a path is returned as it is. */
export function resolveInputDevice(device: string, procDevices?: string): string {
  if (device.startsWith('/')) return device;
  let text = procDevices;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/bus/input/devices', 'utf8');
    } catch {
      text = '';
    }
  }
  const names: string[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const name = /^N: Name="(.*)"$/m.exec(block)?.[1];
    const handlers = /^H: Handlers=(.*)$/m.exec(block)?.[1];
    if (!name) continue;
    names.push(name);
    const ev = handlers?.split(/\s+/).find((h) => /^event\d+$/.test(h));
    if (name === device && ev) return `/dev/input/${ev}`;
  }
  throw new AppError(
    'button-unavailable',
    `no input device named ${JSON.stringify(device)}${names.length ? ` (present: ${names.map((n) => JSON.stringify(n)).join(', ')})` : ''}`,
  );
}

export interface KeyboardButtonOptions {
  device: string;
  key: string;
  timing: PressTiming;
  clock: Clock;
  /** Opens the event stream; defaults to reading the device file. */
  open?: (path: string) => Readable;
  procDevices?: string;
  eventSize?: 16 | 24;
  onEnd?: (why: string) => void;
}

export class KeyboardButton extends EdgeButton {
  readonly #o: KeyboardButtonOptions;
  readonly #code: number;
  #stream: Readable | undefined;

  constructor(o: KeyboardButtonOptions) {
    super(`keyboard:${o.device}`, o.timing);
    this.#o = o;
    this.#code = keyCode(o.key);
  }

  async start(): Promise<void> {
    const path = resolveInputDevice(this.#o.device, this.#o.procDevices);
    const size = this.#o.eventSize ?? inputEventSize();
    const stream = this.#o.open ? this.#o.open(path) : createReadStream(path);
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        const why =
          e.code === 'EACCES' ? 'permission denied (add the service user to the input group)' : (e.code ?? e.message);
        reject(new AppError('button-unavailable', `cannot open ${path}: ${why}`));
      };
      stream.once('error', onError);
      const ready = () => {
        stream.off('error', onError);
        resolve();
      };
      if (this.#o.open) ready();
      else stream.once('ready', ready);
    });
    this.#stream = stream;
    this.resetDetector();
    this.running = true;
    let pending: Buffer = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let off = 0;
      for (; off + size <= pending.length; off += size) {
        const ev = parseInputEvent(pending, off, size);
        // value 2 is auto-repeat while held: not a new press.
        if (ev.type !== EV_KEY || ev.code !== this.#code || ev.value === 2) continue;
        this.edge({ down: ev.value === 1, t: ev.tMs, wall: this.#o.clock.now() });
      }
      pending = pending.subarray(off);
    });
    const end = (why: string) => {
      if (this.running && this.#stream === stream) {
        this.running = false;
        this.#o.onEnd?.(why);
      }
    };
    stream.on('error', (e: NodeJS.ErrnoException) => end(`${path}: ${e.code ?? e.message}`));
    stream.on('end', () => end(`${path} closed (device unplugged?)`));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.#stream?.destroy();
    this.#stream = undefined;
  }
}

/** Encodes one input_event, for tests and for recording fixtures. */
export function encodeInputEvent(e: InputEvent, size: 16 | 24 = inputEventSize()): Buffer {
  const b = Buffer.alloc(size);
  const sec = Math.floor(e.tMs / 1000);
  const usec = Math.round((e.tMs - sec * 1000) * 1000);
  if (size === 24) {
    b.writeBigInt64LE(BigInt(sec), 0);
    b.writeBigInt64LE(BigInt(usec), 8);
  } else {
    b.writeInt32LE(sec, 0);
    b.writeInt32LE(usec, 4);
  }
  b.writeUInt16LE(e.type, size - 8);
  b.writeUInt16LE(e.code, size - 6);
  b.writeInt32LE(e.value, size - 4);
  return b;
}

// An in-memory FrameSource for service tests and the contract suite: serves one JPEG per call, knows which
// cameras exist and which have recordings, and can be told to fail the way a real recorder fails.
import { NvrError, type NvrErrorCode } from '../../core/nvr-errors.js';
import { type Clock, systemClock } from '../../core/ports/clock.js';
import type { Frame, FrameSource, RecorderClockReading } from '../../core/ports/frame-source.js';

export class FakeFrameSource implements FrameSource {
  readonly #jpeg: Buffer;
  readonly cameras: Set<number>;
  readonly noRecording: Set<number>;
  /** When set, every call fails with this code (until cleared). */
  failWith: NvrErrorCode | undefined;
  calls: string[] = [];
  readonly #clock: Clock;
  /** Set to give the fake a recorder clock (a test's reading, a failure or a hang). */
  recorderClock?: () => Promise<RecorderClockReading>;

  constructor(jpeg: Buffer, options: { cameras?: number[]; noRecording?: number[]; clock?: Clock } = {}) {
    this.#jpeg = jpeg;
    this.#clock = options.clock ?? systemClock;
    this.cameras = new Set(options.cameras ?? [1]);
    this.noRecording = new Set(options.noRecording ?? []);
  }

  #check(camera: number): void {
    if (this.failWith) throw new NvrError(this.failWith, `fake recorder: ${this.failWith}`);
    if (!this.cameras.has(camera)) throw new NvrError('nvr-not-found', `the recorder has no camera ${camera}`);
  }

  async snapshot(camera: number): Promise<Frame> {
    this.calls.push(`snapshot ${camera}`);
    this.#check(camera);
    return { jpeg: this.#jpeg, origin: 'snapshot', at: this.#clock.now() };
  }

  async live(camera: number, count: number, _intervalMs: number, onFrame?: (f: Frame) => void): Promise<Frame[]> {
    this.calls.push(`live ${camera} ${count}`);
    this.#check(camera);
    const out: Frame[] = [];
    for (let i = 0; i < count; i++) {
      const f: Frame = { jpeg: this.#jpeg, origin: 'live', at: this.#clock.now() };
      out.push(f);
      onFrame?.(f);
    }
    return out;
  }

  async playback(camera: number, from: Date, to: Date, count: number, onFrame?: (f: Frame) => void): Promise<Frame[]> {
    this.calls.push(`playback ${camera} ${count}`);
    this.#check(camera);
    if (this.noRecording.has(camera))
      throw new NvrError('nvr-no-recording', `no recording of camera ${camera}`, { retryable: false });
    const step = count > 1 ? (to.getTime() - from.getTime()) / (count - 1) : 0;
    const out: Frame[] = [];
    for (let i = 0; i < count; i++) {
      const f: Frame = { jpeg: this.#jpeg, origin: 'playback', at: new Date(from.getTime() + step * i) };
      out.push(f);
      onFrame?.(f);
    }
    return out;
  }
}

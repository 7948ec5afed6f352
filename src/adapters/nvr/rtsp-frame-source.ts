// FrameSource over one bare RTSP URL (`bcrp-edge capture --rtsp URL`, ONVIF stream URIs): live frames only.
// The camera number is ignored; there is no archive, so playback says so.
import { NvrError } from '../../core/nvr-errors.js';
import { type Clock, systemClock } from '../../core/ports/clock.js';
import type { Frame, FrameSource } from '../../core/ports/frame-source.js';
import { grabFrames, primeFrameGrabber } from '../ffmpeg/frame-grabber.js';

export class RtspFrameSource implements FrameSource {
  readonly #url: string;
  readonly #stallMs: number;
  readonly #onLog: ((line: string) => void) | undefined;
  readonly #clock: Clock;

  constructor(url: string, options: { stallMs: number; onLog?: (line: string) => void; clock?: Clock }) {
    this.#url = url;
    this.#clock = options.clock ?? systemClock;
    this.#stallMs = options.stallMs;
    this.#onLog = options.onLog;
    void primeFrameGrabber();
  }

  async snapshot(_camera: number): Promise<Frame> {
    const [f] = await this.live(_camera, 1, 0);
    return { ...f!, origin: 'snapshot' };
  }

  async live(_camera: number, count: number, intervalMs: number, onFrame?: (f: Frame) => void): Promise<Frame[]> {
    const frames: Frame[] = [];
    await grabFrames({
      url: this.#url,
      count,
      intervalMs,
      stallMs: this.#stallMs,
      what: 'RTSP stream',
      onFrame: (jpeg) => {
        const f: Frame = { jpeg, origin: 'live', at: this.#clock.now() };
        frames.push(f);
        onFrame?.(f);
      },
      ...(this.#onLog ? { onLog: this.#onLog } : {}),
    });
    return frames;
  }

  async playback(): Promise<Frame[]> {
    throw new NvrError('nvr-no-recording', 'a bare RTSP stream has no recordings to play back', { retryable: false });
  }
}

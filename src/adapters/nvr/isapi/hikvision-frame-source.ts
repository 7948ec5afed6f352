// FrameSource for a Hikvision recorder: ISAPI snapshot for the quickest still, CMSearch + RTSP playback for the
// past, the live main stream for the future. Playback frames are pulled by one short session per wanted moment
// (in parallel, a few at a time) because a recorder plays back in real time: reading a 10 s window through
// would take 10 s, while ten sessions each starting at their moment take about as long as one.
import { NvrError } from '../../../core/nvr-errors.js';
import { type Clock, systemClock } from '../../../core/ports/clock.js';
import type { Frame, FrameSource } from '../../../core/ports/frame-source.js';
import { grabFrames, grabLiveFrames, primeFrameGrabber } from '../../ffmpeg/frame-grabber.js';
import type { IsapiClient } from './client.js';
import { isoSeconds, parseSearchResult, searchRequestXml } from './xml.js';

export interface HikvisionOptions {
  host: string;
  rtspPort: number;
  username: string;
  password: string;
  /** No frame for this long ends a grab with stream-no-frames. */
  stallMs: number;
  /** Parallel playback sessions (recorders limit concurrent playback per user). */
  playbackConcurrency?: number;
  onLog?: (line: string) => void;
  /** Stamps each frame's `at` (the system clock unless given). */
  clock?: Clock;
}

const hikTime = (d: Date) => isoSeconds(d).replace(/[-:]/g, '');

export class HikvisionFrameSource implements FrameSource {
  readonly #isapi: IsapiClient;
  readonly #o: HikvisionOptions;

  constructor(isapi: IsapiClient, options: HikvisionOptions) {
    this.#isapi = isapi;
    this.#o = options;
    void primeFrameGrabber();
  }

  #rtsp(path: string): string {
    const u = encodeURIComponent(this.#o.username);
    const p = encodeURIComponent(this.#o.password);
    return `rtsp://${u}:${p}@${this.#o.host}:${this.#o.rtspPort}${path}`;
  }

  async snapshot(camera: number): Promise<Frame> {
    const what = `snapshot of camera ${camera}`;
    let res: Awaited<ReturnType<IsapiClient['get']>>;
    try {
      res = await this.#isapi.get(`/ISAPI/Streaming/channels/${camera}01/picture`, what);
    } catch (e) {
      if (!(e instanceof NvrError) || e.code !== 'nvr-not-found') throw e;
      // Older NVR firmware serves IP-camera pictures only through the streaming proxy.
      res = await this.#isapi.get(`/ISAPI/ContentMgmt/StreamingProxy/channels/${camera}01/picture`, what);
    }
    if (res.body.length < 4 || res.body[0] !== 0xff || res.body[1] !== 0xd8) {
      throw new NvrError('nvr-bad-response', `the NVR's ${what} is not a JPEG (${res.contentType || 'no type'})`);
    }
    return { jpeg: res.body, origin: 'snapshot', at: (this.#o.clock ?? systemClock).now() };
  }

  async live(camera: number, count: number, intervalMs: number, onFrame?: (f: Frame) => void): Promise<Frame[]> {
    return grabLiveFrames({
      url: this.#rtsp(`/Streaming/Channels/${camera}01`),
      camera,
      count,
      intervalMs,
      stallMs: this.#o.stallMs,
      onFrame,
      clock: this.#o.clock ?? systemClock,
      ...(this.#o.onLog ? { onLog: this.#o.onLog } : {}),
    });
  }

  /** The recordings the NVR holds for the window; throws nvr-no-recording when there are none. */
  async search(camera: number, from: Date, to: Date): Promise<string> {
    const body = searchRequestXml({
      searchId: crypto.randomUUID().toUpperCase(),
      trackId: camera * 100 + 1,
      from,
      to,
    });
    const res = await this.#isapi.request('POST', '/ISAPI/ContentMgmt/search', 'recording search', body);
    const result = parseSearchResult(res.body.toString('utf8'));
    const first = result.matches[0];
    if (!first) {
      throw new NvrError(
        'nvr-no-recording',
        `the NVR holds no recording of camera ${camera} between ${isoSeconds(from)} and ${isoSeconds(to)}`,
        { retryable: false },
      );
    }
    return first.playbackURI;
  }

  async playback(camera: number, from: Date, to: Date, count: number, onFrame?: (f: Frame) => void): Promise<Frame[]> {
    const uri = await this.search(camera, from, to);
    const base = new URL(uri);
    const path = `/Streaming/tracks/${camera}01/`;
    const step = count > 1 ? (to.getTime() - from.getTime()) / (count - 1) : 0;
    const moments = Array.from({ length: count }, (_, i) => new Date(from.getTime() + step * i));
    const frames: (Frame | undefined)[] = new Array(count);
    let next = 0;
    const worker = async () => {
      while (next < moments.length) {
        const i = next++;
        const at = moments[i]!;
        const end = new Date(Math.max(to.getTime(), at.getTime() + 1000));
        const q = new URLSearchParams(base.search);
        q.set('starttime', hikTime(at));
        q.set('endtime', hikTime(end));
        const [jpeg] = await grabFrames({
          url: `${this.#rtsp(path)}?${q.toString()}`,
          count: 1,
          stallMs: this.#o.stallMs,
          what: `playback of camera ${camera}`,
          ...(this.#o.onLog ? { onLog: this.#o.onLog } : {}),
        });
        const f: Frame = { jpeg: jpeg!, origin: 'playback', at };
        frames[i] = f;
        onFrame?.(f);
      }
    };
    await Promise.all(Array.from({ length: Math.min(count, this.#o.playbackConcurrency ?? 4) }, worker));
    return frames.filter((f): f is Frame => f !== undefined);
  }
}

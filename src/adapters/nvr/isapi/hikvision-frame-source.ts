// FrameSource for a Hikvision recorder: ISAPI snapshot for the quickest still, CMSearch + RTSP playback for the
// past, the live main stream for the future. Playback frames are pulled by one short session per wanted moment
// (in parallel, a few at a time) because a recorder plays back in real time: reading a 10 s window through
// would take 10 s, while ten sessions each starting at their moment take about as long as one.
import { NvrError } from '../../../core/nvr-errors.js';
import { type Clock, systemClock } from '../../../core/ports/clock.js';
import type { Frame, FrameSource, RecorderClockReading } from '../../../core/ports/frame-source.js';
import { grabFrames, grabLiveFrames, primeFrameGrabber } from '../../ffmpeg/frame-grabber.js';
import type { IsapiClient, IsapiResponse } from './client.js';
import { readIsapiClock } from './recorder-clock.js';
import { isoSeconds, parseResponseStatus, parseSearchResult, searchRequestXml } from './xml.js';

const PICTURE = (camera: number) => `/ISAPI/Streaming/channels/${camera}01/picture`;
const PROXY_PICTURE = (camera: number) => `/ISAPI/ContentMgmt/StreamingProxy/channels/${camera}01/picture`;

/** Which picture endpoint a camera's snapshot came from, and why the fallback was needed (doctor --nvr). */
export interface PictureRoute {
  path: string;
  /** Why the first endpoint was not used; undefined when it worked. */
  workedAround: string | undefined;
}

const isJpeg = (b: Buffer) => b.length >= 4 && b[0] === 0xff && b[1] === 0xd8;

/** Why a picture answer is no picture: 400 (badXmlContent and kin), 403, 404, or a 200 carrying ResponseStatus. */
function pictureFailure(e: unknown): string | undefined {
  if (!(e instanceof NvrError)) return undefined;
  if (e.code === 'nvr-not-found') return '404';
  if (e.status === 200 || e.status === 400 || e.status === 403) {
    const s = parseResponseStatus(e.body ?? '');
    const sub = s?.subStatusCode || s?.statusString;
    return `${e.status}${e.status === 200 ? ' with a ResponseStatus instead of a JPEG' : ''}${sub ? ` (${sub})` : ''}`;
  }
  return undefined;
}

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
  readonly #routes = new Map<number, PictureRoute>();
  #offsetMs = 0;

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

  #now(): Date {
    return (this.#o.clock ?? systemClock).now();
  }

  /** The picture endpoint each camera answered on so far. */
  pictureRoute(camera: number): PictureRoute | undefined {
    return this.#routes.get(camera);
  }

  async recorderClock(): Promise<RecorderClockReading> {
    const r = await readIsapiClock(this.#isapi, this.#o.clock ?? systemClock);
    this.#offsetMs = r.offsetMs;
    return r;
  }

  /**
   * NVR firmware answers the channel picture in several broken ways for IP channels — 404, 400 badXmlContent,
   * 403, or 200 with a ResponseStatus instead of a JPEG — while its streaming proxy serves the same camera. The
   * endpoint that worked is remembered per camera, so the next snapshot goes straight there.
   */
  async snapshot(camera: number): Promise<Frame> {
    const what = `snapshot of camera ${camera}`;
    const known = this.#routes.get(camera);
    if (known) return this.#frame(await this.#picture(known.path, what), what);
    let first: string;
    try {
      const res = await this.#picture(PICTURE(camera), what);
      this.#routes.set(camera, { path: PICTURE(camera), workedAround: undefined });
      return this.#frame(res, what);
    } catch (e) {
      const why = pictureFailure(e);
      if (why === undefined) throw e;
      first = why;
    }
    try {
      const res = await this.#picture(PROXY_PICTURE(camera), what);
      this.#routes.set(camera, { path: PROXY_PICTURE(camera), workedAround: `${PICTURE(camera)} answered ${first}` });
      return this.#frame(res, what);
    } catch (e) {
      if (!(e instanceof NvrError)) throw e;
      throw new NvrError(
        e.code,
        `${e.message} (the channel picture endpoint had answered ${first}; neither gives a still)`,
        { retryable: e.retryable, ...(e.status !== undefined ? { status: e.status } : {}) },
      );
    }
  }

  /** A picture answer; a 200 that is not a JPEG (ResponseStatus XML) counts as a refusal the caller may route round. */
  async #picture(path: string, what: string): Promise<IsapiResponse> {
    const res = await this.#isapi.get(path, what);
    if (isJpeg(res.body)) return res;
    const status = parseResponseStatus(res.body.toString('utf8'));
    throw new NvrError(
      'nvr-bad-response',
      `the NVR's ${what} is not a JPEG (${res.contentType || 'no type'}${status ? `: ${status.subStatusCode || status.statusString}` : ''})`,
      { status: 200, body: res.body.toString('utf8').slice(0, 2000) },
    );
  }

  #frame(res: IsapiResponse, _what: string): Frame {
    return { jpeg: res.body, origin: 'snapshot', at: this.#now() };
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

  /**
   * Frames for [from, to] in the appliance's time. The recorder searches and plays back by its own clock, so the
   * request is shifted by the last measured offset and each frame keeps the appliance time it stands for. Only
   * the query of the playbackURI is used: its host may be an address the appliance cannot reach (NAT, a second
   * interface), and a recording still being written may report a wrong endTime, so neither is trusted.
   */
  async playback(camera: number, from: Date, to: Date, count: number, onFrame?: (f: Frame) => void): Promise<Frame[]> {
    const shift = (d: Date) => new Date(d.getTime() + this.#offsetMs);
    const uri = await this.search(camera, shift(from), shift(to));
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
        // One frame per session: recorders that ignore endtime keep streaming, and the grab ends the session.
        q.set('starttime', hikTime(shift(at)));
        q.set('endtime', hikTime(shift(end)));
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

  /**
   * The RTSP playback URL of [from, to] (appliance time, shifted by the recorder's clock offset) for a reader that
   * decodes the whole window itself (redacted clips). It carries the credentials: pass it only to ffmpeg.
   */
  async playbackUrl(camera: number, from: Date, to: Date): Promise<string> {
    const shift = (d: Date) => new Date(d.getTime() + this.#offsetMs);
    const uri = await this.search(camera, shift(from), shift(to));
    const q = new URLSearchParams(new URL(uri).search);
    q.set('starttime', hikTime(shift(from)));
    q.set('endtime', hikTime(shift(to)));
    return `${this.#rtsp(`/Streaming/tracks/${camera}01/`)}?${q.toString()}`;
  }
}

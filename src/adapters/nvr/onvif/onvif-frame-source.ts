// FrameSource for recorders that speak ONVIF Profile S but not ISAPI: GetStreamUri for live frames (through the
// same ffmpeg grabber), GetSnapshotUri fetched with digest auth for the quick still. Camera N is the recorder's
// Nth video source. ONVIF playback (Profile G) is not implemented: the past part of a window needs ISAPI.
// Devices behind NAT or with several interfaces hand out media URIs naming an address the appliance cannot
// reach; the device answered on the configured address, so the URIs are pointed there (reachableMediaUri).
import onvif from 'onvif';
import { describeError } from '../../../core/errors.js';
import { NvrError } from '../../../core/nvr-errors.js';
import { type Clock, systemClock } from '../../../core/ports/clock.js';
import type { Frame, FrameSource, RecorderClockReading } from '../../../core/ports/frame-source.js';
import { scrubCredentials } from '../../../core/secrets.js';
import { grabLiveFrames, primeFrameGrabber } from '../../ffmpeg/frame-grabber.js';
import { IsapiClient } from '../isapi/client.js';

/**
 * The media URI with its host replaced by the address the device answered on, when they differ. Port, path and
 * query stay: a device names its own media port correctly far more often than its address.
 */
export function reachableMediaUri(uri: string, configuredHost: string): { uri: string; rewrittenFrom?: string } {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new NvrError('nvr-bad-response', `the ONVIF recorder gave a media URI that is not a URL`, {
      retryable: false,
    });
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host === configuredHost.replace(/^\[|\]$/g, '')) return { uri: u.toString() };
  u.hostname = configuredHost;
  return { uri: u.toString(), rewrittenFrom: host };
}

export interface OnvifOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  timeoutMs: number;
  stallMs: number;
  /** Stamps each frame's `at` (the system clock unless given). */
  clock?: Clock;
}

interface Profile {
  token?: string;
  $?: { token?: string };
  videoSourceConfiguration?: { sourceToken?: string };
}

// The onvif package's callback API, as used here (its typings cover more than this).
interface CamLike {
  connect(cb: (err: unknown) => void): void;
  profiles?: Profile[];
  getStreamUri(o: { protocol: string; profileToken?: string }, cb: (err: unknown, r: { uri: string }) => void): void;
  getSnapshotUri(o: { profileToken?: string }, cb: (err: unknown, r: { uri: string }) => void): void;
  getSystemDateAndTime?(cb: (err: unknown, date: Date) => void): void;
  getActiveSources?(): void;
}

export class OnvifFrameSource implements FrameSource {
  readonly #o: OnvifOptions;
  #cam: Promise<CamLike> | undefined;

  constructor(options: OnvifOptions) {
    this.#o = options;
    void primeFrameGrabber();
  }

  #connect(): Promise<CamLike> {
    this.#cam ??= new Promise<CamLike>((resolve, reject) => {
      const cam = new onvif.Cam({
        hostname: this.#o.host,
        port: this.#o.port,
        username: this.#o.username,
        password: this.#o.password,
        timeout: this.#o.timeoutMs,
        autoconnect: false,
        preserveAddress: true,
      }) as unknown as CamLike;
      // The package picks default profiles inside a network callback and throws "Unrecognized configuration" there
      // when a device's first profile has no video encoder: an uncaught exception that would end the service.
      // Caught here, connect goes on; the profiles are chosen below from what the device listed.
      const pick = cam.getActiveSources;
      if (pick)
        cam.getActiveSources = function (this: CamLike) {
          try {
            pick.call(this);
          } catch {
            // no default profile: #profile() chooses by video source instead
          }
        };
      cam.connect((err) => {
        if (err) {
          this.#cam = undefined;
          reject(this.#error(err, 'connection'));
        } else resolve(cam);
      });
    });
    return this.#cam;
  }

  #error(err: unknown, what: string): NvrError {
    const text = scrubCredentials(describeError(err));
    if (/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|timeout/i.test(text))
      return new NvrError(
        'nvr-unreachable',
        `the ONVIF recorder at ${this.#o.host}:${this.#o.port} is unreachable (${what})`,
      );
    if (/not authorized|401|sender not authorized/i.test(text))
      return new NvrError('nvr-auth-failed', `the ONVIF recorder refused user "${this.#o.username}" (${what})`);
    return new NvrError('nvr-bad-response', `the ONVIF recorder's ${what} failed: ${text}`);
  }

  #now(): Date {
    return (this.#o.clock ?? systemClock).now();
  }

  /** GetSystemDateAndTime: the device's UTC clock against the appliance's, at the middle of the call. */
  async recorderClock(): Promise<RecorderClockReading> {
    const cam = await this.#connect();
    const clock = this.#o.clock ?? systemClock;
    const t0 = clock.now().getTime();
    const when = await new Promise<Date>((resolve, reject) => {
      if (!cam.getSystemDateAndTime) return reject(new NvrError('nvr-not-found', 'the ONVIF recorder has no clock'));
      cam.getSystemDateAndTime((err, date) => (err ? reject(this.#error(err, 'clock')) : resolve(date)));
    });
    const t1 = clock.now().getTime();
    const mid = Math.round((t0 + t1) / 2);
    return {
      offsetMs: when.getTime() - mid,
      source: 'onvif',
      recorderTime: when.toISOString(),
      readAt: new Date(mid).toISOString(),
      roundTripMs: t1 - t0,
      timeZone: '',
    };
  }

  async #profile(camera: number): Promise<{ cam: CamLike; token: string | undefined }> {
    const cam = await this.#connect();
    const seen = new Map<string, Profile>();
    for (const p of cam.profiles ?? []) {
      const src = p.videoSourceConfiguration?.sourceToken ?? String(seen.size);
      if (!seen.has(src)) seen.set(src, p);
    }
    const p = [...seen.values()][camera - 1];
    if (!p) throw new NvrError('nvr-not-found', `the ONVIF recorder has no camera ${camera}`);
    return { cam, token: p.token ?? p.$?.token };
  }

  #call(fn: (cb: (err: unknown, r: { uri: string }) => void) => void, what: string): Promise<string> {
    return new Promise((resolve, reject) => fn((err, r) => (err ? reject(this.#error(err, what)) : resolve(r.uri))));
  }

  #withCredentials(uri: string): string {
    const u = new URL(uri);
    u.username = encodeURIComponent(this.#o.username);
    u.password = encodeURIComponent(this.#o.password);
    return u.toString();
  }

  async snapshot(camera: number): Promise<Frame> {
    const { cam, token } = await this.#profile(camera);
    const uri = await this.#call(
      (cb) => cam.getSnapshotUri({ ...(token ? { profileToken: token } : {}) }, cb),
      'snapshot URI',
    );
    const media = reachableMediaUri(uri, this.#o.host);
    const u = new URL(media.uri);
    const client = new IsapiClient({
      scheme: u.protocol === 'https:' ? 'https' : 'http',
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
      username: this.#o.username,
      password: this.#o.password,
      timeoutMs: this.#o.timeoutMs,
    });
    try {
      const res = await client.get(`${u.pathname}${u.search}`, `snapshot of camera ${camera}`);
      return { jpeg: res.body, origin: 'snapshot', at: this.#now() };
    } catch (e) {
      if (!(e instanceof NvrError) || !media.rewrittenFrom) throw e;
      throw new NvrError(
        e.code,
        `${e.message} (its snapshot URI named ${media.rewrittenFrom}, which the appliance cannot reach, so ${u.host} was asked instead)`,
        { retryable: e.retryable },
      );
    } finally {
      await client.close();
    }
  }

  async live(camera: number, count: number, intervalMs: number, onFrame?: (f: Frame) => void): Promise<Frame[]> {
    const { cam, token } = await this.#profile(camera);
    const uri = await this.#call(
      (cb) => cam.getStreamUri({ protocol: 'RTSP', ...(token ? { profileToken: token } : {}) }, cb),
      'stream URI',
    );
    const media = reachableMediaUri(uri, this.#o.host);
    const where = new URL(media.uri).host;
    return grabLiveFrames({
      url: this.#withCredentials(media.uri),
      camera,
      count,
      intervalMs,
      stallMs: this.#o.stallMs,
      what: `live stream of camera ${camera} at ${where}${media.rewrittenFrom ? ` (the recorder named ${media.rewrittenFrom}, which the appliance cannot reach)` : ''}`,
      onFrame,
      clock: this.#o.clock ?? systemClock,
    });
  }

  async playback(camera: number): Promise<Frame[]> {
    throw new NvrError(
      'nvr-no-recording',
      `past frames of camera ${camera} need ISAPI: bcrp-edge does not play back over ONVIF`,
      { retryable: false },
    );
  }
}

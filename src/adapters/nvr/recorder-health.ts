// The recorder's health as the status strip and the installer page show it. Every open page polls the strip, so
// the recorder is asked at most once per `cacheMs` (ISAPI device info, or a snapshot for an ONVIF recorder); the
// cache's age is a duration, so it is measured on the monotonic clock.
import type { FrameSource } from '../../core/ports/frame-source.js';
import type { IsapiClient, LoginRefusal } from './isapi/client.js';

export interface RecorderHealthState {
  state: 'ok' | 'down';
  detail: string;
  /** The reason as a catalogue code, for pages in the reader's language (PartHealth.code). */
  code?: string;
}

export class RecorderHealth {
  readonly #isapi: IsapiClient | undefined;
  readonly #frames: FrameSource;
  readonly #camera: number;
  readonly #cacheMs: number;
  readonly #onProbe: ((up: boolean) => void) | undefined;
  /** Set while the recorder refuses the password: nothing is asked until its slow retry (no lock-out). */
  loginRefused: LoginRefusal | undefined;
  #cached: { at: number; health: RecorderHealthState } | undefined;

  constructor(deps: {
    isapi: IsapiClient | undefined;
    frames: FrameSource;
    /** The camera an ONVIF recorder is asked for a snapshot from. */
    camera: number;
    cacheMs?: number;
    onProbe?: (up: boolean) => void;
  }) {
    this.#isapi = deps.isapi;
    this.#frames = deps.frames;
    this.#camera = deps.camera;
    this.#cacheMs = deps.cacheMs ?? 10_000;
    this.#onProbe = deps.onProbe;
  }

  async probe(): Promise<RecorderHealthState> {
    if (this.loginRefused) {
      const r = this.loginRefused;
      return {
        state: 'down',
        detail: `Recorder ${r.locked ? 'has locked the appliance out' : 'refused the password'}: not trying again before ${r.until.toISOString().slice(11, 16)} UTC, so the user is not locked out. Incidents are still recorded; check the password (bcrp-edge doctor --nvr)`,
      };
    }
    const now = performance.now();
    if (this.#cached && now - this.#cached.at < this.#cacheMs) return this.#cached.health;
    let health: RecorderHealthState;
    try {
      if (this.#isapi) await this.#isapi.get('/ISAPI/System/deviceInfo', 'device info');
      else await this.#frames.snapshot(this.#camera);
      health = { state: 'ok', detail: 'Recorder answering', code: 'recorderAnswering' };
    } catch {
      health = { state: 'down', detail: 'Recorder not answering', code: 'recorderNotAnswering' };
    }
    this.#onProbe?.(health.state === 'ok');
    this.#cached = { at: performance.now(), health };
    return health;
  }
}

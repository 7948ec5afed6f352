// Follows ISAPI's alertStream: parses each part into an AlertEvent and reconnects with backoff until stopped.
// Older recorders send a videoloss heartbeat every few hundred ms, newer cameras send nothing while idle: after
// `silenceMs` without a byte the recorder itself is asked (device info). If it answers, the stream is reopened
// quietly — no "disconnected" state, no backoff — so a silent but healthy recorder never makes the status flap;
// only a recorder that does not answer counts as lost.
import { describeError } from '../../../core/errors.js';
import { scrubCredentials } from '../../../core/secrets.js';
import type { IsapiClient } from './client.js';
import { MultipartStreamParser } from './multipart.js';
import { type AlertEvent, parseAlert } from './xml.js';

export const ALERT_STREAM_PATH = '/ISAPI/Event/notification/alertStream';

export interface AlertStreamOptions {
  silenceMs?: number;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  onEvent: (e: AlertEvent) => void;
  onState?: (state: 'connected' | 'disconnected', reason?: string) => void;
  onProblem?: (message: string) => void;
}

export class AlertStreamWatcher {
  readonly #client: IsapiClient;
  readonly #o: Required<Omit<AlertStreamOptions, 'onState' | 'onProblem'>> &
    Pick<AlertStreamOptions, 'onState' | 'onProblem'>;
  #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(client: IsapiClient, options: AlertStreamOptions) {
    this.#client = client;
    this.#o = { silenceMs: 40_000, backoffMs: 500, maxBackoffMs: 30_000, ...options };
  }

  start(): void {
    if (this.#running) return;
    this.#stop = new AbortController();
    this.#running = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
    this.#running = undefined;
  }

  /** Quiet reopenings after silence while the recorder answered (no heartbeats on this device). */
  quietReopens = 0;
  #connected = false;

  /** "connected" is told once per real connection; every attempt that ends badly is told with its reason. */
  #state(state: 'connected' | 'disconnected', reason?: string): void {
    if (state === 'connected' && this.#connected) return;
    this.#connected = state === 'connected';
    this.#o.onState?.(state, reason);
  }

  async #loop(): Promise<void> {
    let delay = this.#o.backoffMs;
    while (!this.#stop.signal.aborted) {
      const reason = await this.#once();
      if (this.#stop.signal.aborted) break;
      if (reason.quiet) {
        this.quietReopens++;
        delay = this.#o.backoffMs;
        continue;
      }
      this.#state('disconnected', reason.message);
      if (reason.gotData) delay = this.#o.backoffMs;
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        this.#stop.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            r();
          },
          { once: true },
        );
      });
      delay = Math.min(delay * 2, this.#o.maxBackoffMs);
    }
  }

  /** One connection: resolves with why it ended. */
  async #once(): Promise<{ message: string; gotData: boolean; quiet?: boolean }> {
    const conn = new AbortController();
    const onStop = () => conn.abort();
    this.#stop.signal.addEventListener('abort', onStop, { once: true });
    let silent: NodeJS.Timeout | undefined;
    let silenced = false;
    let gotData = false;
    const arm = () => {
      clearTimeout(silent);
      silent = setTimeout(() => {
        silenced = true;
        conn.abort();
      }, this.#o.silenceMs);
    };
    const parser = new MultipartStreamParser(
      (part) => {
        if (!/xml/i.test(part.contentType)) return; // pictures attached by some event types
        try {
          this.#o.onEvent(parseAlert(part.body.toString('utf8')));
        } catch (e) {
          this.#o.onProblem?.(scrubCredentials(describeError(e)));
        }
      },
      (why) => this.#o.onProblem?.(`alertStream: ${why}`),
    );
    try {
      arm();
      const body = await this.#client.stream(ALERT_STREAM_PATH, 'event stream', conn.signal);
      this.#state('connected');
      for await (const chunk of body) {
        gotData = true;
        arm();
        parser.push(chunk);
      }
      return { message: 'the NVR closed the event stream', gotData };
    } catch (e) {
      if (silenced) {
        const alive = await this.#client.get('/ISAPI/System/deviceInfo', 'device info').then(
          () => true,
          () => false,
        );
        return { message: `no data for ${this.#o.silenceMs / 1000} s; reconnecting`, gotData, quiet: alive };
      }
      return { message: scrubCredentials(describeError(e)), gotData };
    } finally {
      clearTimeout(silent);
      this.#stop.signal.removeEventListener('abort', onStop);
    }
  }
}

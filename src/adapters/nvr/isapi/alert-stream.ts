// Follows ISAPI's alertStream: parses each part into an AlertEvent, declares the connection dead after
// `silenceMs` without a byte (an idle recorder still sends heartbeats), and reconnects with backoff until stopped.
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

  async #loop(): Promise<void> {
    let delay = this.#o.backoffMs;
    while (!this.#stop.signal.aborted) {
      const reason = await this.#once();
      if (this.#stop.signal.aborted) break;
      this.#o.onState?.('disconnected', reason.message);
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
  async #once(): Promise<{ message: string; gotData: boolean }> {
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
      this.#o.onState?.('connected');
      for await (const chunk of body) {
        gotData = true;
        arm();
        parser.push(chunk);
      }
      return { message: 'the NVR closed the event stream', gotData };
    } catch (e) {
      if (silenced) return { message: `no data for ${this.#o.silenceMs / 1000} s; reconnecting`, gotData };
      return { message: scrubCredentials(describeError(e)), gotData };
    } finally {
      clearTimeout(silent);
      this.#stop.signal.removeEventListener('abort', onStop);
    }
  }
}

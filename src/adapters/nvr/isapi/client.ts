// ISAPI over HTTP(S) with digest auth (MD5 or SHA-256, strongest offered), per-request timeouts, retries with
// backoff for network failures, and an optional pinned TLS certificate. Errors are NvrError values whose
// messages name the NVR by scheme://host:port only: the password is never put in a URL or a message.
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, type Dispatcher, fetch } from 'undici';
import { NvrError } from '../../../core/nvr-errors.js';
import { scrubCredentials } from '../../../core/secrets.js';
import { authorizationHeader, type DigestChallenge, parseDigestChallenges } from './digest.js';

export interface IsapiOptions {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  username: string;
  password: string;
  timeoutMs: number;
  retries?: number;
  /** SHA-256 fingerprint (AA:BB:…) the NVR's certificate must have; https only. */
  tlsFingerprint?: string;
}

export interface IsapiResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class IsapiClient {
  readonly #o: IsapiOptions;
  readonly #dispatcher: Dispatcher;
  #challenge: DigestChallenge | undefined;
  #nc = 0;

  constructor(options: IsapiOptions) {
    this.#o = options;
    this.#dispatcher = new Agent({
      connectTimeout: options.timeoutMs,
      ...(options.scheme === 'https' ? { connect: pinnedConnector(options.tlsFingerprint) } : {}),
    });
  }

  /** scheme://host:port, the only way the NVR is named in messages. */
  get origin(): string {
    return `${this.#o.scheme}://${this.#o.host}:${this.#o.port}`;
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  async get(path: string, what: string): Promise<IsapiResponse> {
    return this.request('GET', path, what);
  }

  async getXml(path: string, what: string): Promise<string> {
    const r = await this.request('GET', path, what);
    return r.body.toString('utf8');
  }

  /** One request with digest auth; network failures are retried with backoff, HTTP answers are not. */
  async request(method: string, path: string, what: string, body?: string): Promise<IsapiResponse> {
    const attempts = (this.#o.retries ?? 2) + 1;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(200 * 2 ** (i - 1));
      try {
        const res = await this.#send(method, path, body, AbortSignal.timeout(this.#o.timeoutMs));
        const buf = Buffer.from(await res.arrayBuffer());
        return this.#check(res.status, res.headers.get('content-type') ?? '', buf, what);
      } catch (e) {
        if (e instanceof NvrError) throw e;
        last = e;
      }
    }
    throw this.#networkError(last, what);
  }

  /**
   * Opens a long-lived response (alertStream) and returns its body stream; only the wait for the headers is
   * bounded by the timeout. `signal` ends it.
   */
  async stream(path: string, what: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const headerTimeout = AbortSignal.timeout(this.#o.timeoutMs);
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    headerTimeout.addEventListener('abort', onAbort, { once: true });
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await this.#send('GET', path, undefined, ctl.signal);
    } catch (e) {
      throw this.#networkError(e, what);
    } finally {
      headerTimeout.removeEventListener('abort', onAbort);
    }
    if (res.status !== 200 || !res.body) {
      const buf = Buffer.from(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
      this.#check(res.status, res.headers.get('content-type') ?? '', buf, what);
      throw new NvrError('nvr-bad-response', `the NVR's ${what} returned no body`);
    }
    return res.body;
  }

  async #send(method: string, path: string, body: string | undefined, signal: AbortSignal) {
    const url = `${this.origin}${path}`;
    const init = (auth: string | undefined) => ({
      method,
      signal,
      dispatcher: this.#dispatcher,
      headers: {
        ...(auth ? { authorization: auth } : {}),
        ...(body !== undefined ? { 'content-type': 'application/xml' } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
    const creds = { username: this.#o.username, password: this.#o.password };
    let res = await fetch(
      url,
      init(this.#challenge ? authorizationHeader(this.#challenge, creds, method, path, ++this.#nc) : undefined),
    );
    if (res.status !== 401) return res;
    await res.arrayBuffer().catch(() => undefined);
    const challenges = parseDigestChallenges(splitHeader(res.headers.get('www-authenticate')));
    const best = challenges[0];
    if (!best) return res; // no digest offered: #check reports it as an auth failure
    this.#challenge = best;
    this.#nc = 0;
    res = await fetch(url, init(authorizationHeader(best, creds, method, path, ++this.#nc)));
    return res;
  }

  #check(status: number, contentType: string, body: Buffer, what: string): IsapiResponse {
    if (status === 401 || status === 403) {
      this.#challenge = undefined;
      throw new NvrError(
        'nvr-auth-failed',
        `the NVR at ${this.origin} refused user "${this.#o.username}" (${status === 401 ? 'wrong user name or password' : 'the user lacks the right for this'}) when asking for its ${what}`,
      );
    }
    if (status === 404) {
      throw new NvrError('nvr-not-found', `the NVR at ${this.origin} has no ${what} (404; is ISAPI enabled?)`);
    }
    if (status < 200 || status >= 300) {
      throw new NvrError('nvr-bad-response', `the NVR at ${this.origin} answered ${status} when asked for its ${what}`);
    }
    return { status, contentType, body };
  }

  #networkError(e: unknown, what: string): NvrError {
    const cause = e as { name?: string; code?: string; cause?: { code?: string; message?: string } };
    const code = cause.cause?.code ?? cause.code;
    const why =
      cause.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT'
        ? `no answer within ${this.#o.timeoutMs} ms`
        : code === 'ECONNREFUSED'
          ? 'connection refused'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'host name not found'
            : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
              ? 'no route to the host'
              : code === 'CERT_PINNING_FAILED'
                ? 'its TLS certificate is not the pinned one'
                : scrubCredentials(cause.cause?.message ?? (e as Error)?.message ?? String(e));
    return new NvrError('nvr-unreachable', `the NVR at ${this.origin} is unreachable (${why}) asking for its ${what}`, {
      retryable: code !== 'CERT_PINNING_FAILED',
    });
  }
}

function splitHeader(v: string | null): string[] {
  return v ? [v] : [];
}

/** With a pin, the chain is not checked against the CA store (NVRs use self-signed certificates); the pin is. */
function pinnedConnector(fingerprint: string | undefined): buildConnector.connector {
  const base = buildConnector({ rejectUnauthorized: fingerprint === undefined });
  if (!fingerprint) return base;
  const want = fingerprint.toUpperCase();
  return (opts, cb) =>
    base(opts, (err, socket) => {
      if (err || !socket) return cb(err ?? new Error('no socket'), null);
      const got = (socket as TLSSocket).getPeerCertificate?.()?.fingerprint256?.toUpperCase();
      if (got !== want) {
        socket.destroy();
        return cb(
          Object.assign(new Error('TLS certificate does not match the pinned fingerprint'), {
            code: 'CERT_PINNING_FAILED',
          }),
          null,
        );
      }
      return cb(null, socket);
    });
}

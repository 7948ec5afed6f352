// ISAPI over HTTP(S) with digest auth (MD5 or SHA-256, strongest offered), per-request timeouts, retries with
// backoff for network failures, and an optional pinned TLS certificate. Errors are NvrError values whose
// messages name the NVR by scheme://host:port only: the password is never put in a URL or a message.
// A recorder locks a user out for ~30 min after a few failed logins, so one definite refusal (a 401 to a fresh
// challenge) closes a login guard: every caller sharing the client is refused locally until a slow retry is due.
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, type Dispatcher, fetch } from 'undici';
import { NvrError } from '../../../core/nvr-errors.js';
import { type Clock, systemClock } from '../../../core/ports/clock.js';
import { scrubCredentials } from '../../../core/secrets.js';
import { authorizationHeader, type DigestChallenge, parseDigestChallenges } from './digest.js';
import { parseLoginRefusal } from './xml.js';

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
  /**
   * Answer a Basic-only recorder. Over https Basic is always answered; over http only with this set, because the
   * password would cross the LAN in clear text.
   */
  allowBasic?: boolean;
  clock?: Clock;
  /** Pauses before trying the password again after a definite refusal (the last one repeats). */
  loginRetryMs?: readonly number[];
  /** Told once per refusal episode (status strip, audit); `until` is when the next attempt is allowed. */
  onLoginRefused?: (refusal: LoginRefusal) => void;
  /** Told when a login succeeds again after a refusal. */
  onLoginRestored?: () => void;
}

/** Why and until when the client stopped trying the password. */
export interface LoginRefusal {
  message: string;
  /** The recorder said the user is locked (illegal login lock). */
  locked: boolean;
  until: Date;
  attempts: number;
}

/** How the client last logged in: shown by doctor --nvr. */
export type AuthVariant = 'none' | 'Basic' | `Digest ${string}`;

export const DEFAULT_LOGIN_RETRY_MS: readonly number[] = [10 * 60_000, 30 * 60_000, 60 * 60_000];

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
  #basic = false;
  #nc = 0;
  #refusal: LoginRefusal | undefined;
  #refusals = 0;
  #variant: AuthVariant | undefined;
  #offered: string[] = [];

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

  /** The login variant that worked last (undefined before the first login). */
  get authVariant(): AuthVariant | undefined {
    return this.#variant;
  }

  /** The WWW-Authenticate challenges the recorder offered last, as sent. */
  get offeredChallenges(): readonly string[] {
    return this.#offered;
  }

  /** Set while the client refuses to try the password again. */
  get loginRefusal(): LoginRefusal | undefined {
    return this.#refusal;
  }

  #clock(): Clock {
    return this.#o.clock ?? systemClock;
  }

  #guard(what: string): void {
    const r = this.#refusal;
    if (!r) return;
    const now = this.#clock().now().getTime();
    if (now >= r.until.getTime()) {
      // Due: this request is the one slow retry; everyone else keeps being refused locally until it is answered.
      r.until = new Date(now + 60_000);
      return;
    }
    throw new NvrError(
      'nvr-auth-failed',
      `${r.message}; not trying again until ${r.until.toISOString().slice(11, 16)} UTC so the NVR does not lock the user out (asked for its ${what})`,
      { retryable: true },
    );
  }

  #refused(status: number, body: Buffer, what: string): NvrError {
    const lock = parseLoginRefusal(body.toString('utf8'));
    const retry = this.#o.loginRetryMs ?? DEFAULT_LOGIN_RETRY_MS;
    const pause = Math.max(
      retry[Math.min(this.#refusals, retry.length - 1)] ?? 600_000,
      (lock?.unlockSeconds ?? 0) * 1000,
    );
    this.#refusals++;
    const message = lock?.locked
      ? `the NVR at ${this.origin} has locked user "${this.#o.username}" out after failed logins${lock.unlockSeconds ? ` for ${lock.unlockSeconds} s` : ''}`
      : `the NVR at ${this.origin} refused user "${this.#o.username}" (${status === 401 ? 'wrong user name or password' : 'the user lacks the right for this'})`;
    this.#refusal = {
      message,
      locked: lock?.locked === true,
      until: new Date(this.#clock().now().getTime() + pause),
      attempts: this.#refusals,
    };
    this.#o.onLoginRefused?.(this.#refusal);
    return new NvrError('nvr-auth-failed', `${message} when asking for its ${what}`, { retryable: true, status });
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
      this.#guard(what);
      try {
        const { res, definite } = await this.#send(method, path, body, AbortSignal.timeout(this.#o.timeoutMs));
        const buf = Buffer.from(await res.arrayBuffer());
        return this.#check(res.status, res.headers.get('content-type') ?? '', buf, what, definite);
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
    return (await this.streamResponse(path, what, signal)).body;
  }

  /**
   * As `stream`, for any method and with the answer's headers (a download's file name and length): the body is
   * handed over as it arrives, never buffered whole.
   */
  async streamResponse(
    path: string,
    what: string,
    signal: AbortSignal,
    init: { method?: string; body?: string } = {},
  ): Promise<{ body: AsyncIterable<Uint8Array>; headers: Headers }> {
    const headerTimeout = AbortSignal.timeout(this.#o.timeoutMs);
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    headerTimeout.addEventListener('abort', onAbort, { once: true });
    let res: Awaited<ReturnType<typeof fetch>>;
    let definite = false;
    this.#guard(what);
    try {
      ({ res, definite } = await this.#send(init.method ?? 'GET', path, init.body, ctl.signal));
    } catch (e) {
      if (e instanceof NvrError) throw e;
      throw this.#networkError(e, what);
    } finally {
      headerTimeout.removeEventListener('abort', onAbort);
    }
    if (res.status !== 200 || !res.body) {
      const buf = Buffer.from(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
      this.#check(res.status, res.headers.get('content-type') ?? '', buf, what, definite);
      throw new NvrError('nvr-bad-response', `the NVR's ${what} returned no body`);
    }
    return { body: res.body, headers: res.headers as unknown as Headers };
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
    const basic = () => `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    const cached = this.#basic
      ? basic()
      : this.#challenge
        ? authorizationHeader(this.#challenge, creds, method, path, ++this.#nc)
        : undefined;
    let res = await fetch(url, init(cached));
    if (res.status !== 401) {
      if (cached === undefined && res.status < 400) this.#variant ??= 'none';
      return { res, definite: false };
    }
    await res.arrayBuffer().catch(() => undefined);
    const offered = headerValues(res.headers, 'www-authenticate');
    this.#offered = offered;
    const challenges = parseDigestChallenges(offered);
    const best = challenges[0];
    if (best) {
      // A 401 to a cached nonce may only mean the nonce expired: one more try with the fresh one is definite.
      this.#challenge = best;
      this.#basic = false;
      this.#nc = 0;
      res = await fetch(url, init(authorizationHeader(best, creds, method, path, ++this.#nc)));
      if (res.status !== 401)
        this.#variant = `Digest ${best.algorithm}${offered.join(' ').match(/algorithm=/i) ? '' : ' (no algorithm= offered)'}`;
      return { res, definite: true };
    }
    if (offered.some((h) => /^\s*Basic\b/i.test(h))) {
      if (this.#o.scheme !== 'https' && !this.#o.allowBasic) {
        throw new NvrError(
          'nvr-auth-failed',
          `the NVR at ${this.origin} offers only Basic login, which would send the password in clear text over http: set its web authentication to digest, or use https (nvr.scheme), or allow it with nvr.allowBasicAuth`,
          { retryable: false },
        );
      }
      this.#basic = true;
      res = await fetch(url, init(basic()));
      if (res.status !== 401) this.#variant = 'Basic';
      return { res, definite: true };
    }
    return { res, definite: cached !== undefined }; // no scheme we speak: #check reports it as an auth failure
  }

  #check(status: number, contentType: string, body: Buffer, what: string, definite = true): IsapiResponse {
    if (status === 401) {
      this.#challenge = undefined;
      this.#basic = false;
      if (definite) throw this.#refused(status, body, what);
      throw new NvrError('nvr-auth-failed', `the NVR at ${this.origin} asked for a login it does not offer (${what})`);
    }
    if (status === 403) {
      // A right missing for one resource: the password is fine, so the login guard stays open.
      throw new NvrError(
        'nvr-auth-failed',
        `the NVR at ${this.origin} refused user "${this.#o.username}" (the user lacks the right for this) when asking for its ${what}`,
        { retryable: false, status, body: body.toString('utf8').slice(0, 2000) },
      );
    }
    if (this.#refusal) {
      this.#refusal = undefined;
      this.#refusals = 0;
      this.#o.onLoginRestored?.();
    }
    if (status === 404) {
      throw new NvrError('nvr-not-found', `the NVR at ${this.origin} has no ${what} (404; is ISAPI enabled?)`, {
        status,
        body: body.toString('utf8').slice(0, 2000),
      });
    }
    if (status < 200 || status >= 300) {
      throw new NvrError(
        'nvr-bad-response',
        `the NVR at ${this.origin} answered ${status} when asked for its ${what}`,
        { status, body: body.toString('utf8').slice(0, 2000) },
      );
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

/** The challenges of a header a server may send several times (fetch joins them with ", "), one per entry. */
function headerValues(headers: Headers, name: string): string[] {
  const joined = headers.get(name);
  if (!joined) return [];
  return joined
    .split(/,\s*(?=(?:Digest|Basic|Bearer)\s)/i)
    .map((c) => c.trim())
    .filter(Boolean);
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

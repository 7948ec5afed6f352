// The whole product on loopback for fault tests and the soak script: the NVR emulator playing the demo clip, the
// dev mosquitto (mTLS, CRL), the reference hub on SQLite in this process, and the real `bcrp-edge run` (dist/main.js)
// as a child that can be started, SIGKILLed and restarted on the same data dir. No vitest import: scripts use it too.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { type DevBroker, freePort, startDevMosquitto } from '../../src/adapters/mqtt/dev-mosquitto.js';
import { emulatorNvrConfig, type RunningEmulator, startNvrEmulator } from '../../src/adapters/nvr/emulator/emulator.js';
import { SqliteAccounts } from '../../src/adapters/store/sqlite-accounts.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { demoClip } from '../../src/demo/clip.js';
import { throwawayCertificate } from '../../src/demo/throwaway-certificate.js';
import { loadHubConfig } from '../../src/hub/config.js';
import { type RunningHub, startHub } from '../../src/hub/create-hub.js';
import { silentLogger } from '../../src/observability/logger.js';
import { makeEdgeHubRig } from './edge-hub-rig.js';

export const STACK_BIN = join(import.meta.dirname, '..', '..', 'dist', 'main.js');
export const STACK_SITE = 'shop-001';
const DEVICE_CN = 'device-shop-001';
const STAFF = { username: 'staff', password: 'staff-password-1' };

export interface StackOptions {
  /** capture.* overrides (short windows keep each incident to a few seconds). */
  capture?: Record<string, unknown>;
  /** hub.* overrides for the appliance. */
  hub?: Record<string, unknown>;
  /** Other top-level config sections (e.g. buttons), merged over the generated ones. */
  config?: Record<string, unknown>;
  /** Broker safety-net lifetime (it stops by itself after this even if we die). */
  brokerTtlSeconds?: number;
  /** Called with each appliance process's whole output when it exits (tests feed the secrets scan). */
  onOutput?: (output: string) => void;
}

export interface ApplianceProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the exit code or signal name. */
  exited: Promise<number | string>;
}

export interface ApplianceStack {
  dir: string;
  dataDir: string;
  configFile: string;
  broker: DevBroker;
  emulator: RunningEmulator;
  hub: RunningHub;
  webUrl: string;
  /** Bearer token for GET /metrics. */
  metricsToken: string;
  /** Starts `bcrp-edge run` and waits for "ready". */
  start(): Promise<ApplianceProcess>;
  /** A signed-in staff session against the running appliance's web API. */
  web(): Promise<WebClient>;
  /** Stops the appliance (SIGTERM), the hub, the broker and the emulator. */
  close(): Promise<void>;
}

export async function startApplianceStack(dir: string, o: StackOptions = {}): Promise<ApplianceStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const media = await demoClip(join(dir, 'media'));
    const nvrPassword = randomBytes(12).toString('base64url');
    const emulator = await startNvrEmulator({ media, channels: 1, username: 'admin', password: nvrPassword });
    stops.push(() => emulator.stop());
    const broker = await startDevMosquitto(join(dir, 'broker'), [{ id: DEVICE_CN, site: STACK_SITE }], {
      ttlSeconds: o.brokerTtlSeconds ?? 900,
    });
    stops.push(() => broker.stop());

    // Keys, the hub's config and the device's broker/hub sections come from the same rig the publish tests use.
    const rig = makeEdgeHubRig(dir, broker);
    const hub = await startHub(loadHubConfig(rig.hubConfig), { clock: systemClock, log: silentLogger() });
    stops.push(() => hub.stop());

    const passwordFile = join(dir, 'nvr-emulator-password');
    writeFileSync(passwordFile, nvrPassword, { mode: 0o600 });
    throwawayCertificate(join(dir, 'tls'));
    const metricsToken = randomBytes(24).toString('base64url');
    const metricsTokenFile = join(dir, 'metrics-token');
    writeFileSync(metricsTokenFile, metricsToken, { mode: 0o600 });
    const webPort = await freePort();
    const base = parse(readFileSync(rig.deviceConfig, 'utf8')) as { hub: Record<string, unknown> };
    const configFile = rig.deviceConfig;
    writeFileSync(
      configFile,
      stringify({
        ...base,
        site: { id: STACK_SITE, name: 'Stack Shop' },
        nvr: emulatorNvrConfig(emulator, passwordFile, [{ id: 1, name: 'Till', enabled: true }]),
        capture: { preSeconds: 2, postSeconds: 0, stills: 2, retryMinutes: 1, minFreeMb: 0, ...o.capture },
        hub: { ...base.hub, ackTimeoutSeconds: 5, maxRetrySeconds: 10, ...o.hub },
        web: {
          bind: '127.0.0.1',
          port: webPort,
          tlsCert: join(dir, 'tls', 'web.crt'),
          tlsKey: join(dir, 'tls', 'web.key'),
          metricsTokenFile,
        },
        ...o.config,
      }),
      { mode: 0o600 },
    );
    const dataDir = join(dir, 'appliance');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = openDatabase(dataDir, { clock: systemClock });
    try {
      await new SqliteAccounts(db, systemClock).create({ ...STAFF, role: 'staff' });
    } finally {
      db.close();
    }

    let current: ApplianceProcess | undefined;
    stops.push(async () => {
      const c = current;
      if (!c || c.child.exitCode !== null || c.child.signalCode !== null) return;
      c.child.kill('SIGTERM');
      const t = setTimeout(() => c.child.kill('SIGKILL'), 12_000);
      await c.exited;
      clearTimeout(t);
    });
    const webUrl = `https://127.0.0.1:${webPort}`;
    return {
      dir,
      dataDir,
      configFile,
      broker,
      emulator,
      hub,
      webUrl,
      metricsToken,
      async start() {
        current = await startAppliance(configFile, dataDir, o.onOutput);
        return current;
      },
      web: () => WebClient.signIn(webUrl, STAFF.username, STAFF.password),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

async function startAppliance(
  configFile: string,
  dataDir: string,
  onOutput?: (output: string) => void,
): Promise<ApplianceProcess> {
  const child = spawn(process.execPath, [STACK_BIN, 'run', '--config', configFile, '--data-dir', dataDir], {
    env: { ...process.env, NODE_ENV: 'production', NOTIFY_SOCKET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = once(child, 'exit').then(([code, signal]) => {
    onOutput?.(output);
    return (code as number | null) ?? (signal as string);
  });
  const end = Date.now() + 30_000;
  while (!output.includes('"msg":"ready')) {
    if (child.exitCode !== null || Date.now() > end) {
      if (child.exitCode === null) child.kill('SIGKILL');
      throw new Error(`bcrp-edge run did not report ready:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, pid: child.pid!, output: () => output, exited };
}

export interface WebReply<T = unknown> {
  status: number;
  body: T;
}

/** Just enough of the web API for tests and the soak: a session cookie, the CSRF header, JSON in and out. */
export class WebClient {
  readonly #base: string;
  #cookie = '';
  #csrf = '';

  private constructor(base: string) {
    this.#base = base;
  }

  static async signIn(base: string, username: string, password: string): Promise<WebClient> {
    const c = new WebClient(base);
    const r = await c.call<{ csrfToken?: string; error?: string }>('POST', '/api/login', { username, password });
    if (r.status !== 200 || !r.body.csrfToken) throw new Error(`sign-in failed: ${r.status} ${JSON.stringify(r.body)}`);
    c.#csrf = r.body.csrfToken;
    return c;
  }

  call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = 30_000,
    extraHeaders: Record<string, string> = {},
  ): Promise<WebReply<T>> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        `${this.#base}${path}`,
        {
          method,
          rejectUnauthorized: false,
          timeout: timeoutMs,
          headers: {
            ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
            ...(this.#cookie ? { cookie: this.#cookie } : {}),
            ...(this.#csrf && method !== 'GET' ? { 'csrf-token': this.#csrf } : {}),
            ...extraHeaders,
          },
        },
        (res) => {
          const set = res.headers['set-cookie'];
          const session = set?.map((s) => s.split(';')[0]!).find((s) => s.startsWith('bcrp_session='));
          if (session) this.#cookie = session;
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON (an image or a page): the text is enough for callers
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  /** Triggers a capture on camera 1 now; the incident id. */
  async trigger(): Promise<string> {
    const r = await this.call<{ id: string }>('POST', '/api/incidents', { camera: 1 });
    if (r.status !== 201) throw new Error(`trigger failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  }

  /**
   * Picks the first face found as the subject, a category, and sends. 'sent' when the appliance took it, 'no-face'
   * when the detector found no face to choose, otherwise the refusal.
   */
  async reviewAndSend(id: string): Promise<'sent' | 'no-face' | string> {
    const inc = await this.call<{ stills: { id: string }[] }>('GET', `/api/incidents/${id}`);
    if (inc.status !== 200) return `GET incident ${inc.status}`;
    for (const s of inc.body.stills) {
      const f = await this.call<{ faces: { index: number }[] }>('GET', `/api/incidents/${id}/stills/${s.id}/faces`);
      if (f.status !== 200) return `faces ${f.status} ${JSON.stringify(f.body)}`;
      const face = f.body.faces[0];
      if (!face) continue;
      const draft = {
        subject: { stillId: s.id, face: face.index },
        extraBoxes: [],
        category: 'theft',
        contextStills: [],
        description: '',
      };
      const put = await this.call('PUT', `/api/incidents/${id}/review`, draft);
      if (put.status !== 200) return `save ${put.status} ${JSON.stringify(put.body)}`;
      const send = await this.call<{ status: string }>('POST', `/api/incidents/${id}/send`);
      return send.status === 200 ? 'sent' : `send ${send.status} ${JSON.stringify(send.body)}`;
    }
    return 'no-face';
  }

  /** One Prometheus gauge or counter value from GET /metrics (undefined when absent). */
  async metric(token: string, name: string): Promise<number | undefined> {
    const r = await this.call<string>('GET', '/metrics', undefined, 10_000, { authorization: `Bearer ${token}` });
    if (r.status !== 200) throw new Error(`metrics ${r.status}`);
    const line = String(r.body)
      .split('\n')
      .find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : undefined;
  }

  async status(): Promise<{ broker: { state: string; detail: string }; queueDepth: number }> {
    const r = await this.call<{ broker: { state: string; detail: string }; queueDepth: number }>('GET', '/api/status');
    if (r.status !== 200) throw new Error(`status ${r.status}`);
    return r.body;
  }
}

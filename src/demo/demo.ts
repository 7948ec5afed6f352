// `bcrp-edge demo`: the whole product on loopback. The NVR emulator plays a generated clip of cartoon shoppers,
// a throwaway mosquitto (own PKI, mutual TLS) carries the packets, the reference hub runs in this process with its
// own keys and the device enrolled, and the appliance runs with every real service wired, a demo site, one account
// per role and a throwaway HTTPS certificate. The hub serves its real page (src/hub/web) with a demo member and
// administrator, so "the hub" in the demo is what a partnership would run.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateKeys, KEY_FILES } from '../adapters/crypto/keys.js';
import { type DevBroker, startDevMosquitto } from '../adapters/mqtt/dev-mosquitto.js';
import { emulatorNvrConfig, type RunningEmulator, startNvrEmulator } from '../adapters/nvr/emulator/emulator.js';
import { SqliteAccounts } from '../adapters/store/sqlite-accounts.js';
import { type App, createApp } from '../app/create-app.js';
import { addServiceModules } from '../app/service-modules.js';
import { loadConfigFile } from '../config/load.js';
import { AppError } from '../core/errors.js';
import type { Role } from '../core/ports/accounts.js';
import { systemClock } from '../core/ports/clock.js';
import type { HubRole } from '../core/ports/hub-store.js';
import { loadHubConfig } from '../hub/config.js';
import { type RunningHub, startHub } from '../hub/create-hub.js';
import { HubAccounts } from '../hub/hub-accounts.js';
import type { Logger } from '../observability/logger.js';
import { demoClip } from './clip.js';
import { seedDemoUsers } from './seed-users.js';
import { throwawayCertificate } from './throwaway-certificate.js';

export const DEMO_SITE = { id: 'demo-shop', name: 'Demo Corner Shop' };
const DEVICE_CN = 'device-demo-shop';

export interface DemoOptions {
  dataDir: string;
  /** 0 = a free port. */
  port: number;
  log: Logger;
  version: string;
}

export interface RunningDemo {
  url: string;
  hubUrl: string;
  users: { username: string; role: Role; password: string }[];
  /** The hub page's accounts, made on the first start with this data dir (empty after). */
  hubUsers: { username: string; role: HubRole; password: string }[];
  stop(): Promise<void>;
}

/** Starts everything; on any failure stops what already started and rethrows. */
export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse().splice(0)) await s().catch((e) => o.log.warn({ err: e }, 'demo stop failed'));
  };
  try {
    return await start(o, stops, stopAll);
  } catch (e) {
    await stopAll();
    throw e;
  }
}

async function start(
  o: DemoOptions,
  stops: (() => Promise<void>)[],
  stopAll: () => Promise<void>,
): Promise<RunningDemo> {
  const d = o.dataDir;
  mkdirSync(d, { recursive: true, mode: 0o700 });
  const media = await demoClip(join(d, 'media'));

  const nvrPassword = randomBytes(12).toString('base64url');
  const emulator: RunningEmulator = await startNvrEmulator({
    media,
    channels: 2,
    username: 'admin',
    password: nvrPassword,
    onLog: (line) => o.log.debug({ module: 'nvr-emulator' }, line),
  });
  stops.push(() => emulator.stop());

  const broker: DevBroker = await startDevMosquitto(join(d, 'broker'), [{ id: DEVICE_CN, site: DEMO_SITE.id }]);
  stops.push(() => broker.stop());

  // Keys survive a restart with the same --data-dir, so the appliance's outbox and the hub's enrolment still match.
  const deviceKeys = join(d, 'device-keys');
  const hubKeys = join(d, 'hub-keys');
  for (const k of [deviceKeys, hubKeys]) if (!existsSync(join(k, KEY_FILES.signingPrivate))) generateKeys(k);

  const tls = throwawayCertificate(join(d, 'tls'));
  const hubConfigFile = join(d, 'hub.yaml');
  writeFileSync(
    hubConfigFile,
    stringify({
      mqtt: {
        url: broker.url,
        ca: broker.ca,
        cert: broker.hub.cert,
        key: broker.hub.key,
        topicPrefix: broker.prefix,
        clientId: 'demo-hub',
      },
      store: join(d, 'hub.sqlite'),
      signingKey: join(hubKeys, KEY_FILES.signingPrivate),
      encryptionKey: join(hubKeys, KEY_FILES.encryptionPrivate),
      web: {
        bind: '127.0.0.1',
        port: 0,
        tlsCert: tls.certPath,
        tlsKey: join(d, 'tls', 'web.key'),
        sessionSecretFile: join(d, 'hub-web-session.key'),
        name: 'Demo partnership',
      },
      devices: [{ site: DEMO_SITE.id, publicKey: join(deviceKeys, KEY_FILES.signingPublic) }],
    }),
  );
  const hub: RunningHub = await startHub(loadHubConfig(hubConfigFile), {
    clock: systemClock,
    log: o.log.child({ module: 'hub' }),
    webLog: o.log.child({ module: 'hub-web' }),
  });
  stops.push(() => hub.stop());
  if (!hub.web) throw new AppError('demo-failed', 'the hub page did not start');
  const hubUsers = (await hub.store.users()).length === 0 ? await seedHubUsers(hub) : [];

  const passwordFile = join(d, 'nvr-password');
  writeFileSync(passwordFile, nvrPassword, { mode: 0o600 });
  const device = broker.device(DEVICE_CN);
  const configFile = join(d, 'config.yaml');
  writeFileSync(
    configFile,
    stringify({
      site: DEMO_SITE,
      nvr: emulatorNvrConfig(emulator, passwordFile, [
        { id: 1, name: 'Till', enabled: true },
        { id: 2, name: 'Door', enabled: true },
      ]),
      // A short window, so a capture in the demo is ready in a few seconds.
      capture: { preSeconds: 6, postSeconds: 2, stills: 4 },
      // The police master's window short too: sealed a few seconds after the trigger, so a send made at once waits
      // only briefly for its hash (docs/evidence.md).
      evidence: { clipPreSeconds: 10, clipPostSeconds: 2 },
      mqtt: { url: broker.url, ca: broker.ca, cert: device.cert, key: device.key, topicPrefix: broker.prefix },
      hub: {
        signingKeys: [join(hubKeys, KEY_FILES.signingPublic)],
        encryptionKey: join(hubKeys, KEY_FILES.encryptionPublic),
        encrypt: true,
        deviceKey: join(deviceKeys, KEY_FILES.signingPrivate),
        ackTimeoutSeconds: 10,
      },
      web: { bind: '127.0.0.1', port: o.port === 0 ? 8443 : o.port },
    }),
    { mode: 0o600 },
  );
  const loaded = loadConfigFile(configFile);
  const dataDir = join(d, 'appliance');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const app: App = createApp({ loaded, dataDir, log: o.log });
  let url = '';
  addServiceModules(app, loaded, {
    version: o.version,
    tls,
    webPort: o.port,
    onWebReady: (u) => {
      url = u;
    },
    publishTuning: { intervalMs: 200 },
  });
  const accounts = new SqliteAccounts(app.db, app.clock);
  const users = accounts.list().length === 0 ? await seedDemoUsers(accounts) : [];
  await app.lifecycle.start();
  stops.push(() => app.lifecycle.stop(10_000));
  if (!url) throw new AppError('demo-failed', 'the web UI did not start');

  await answers(`${url}/healthz`, tls.cert);
  return { url, hubUrl: `${hub.web.url}/`, users, hubUsers, stop: stopAll };
}

/** One member and one administrator of the demo partnership, with random passwords printed once. */
async function seedHubUsers(hub: RunningHub): Promise<{ username: string; role: HubRole; password: string }[]> {
  const accounts = new HubAccounts(hub.store, systemClock);
  const out: { username: string; role: HubRole; password: string }[] = [];
  for (const role of ['member', 'administrator'] as const) {
    const password = randomBytes(12).toString('base64url');
    await accounts.add(role, role, password);
    out.push({ username: role, role, password });
  }
  return out;
}

/** Resolves once `url` answers 200 over TLS with the demo's own certificate. */
async function answers(url: string, ca: Buffer): Promise<void> {
  const end = performance.now() + 15_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = httpsGet(url, { ca, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
    if (ok) return;
    if (performance.now() > end) throw new AppError('demo-failed', `${url} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

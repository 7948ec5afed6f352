// A hub with a store filled by the project's own receiver from packets sealed by the project's own codec, at
// chosen times, so that one packet of each retention state exists at NOW: shared (encrypted to the hub), shared
// from a device revoked since, administrator-only, and deleted (a tombstone). Plus a hub configuration with a
// `web:` section and one member and one administrator.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { generateKeys, KEY_FILES, loadPrivateKey, loadPublicKey } from '../../src/adapters/crypto/keys.js';
import { ACK_TYP, sealPacket, signJson } from '../../src/adapters/crypto/packet-codec.js';
import { SqliteHubStore } from '../../src/adapters/hub-store/sqlite-hub-store.js';
import { FakeBrokerNetwork } from '../../src/adapters/mqtt/fake-broker.js';
import { buildPacketContents, type ClipInput, withClip } from '../../src/core/packet/build.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { HubStore } from '../../src/core/ports/hub-store.js';
import { markRedacted, type RedactedImage } from '../../src/core/redaction.js';
import { throwawayCertificate } from '../../src/demo/throwaway-certificate.js';
import { type HubConfig, loadHubConfig } from '../../src/hub/config.js';
import { enrolFromConfig } from '../../src/hub/create-hub.js';
import { HubAccounts } from '../../src/hub/hub-accounts.js';
import { HubReceiver } from '../../src/hub/receiver.js';
import type { HubWebDeps } from '../../src/hub/web/app.js';
import { hubWebDeps, startHubWeb } from '../../src/hub/web/server.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { RunningWebServer } from '../../src/web/server.js';
import { redactedImage } from './packets.js';

export const NOW = '2026-11-23T10:00:00.000Z';
/** Cheap scrypt for tests; production uses N=2^15. */
export const HUB_TEST_SCRYPT = { ln: 10, r: 8, p: 1 };
export const HUB_USERS = {
  member: { username: 'mia', password: 'member pass phrase 1' },
  administrator: { username: 'ada', password: 'admin pass phrase 1' },
} as const;

/** The shared packet's images each carry a redaction certificate of this many passes (the others carry none). */
export const CERTIFIED_PASSES = 2;

/** A test image as the appliance's redaction service certifies it: searched again after redaction, nothing found. */
function certified(image: RedactedImage): RedactedImage {
  return markRedacted({
    ...image,
    report: {
      ...image.report,
      verification: { result: 'verified', passes: CERTIFIED_PASSES, facesFoundAfterRedaction: 0 },
    },
  });
}

export const PACKETS = {
  /** Shared until 2027-11-01, two images with redaction certificates, encrypted to the hub. */
  shared: { id: '019a8a6e-aaaa-7000-8000-000000000001', receivedAt: '2026-11-01T09:00:00.000Z', site: 'shop-001' },
  /** Shared, but its device was revoked on 2026-11-20. */
  revoked: { id: '019a8a6e-aaaa-7000-8000-000000000002', receivedAt: '2026-11-10T09:00:00.000Z', site: 'shop-002' },
  /** Shared until 2026-10-01: administrator only until 2027-10-01. */
  adminOnly: { id: '019a8a6e-aaaa-7000-8000-000000000003', receivedAt: '2025-10-01T09:00:00.000Z', site: 'shop-001' },
  /** Deleted on 2026-10-01. */
  deleted: { id: '019a8a6e-aaaa-7000-8000-000000000004', receivedAt: '2024-10-01T09:00:00.000Z', site: 'shop-001' },
} as const;

export interface HubPageFixture {
  dir: string;
  configFile: string;
  config: HubConfig;
  store: HubStore;
  clock: FixedClock;
  /** Fingerprint of the device later revoked. */
  revokedDevice: string;
  deps: HubWebDeps;
}

/** The clip the fixture's v2 packets carry: the packet test vector's (docs/packet-vector/clip.mp4). */
export function fixtureClip(): ClipInput {
  const bytes = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'packet-vector', 'clip.mp4'));
  return {
    bytes,
    entry: {
      width: 32,
      height: 24,
      fps: 8,
      durationSeconds: 1,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      redaction: {
        facesTracked: 2,
        facesFilled: 1,
        facesKept: 1,
        extraBoxes: 0,
        model: { id: 'yunet', sha256: 'b'.repeat(64) },
        mode: 'solid',
        verification: { result: 'verified', framesChecked: 8, facesRepaired: 0 },
      },
    },
  };
}

/** Writes everything into `dir` (hub.sqlite, hub.yaml, keys, TLS); the store is left open. */
export async function hubPageFixture(dir: string): Promise<HubPageFixture> {
  const dev1 = generateKeys(join(dir, 'dev1'));
  const dev2 = generateKeys(join(dir, 'dev2'));
  generateKeys(join(dir, 'hubkeys'));
  throwawayCertificate(join(dir, 'tls'));
  const configFile = join(dir, 'hub.yaml');
  writeFileSync(
    configFile,
    stringify({
      mqtt: { url: 'mqtts://127.0.0.1:1' },
      store: 'hub.sqlite',
      signingKey: 'hubkeys/signing.key',
      encryptionKey: 'hubkeys/encryption.key',
      web: {
        port: 0,
        tlsCert: 'tls/web.crt',
        tlsKey: 'tls/web.key',
        sessionSecretFile: 'web-session.key',
        name: 'Test Town BCRP',
      },
      devices: [
        { site: 'shop-001', publicKey: 'dev1/signing.pub' },
        { site: 'shop-002', publicKey: 'dev2/signing.pub' },
      ],
    }),
  );
  const config = loadHubConfig(configFile);
  const clock = new FixedClock(NOW);
  const store = new SqliteHubStore(config.store as string, clock);
  await enrolFromConfig(store, config, clock);
  const hubSign = loadPrivateKey(join(dir, 'hubkeys', KEY_FILES.signingPrivate), 'ed25519');
  const encryptionKey = loadPrivateKey(join(dir, 'hubkeys', KEY_FILES.encryptionPrivate), 'x25519');
  const receiver = new HubReceiver({
    broker: new FakeBrokerNetwork().client(),
    store,
    clock,
    topicPrefix: 'bcrp',
    encryptionKey,
    // The fixture holds one encrypted packet and the rest signed only, so the page shows both.
    requireEncryption: false,
    signAck: (a) => signJson(a, hubSign, ACK_TYP, 'hub'),
    log: { info: () => {}, warn: () => {} },
  });
  const devices = { 'shop-001': dev1, 'shop-002': dev2 } as const;
  const dirs = { 'shop-001': 'dev1', 'shop-002': 'dev2' } as const;
  let seed = 0;
  for (const [name, p] of Object.entries(PACKETS)) {
    clock.set(p.receivedAt);
    const images: { image: RedactedImage; role: 'subject' | 'context' }[] = [
      { image: await redactedImage(++seed), role: 'subject' },
    ];
    if (name === 'shared') {
      images.push({ image: await redactedImage(++seed, [96, 64]), role: 'context' });
      for (const i of images) i.image = certified(i.image);
    }
    const contents = buildPacketContents(
      {
        id: p.id,
        siteId: p.site,
        deviceId: devices[p.site].signingFingerprint,
        createdAt: clock.now(),
        incidentTime: clock.now(),
        category: name === 'adminOnly' ? 'violence' : 'theft',
        retentionClass: 'shared-12m',
      },
      images,
    );
    // The shared and the administrator-only packet carry a redacted clip (bcrp-packet/2), the others none.
    const withVideo = name === 'shared' || name === 'adminOnly' ? withClip(contents, fixtureClip()) : contents;
    const payload = await sealPacket(withVideo, {
      signingKey: loadPrivateKey(join(dir, dirs[p.site], KEY_FILES.signingPrivate), 'ed25519'),
      encryptTo:
        name === 'shared' ? loadPublicKey(join(dir, 'hubkeys', KEY_FILES.encryptionPublic), 'x25519') : undefined,
    });
    const r = await receiver.receive({ topic: `bcrp/${p.site}/incidents/${p.id}`, payload, retain: false });
    if (r.outcome !== 'stored') throw new Error(`fixture packet ${name} was not stored: ${JSON.stringify(r)}`);
  }
  await store.revoke(dev2.signingFingerprint, new Date('2026-11-20T12:00:00Z'), 'appliance stolen');
  clock.set(NOW);
  await store.sweep(clock.now());
  const accounts = new HubAccounts(store, clock, { cost: HUB_TEST_SCRYPT });
  await accounts.add(HUB_USERS.member.username, 'member', HUB_USERS.member.password);
  await accounts.add(HUB_USERS.administrator.username, 'administrator', HUB_USERS.administrator.password);
  const deps = hubWebDeps({
    store,
    clock,
    log: silentLogger(),
    web: { name: 'Test Town BCRP', sessionHours: 8 },
    sessionSecret: 'a-session-secret-for-the-hub-page-tests-0123456789',
    encryptionKey,
    scryptCost: HUB_TEST_SCRYPT,
    loginRateLimit: { max: 1000, timeWindowMs: 60_000 },
  });
  return { dir, configFile, config, store, clock, revokedDevice: dev2.signingFingerprint, deps };
}

/** The fixture's hub page served over HTTPS on 127.0.0.1, as the Chromium tests open it. */
export function serveHubPage(fx: HubPageFixture): Promise<RunningWebServer> {
  return startHubWeb(
    { ...fx.config, web: fx.config.web! },
    {
      store: fx.store,
      clock: fx.clock,
      log: silentLogger(),
      encryptionKey: loadPrivateKey(fx.config.encryptionKey!, 'x25519'),
    },
  );
}

/**
 * Opens `start` in a fresh browser context, signs in as `who` on the login page it is sent to, waits for `ready`.
 * `locale` is the browser's language (its Accept-Language), British English unless given.
 */
export async function signInToHub(
  browser: Browser,
  server: RunningWebServer,
  who: keyof typeof HUB_USERS,
  start: string,
  ready: string,
  locale = 'en-GB',
): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale, baseURL: server.url });
  const page = await context.newPage();
  await page.goto(start);
  await page.waitForURL((u) => u.pathname === '/login');
  await page.fill('#username', HUB_USERS[who].username);
  await page.fill('#password', HUB_USERS[who].password);
  await page.click('button[type="submit"]');
  await page.waitForSelector(ready);
  return page;
}

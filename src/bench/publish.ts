// `bench publish`: what a packet costs and how fast the path to the hub is, on this machine. Starts its own
// throwaway mosquitto (mTLS, ACL) on loopback and an in-process reference hub; prints figures, asserts nothing.
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { generateKeys, KEY_FILES, loadPrivateKey, loadPublicKey } from '../adapters/crypto/keys.js';
import { ACK_TYP, sealPacket, signJson, verifyJson } from '../adapters/crypto/packet-codec.js';
import { SqliteHubStore } from '../adapters/hub-store/sqlite-hub-store.js';
import { startDevMosquitto } from '../adapters/mqtt/dev-mosquitto.js';
import { MqttBroker } from '../adapters/mqtt/mqtt-broker.js';
import { SqliteAuditLog } from '../adapters/store/sqlite-audit-log.js';
import { SqliteOutbox } from '../adapters/store/sqlite-outbox.js';
import { openDatabase } from '../adapters/store/sqlite-store.js';
import { buildOperatorPacketContents } from '../core/packet/build.js';
import { systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import { HubReceiver } from '../hub/receiver.js';
import { AckHandler } from '../services/publish/ack-handler.js';
import { Publisher } from '../services/publish/publisher.js';

export interface PublishBenchOptions {
  packets?: number;
  /** Encrypt packets to the hub (JWE), as in production with hub.encrypt. */
  encrypt?: boolean;
  imageSize?: [number, number];
}

export const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : Number.NaN;
};
export const stats = (xs: number[]) => ({
  p50: +quantile(xs, 0.5).toFixed(2),
  p95: +quantile(xs, 0.95).toFixed(2),
  mean: +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2),
});

export async function benchImage(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let x = 12345;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    raw[i] = ((i % (width * 3)) / 4 + (x % 40)) & 0xff;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

export async function benchPublish(options: PublishBenchOptions = {}) {
  const n = Math.max(200, options.packets ?? 200);
  const encrypt = options.encrypt ?? true;
  const [w, h] = options.imageSize ?? [480, 640];
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-bench-publish-'));
  const closers: (() => Promise<void> | void)[] = [];
  let broker: Awaited<ReturnType<typeof startDevMosquitto>> | undefined;
  try {
    broker = await startDevMosquitto(join(dir, 'broker'), [{ id: 'device-shop-001', site: 'shop-001' }], {
      ttlSeconds: 900,
    });
    const dev = generateKeys(join(dir, 'device'));
    generateKeys(join(dir, 'hub'));
    const signingKey = loadPrivateKey(join(dir, 'device', KEY_FILES.signingPrivate), 'ed25519');
    const hubEncPub = loadPublicKey(join(dir, 'hub', KEY_FILES.encryptionPublic), 'x25519');
    const hubEncPriv = loadPrivateKey(join(dir, 'hub', KEY_FILES.encryptionPrivate), 'x25519');
    const hubSign = loadPrivateKey(join(dir, 'hub', KEY_FILES.signingPrivate), 'ed25519');
    const image = await benchImage(w, h);
    const ids = uuidV7Source(systemClock);
    const contents = () =>
      buildOperatorPacketContents(
        {
          id: ids.next(),
          siteId: 'shop-001',
          deviceId: dev.signingFingerprint,
          createdAt: systemClock.now(),
          incidentTime: systemClock.now(),
          category: 'theft',
          retentionClass: 'shared-12m',
        },
        [{ role: 'subject', image: { bytes: image, width: w, height: h, sha256: createHashHex(image) } }],
      );

    // 1. Build + sign (+ encrypt).
    const signMs: number[] = [];
    const encMs: number[] = [];
    const sealed: { id: string; payload: Buffer }[] = [];
    for (let i = 0; i < n; i++) {
      let t = performance.now();
      const c1 = contents();
      const signed = await sealPacket(c1, { signingKey });
      signMs.push(performance.now() - t);
      t = performance.now();
      const c2 = contents();
      const p = await sealPacket(c2, { signingKey, encryptTo: hubEncPub });
      encMs.push(performance.now() - t);
      sealed.push(encrypt ? { id: c2.manifest.id, payload: p } : { id: c1.manifest.id, payload: signed });
    }

    // 2. Hub verify + decrypt + store, without the broker.
    const direct = new SqliteHubStore(join(dir, 'hub-direct.sqlite'), systemClock);
    closers.push(() => direct.close());
    const enrol = (s: SqliteHubStore) =>
      s.enrol({
        deviceId: dev.signingFingerprint,
        siteId: 'shop-001',
        publicKeyPem: createPublicKey(signingKey).export({ type: 'spki', format: 'pem' }) as string,
        enrolledAt: systemClock.now().toISOString(),
      });
    await enrol(direct);
    const nullBroker = {
      connected: true,
      publish: async () => {},
      subscribe: async () => {},
      onConnectionChange: () => {},
      close: async () => {},
    };
    const quiet = { info: () => {}, warn: () => {} };
    const directReceiver = new HubReceiver({
      broker: nullBroker,
      store: direct,
      clock: systemClock,
      topicPrefix: 'bcrp',
      encryptionKey: hubEncPriv,
      // The plain run measures signing alone, so its hub must take plain packets.
      requireEncryption: encrypt,
      signAck: (a) => signJson(a, hubSign, ACK_TYP, 'hub'),
      log: quiet,
    });
    let t0 = performance.now();
    for (const s of sealed)
      await directReceiver.receive({ topic: `bcrp/shop-001/incidents/${s.id}`, payload: s.payload, retain: false });
    const directPerSec = sealed.length / ((performance.now() - t0) / 1000);

    // 3. Through mosquitto: device publisher → hub → signed ack.
    const store = new SqliteHubStore(join(dir, 'hub.sqlite'), systemClock);
    closers.push(() => store.close());
    await enrol(store);
    const hubBroker = new MqttBroker({ url: broker.url, clientId: 'bench-hub', ca: broker.ca, ...broker.hub });
    closers.push(() => hubBroker.close());
    await hubBroker.waitConnected(10_000);
    let stored = 0;
    let lastStoredAt = 0;
    const receiver = new HubReceiver({
      broker: hubBroker,
      store,
      clock: systemClock,
      topicPrefix: 'bcrp',
      encryptionKey: hubEncPriv,
      // The plain run measures signing alone, so its hub must take plain packets.
      requireEncryption: encrypt,
      signAck: (a) => signJson(a, hubSign, ACK_TYP, 'hub'),
      log: quiet,
      onResult: (r) => {
        if (r.outcome === 'stored') {
          stored++;
          lastStoredAt = performance.now();
        }
      },
    });
    await receiver.start();
    const db = openDatabase(join(dir, 'device-data'), { clock: systemClock });
    closers.push(() => {
      db.close();
    });
    const outbox = new SqliteOutbox(db, systemClock, new SqliteAuditLog(db, systemClock));
    const devBroker = new MqttBroker({
      url: broker.url,
      clientId: 'bench-device',
      ca: broker.ca,
      ...broker.device('device-shop-001'),
    });
    closers.push(() => devBroker.close());
    await devBroker.waitConnected(10_000);
    const publishedAt = new Map<string, number>();
    const latencies: number[] = [];
    let acked = 0;
    const publisher = new Publisher({
      broker: devBroker,
      outbox,
      clock: systemClock,
      siteId: 'shop-001',
      topicPrefix: 'bcrp',
      log: quiet,
      batch: n,
      intervalMs: 1,
      ackTimeoutMs: 60_000,
      onEvent: (e) => {
        if (e.type === 'publish') publishedAt.set(e.id, performance.now());
      },
    });
    const acks = new AckHandler({
      broker: devBroker,
      outbox,
      clock: systemClock,
      siteId: 'shop-001',
      topicPrefix: 'bcrp',
      verifyAck: (b) => verifyJson(b, [createPublicKey(hubSign)], ACK_TYP),
      log: quiet,
      onEvent: (e) => {
        if (e.type === 'acked') {
          acked++;
          latencies.push(performance.now() - (publishedAt.get(e.id) ?? Number.NaN));
        }
      },
    });
    const enqueue = (from: number, to: number) => {
      for (const s of sealed.slice(from, to))
        outbox.enqueue(
          {
            id: s.id,
            incidentId: null,
            kind: 'incident',
            topic: `bcrp/shop-001/incidents/${s.id}`,
            payload: s.payload,
          },
          { actor: 'bench', action: 'packet-queue', subject: s.id },
        );
    };
    await acks.start();
    await publisher.start();
    closers.unshift(() => publisher.stop());
    const waitUntil = async (pred: () => boolean, ms: number) => {
      const end = performance.now() + ms;
      while (!pred()) {
        if (performance.now() > end) throw new Error('bench timed out waiting for acks');
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    // One at a time: the latency a shop sees for a single incident.
    const oneAtATime = Math.min(100, Math.floor(n / 2));
    for (let i = 0; i < oneAtATime; i++) {
      enqueue(i, i + 1);
      await waitUntil(() => acked === i + 1, 10_000);
    }
    const single = [...latencies];
    // A burst (a backlog after an outage): the rest at once.
    latencies.length = 0;
    const storedBefore = stored;
    t0 = performance.now();
    enqueue(oneAtATime, n);
    await waitUntil(() => acked === n, 120_000);
    const burstCount = n - oneAtATime;
    const hubPerSec = (stored - storedBefore) / ((lastStoredAt - t0) / 1000);
    return {
      packets: n,
      encrypted: encrypt,
      image: { width: w, height: h, bytes: image.length },
      packetBytes: {
        signedOnly: (await sealPacket(contents(), { signingKey })).length,
        published: sealed[0]!.payload.length,
      },
      buildSignMs: stats(signMs),
      buildSignEncryptMs: stats(encMs),
      publishToAckMs: {
        oneAtATime: { count: single.length, ...stats(single) },
        burst: { count: burstCount, ...stats(latencies) },
      },
      hubPacketsPerSecond: { verifyDecryptStore: +directPerSec.toFixed(1), throughBrokerBurst: +hubPerSec.toFixed(1) },
      broker: 'mosquitto (mTLS, ACL) on 127.0.0.1',
      storedAtHub: store.count(),
    };
  } finally {
    for (const c of closers) await Promise.resolve(c()).catch(() => undefined);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function createHashHex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

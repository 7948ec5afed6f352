// The device publisher and the reference hub through a real mosquitto with mTLS and a per-site ACL: refused
// clients, a publisher killed with -9 while 100 packets are queued, and a broker outage.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_FILES, loadPrivateKey } from '../../src/adapters/crypto/keys.js';
import { MqttBroker } from '../../src/adapters/mqtt/mqtt-broker.js';
import { DB_FILE } from '../../src/adapters/store/sqlite-store.js';
import type { BrokerMessage } from '../../src/core/ports/broker.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { loadHubConfig } from '../../src/hub/config.js';
import { type RunningHub, startHub } from '../../src/hub/create-hub.js';
import { HubPackets } from '../../src/hub/hub-packets.js';
import type { ReceiveResult } from '../../src/hub/receiver.js';
import { ROOT, runBin, startBin, waitFor } from '../support/cli.js';
import { type EdgeHubRig, makeEdgeHubRig } from '../support/edge-hub-rig.js';
import { startMosquitto, type TestBroker } from '../support/mosquitto.js';
import { redactedImage } from '../support/packets.js';
import { tempDir } from '../support/tmp.js';

const quiet = { info: () => {}, warn: () => {} };
let broker: TestBroker;
let rig: EdgeHubRig;
let hub: RunningHub;
const children: ChildProcess[] = [];
let firstWorkerResults: (r: ReceiveResult) => void = () => {};
let secondWorkerResults: (r: ReceiveResult) => void = () => {};
const brokerDir = tempDir('bcrp-mosq-');
const rigDir = tempDir();

beforeAll(async () => {
  broker = await startMosquitto(brokerDir, [
    { id: 'device-shop-001', site: 'shop-001' },
    { id: 'device-shop-002', site: 'shop-002' },
  ]);
  rig = makeEdgeHubRig(rigDir, broker);
  hub = await startHub(loadHubConfig(rig.hubConfig), {
    clock: systemClock,
    log: quiet,
    onResult: (r) => firstWorkerResults(r),
  });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await hub?.stop();
  await broker?.stop();
});

function startPublisher(batch = 5, interval = 50): ChildProcess & { lines: string[] } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'test/support/publisher-child.ts'),
      rig.deviceConfig,
      rig.dataDir,
      String(batch),
      String(interval),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  const lines: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
    if (err.length > 4000) err = err.slice(-4000);
  });
  child.on('exit', (code, sig) => {
    if (code && code !== 0) console.error(`publisher exited ${code} ${sig}: ${err}`);
  });
  return Object.assign(child, { lines });
}

function outboxStates(): Record<string, number> {
  const db = new Database(join(rig.dataDir, DB_FILE), { readonly: true });
  try {
    const rows = db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as {
      state: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    db.close();
  }
}

async function stopChild(c: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  await done;
}

describe('mutual TLS and the ACL', () => {
  it('refuses a client without a certificate', async () => {
    const b = new MqttBroker({ url: broker.url, clientId: 'no-cert', ca: broker.ca, reconnectPeriodMs: 0 });
    await expect(b.waitConnected(3000)).rejects.toThrow(/could not connect/);
    expect(b.connected).toBe(false);
    await b.close();
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const b = new MqttBroker({
      url: broker.url,
      clientId: 'stranger',
      ca: broker.ca,
      ...broker.stranger,
      reconnectPeriodMs: 0,
    });
    await expect(b.waitConnected(3000)).rejects.toThrow(/could not connect/);
    await b.close();
  });

  it("a device cannot publish into another site's incidents, and the hub stores nothing from it", async () => {
    const other = broker.device('device-shop-002');
    const b = new MqttBroker({ url: broker.url, clientId: 'dev-2', ca: broker.ca, ...other });
    await b.waitConnected(5000);
    const before = await hub.store.count();
    const id = '019a8a6e-3333-7000-8000-000000000003';
    await expect(b.publish(`bcrp/shop-001/incidents/${id}`, Buffer.from('forged'))).rejects.toMatchObject({
      code: 'not-authorized',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await hub.store.count()).toBe(before);
    expect((await hub.store.rejections()).some((r) => r.packetId === id)).toBe(false);
    await b.close();
  });
});

describe('nothing lost, nothing doubled', () => {
  it('kill -9 with 100 queued: after a restart all 100 are in the hub store exactly once', async () => {
    const image = await redactedImage(7, [320, 240]);
    const ids = await rig.queue(100, image);
    const watcher = new MqttBroker({ url: broker.url, clientId: 'status-watch', ca: broker.ca, ...broker.hub });
    await watcher.waitConnected(5000);
    const statuses: BrokerMessage[] = [];
    await watcher.subscribe('bcrp/shop-001/status', (m) => statuses.push(m));

    const first = startPublisher(5, 100);
    await waitFor(() => first.lines.filter((l) => l.startsWith('sent ')).length >= 10, 20_000, '10 packets sent');
    await stopChild(first, 'SIGKILL');
    const atKill = outboxStates();
    expect(atKill['acked'] ?? 0).toBeLessThan(100);
    expect((atKill['queued'] ?? 0) + (atKill['sent'] ?? 0)).toBeGreaterThan(0);
    // The broker published the last will: the site shows offline.
    await waitFor(
      () => statuses.some((m) => JSON.parse(m.payload.toString()).state === 'offline'),
      5000,
      'offline status',
    );

    const second = startPublisher(20, 20);
    await waitFor(() => (outboxStates()['acked'] ?? 0) === 100, 60_000, 'all 100 acknowledged');
    await stopChild(second, 'SIGTERM');
    const stored = (await hub.store.list({ includeRestricted: true, limit: 1000 })).filter((p) => ids.includes(p.id));
    expect(stored).toHaveLength(100);
    expect(new Set(stored.map((p) => p.id)).size).toBe(100);
    expect(stored.every((p) => p.encrypted)).toBe(true);
    // Each start published a signed audit checkpoint, which the hub keeps against the device.
    expect((await hub.store.checkpoints(rig.deviceId)).length).toBeGreaterThanOrEqual(1);
    await watcher.close();
  }, 90_000);

  it('a packet with a redacted clip (bcrp-packet/2) crosses mosquitto encrypted; the hub stores it and plays the clip back', async () => {
    const mp4 = readFileSync(join(ROOT, 'docs/packet-vector/clip.mp4'));
    const clip = {
      bytes: mp4,
      entry: {
        width: 32,
        height: 24,
        fps: 8,
        durationSeconds: 1,
        sha256: createHash('sha256').update(mp4).digest('hex'),
        redaction: {
          facesTracked: 2,
          facesFilled: 1,
          facesKept: 1,
          extraBoxes: 0,
          model: { id: 'blazeface-test', sha256: '0'.repeat(64) },
          mode: 'solid' as const,
          verification: { result: 'verified' as const, framesChecked: 8, facesRepaired: 0 },
        },
      },
    };
    const [id] = await rig.queue(1, await redactedImage(11), true, clip);
    const pub = startPublisher(5, 50);
    await waitFor(() => pub.lines.includes(`acked ${id}`), 30_000, 'the clip packet acknowledged');
    await stopChild(pub, 'SIGTERM');
    const stored = await hub.store.get(id!);
    expect(stored?.manifest?.schema).toBe('bcrp-packet/2');
    expect(stored?.encrypted).toBe(true);
    // What the hub page serves a member: the clip out of the stored packet, verified again, byte for byte.
    const packets = new HubPackets({
      store: hub.store,
      clock: systemClock,
      encryptionKey: loadPrivateKey(join(rig.hubKeys, KEY_FILES.encryptionPrivate), 'x25519'),
    });
    const served = await packets.clip(id!, 'member');
    expect(served !== undefined && typeof served === 'object' && served.bytes.equals(mp4)).toBe(true);
    expect((await packets.get(id!, 'member')) as { clip: unknown }).toMatchObject({
      clip: { durationSeconds: 1, fps: 8, facesKept: 1 },
    });
  }, 60_000);

  it('broker stopped and restarted: the queue drains by itself', async () => {
    const image = await redactedImage(8);
    const pub = startPublisher(5, 50);
    await waitFor(() => pub.lines.includes('started'), 15_000, 'publisher started');
    await broker.stop();
    const ids = await rig.queue(5, image);
    await new Promise((r) => setTimeout(r, 1500));
    const states = outboxStates();
    expect((states['queued'] ?? 0) + (states['sent'] ?? 0)).toBe(5);
    await broker.start();
    await waitFor(
      async () => (await Promise.all(ids.map((id) => hub.store.get(id)))).every((p) => p !== undefined),
      30_000,
      'packets stored after the outage',
    );
    await waitFor(() => (outboxStates()['acked'] ?? 0) === 106, 30_000, 'all acknowledged');
    await stopChild(pub, 'SIGTERM');
  }, 60_000);
});

describe('scaling out', () => {
  it('two hub workers on one shared subscription split the packets and store each once', async () => {
    const config = loadHubConfig(rig.hubConfig);
    const second = await startHub(
      { ...config, mqtt: { ...config.mqtt, clientId: 'hub-test-2' } },
      { clock: systemClock, log: quiet, onResult: (r) => secondWorkerResults(r) },
    );
    const ids = await rig.queue(20, await redactedImage(10));
    const byWorker = { first: 0, second: 0 };
    const count = (r: ReceiveResult, who: 'first' | 'second') => {
      if (r.outcome !== 'rejected' && ids.includes(r.packetId)) byWorker[who]++;
    };
    firstWorkerResults = (r) => count(r, 'first');
    secondWorkerResults = (r) => count(r, 'second');
    const pub = startPublisher(20, 20);
    await waitFor(() => (outboxStates()['acked'] ?? 0) === 126, 30_000, 'twenty more acknowledged');
    await stopChild(pub, 'SIGTERM');
    await second.stop();
    expect(byWorker.first).toBeGreaterThan(0);
    expect(byWorker.second).toBeGreaterThan(0);
    expect(
      (await hub.store.list({ includeRestricted: true, limit: 10_000 })).filter((p) => ids.includes(p.id)),
    ).toHaveLength(20);
  }, 60_000);
});

describe('the built binary', () => {
  it('`bcrp-edge hub` runs the receiver, `hub list` shows what arrived, SIGTERM stops it cleanly', async () => {
    await hub.stop();
    const bin = startBin(['hub', '--config', rig.hubConfig], { BCRP_EDGE_LOG_LEVEL: 'warn' });
    children.push(bin);
    await waitFor(() => bin.output().includes('hub ready'), 15_000, 'hub ready');
    const ids = await rig.queue(3, await redactedImage(9));
    // One packet signed but not encrypted: the hub's config leaves requireEncryption at its default (true).
    const [plain] = await rig.queue(1, await redactedImage(8), false);
    const pub = startPublisher(5, 50);
    await waitFor(() => (outboxStates()['acked'] ?? 0) === 129, 30_000, 'three more acknowledged');
    await waitFor(() => (outboxStates()['failed'] ?? 0) === 1, 30_000, 'the plain packet refused');
    await stopChild(pub, 'SIGTERM');
    const list = await runBin(['hub', 'list', '--config', rig.hubConfig, '--json']);
    expect(list.code, list.stderr).toBe(0);
    const listed = (JSON.parse(list.stdout) as { id: string }[]).map((p) => p.id);
    expect(ids.every((id) => listed.includes(id))).toBe(true);
    expect(listed).not.toContain(plain);
    const db = new Database(join(rig.dataDir, DB_FILE), { readonly: true });
    const row = db.prepare('SELECT last_error FROM outbox WHERE id = ?').get(plain) as { last_error: string };
    db.close();
    expect(row.last_error).toMatch(/the hub refused the packet: not-encrypted/);
    const rejections = await runBin(['hub', 'rejections', '--config', rig.hubConfig, '--json']);
    expect(rejections.code, rejections.stderr).toBe(0);
    expect(JSON.parse(rejections.stdout)).toContainEqual(
      expect.objectContaining({
        packetId: plain,
        reason: 'not-encrypted',
        message: 'packets must be encrypted to the hub key',
      }),
    );
    const exited = new Promise<number | null>((r) => bin.once('exit', (code) => r(code)));
    bin.kill('SIGTERM');
    expect(await exited, bin.output()).toBe(0);
  }, 60_000);
});

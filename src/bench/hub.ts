// `bench hub`: the reference hub at partnership scale, on this machine. Simulated devices (each its own Ed25519
// key and site) send sealed packets through a throwaway mosquitto (mTLS, loopback) to 1 and then W `bcrp-edge hub`
// worker processes on a SQLite or a throwaway PostgreSQL store; prints figures, asserts nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fingerprint, generateKeys, KEY_FILES, loadPrivateKey, loadPublicKey } from '../adapters/crypto/keys.js';
import { openPacket, sealPacket } from '../adapters/crypto/packet-codec.js';
import { type DevPostgres, startDevPostgres } from '../adapters/hub-store/dev-postgres.js';
import { PgHubStore } from '../adapters/hub-store/pg-hub-store.js';
import { SqliteHubStore } from '../adapters/hub-store/sqlite-hub-store.js';
import { type DevBroker, startDevMosquitto } from '../adapters/mqtt/dev-mosquitto.js';
import { MqttBroker } from '../adapters/mqtt/mqtt-broker.js';
import { AppError } from '../core/errors.js';
import { buildOperatorPacketContents } from '../core/packet/build.js';
import { systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import { benchImage, stats } from './publish.js';

export interface HubBenchOptions {
  devices: number;
  /** Packets per device. */
  packets: number;
  /** Compared with one worker. */
  workers: number;
  store: 'sqlite' | 'postgres';
  encrypt?: boolean;
  /** Where the built CLI is (dist/main.js): workers are separate processes, as in production. */
  mainScript: string;
}

export interface HubBenchRun {
  workers: number;
  packets: number;
  packetBytes: number;
  stored: number;
  acked: number;
  seconds: number;
  packetsPerSecond: number;
  publishToAckMs: { p50: number; p95: number; mean: number };
  /** CPU time the worker processes spent per stored packet (Linux /proc): independent of other load. */
  hubCpuMsPerPacket: number | null;
  /** 1000 / hubCpuMsPerPacket: what one worker would store per second with a whole core to itself (an estimate). */
  packetsPerWorkerCpuSecond: number | null;
  /** 1-minute load average when the run started and ended: wall figures mean little without it. */
  loadAverage: [number, number];
  /**
   * CPU ms per stored packet of every process in the pipeline (Linux /proc): hub workers, mosquitto, PostgreSQL
   * (null on SQLite, whose work is inside the workers) and this process's simulated devices.
   */
  pipelineCpuMsPerPacket: {
    hub: number;
    broker: number;
    database: number | null;
    devices: number;
    total: number;
  } | null;
  /** This machine's cores × 1000 / pipeline total: packets/s with nothing else running, if CPU is the limit. */
  cpuBoundPacketsPerSecond: number | null;
}

/**
 * The floor under hubCpuMsPerPacket: CPU ms per packet of openPacket alone (size, format, decrypt, signature,
 * schema, hashes — no broker, no store, no ack), measured in this process on the run's own sealed packets.
 */
async function openFloor(
  sealed: readonly Sealed[],
  keys: ReadonlyMap<string, KeyObject>,
  hubKey: KeyObject | undefined,
): Promise<{ packets: number; cpuMsPerPacket: number }> {
  const sample = sealed.slice(0, 200);
  const open = async (p: Sealed) => {
    const opened = await openPacket(p.payload, { deviceKey: (kid) => keys.get(kid), hubKey });
    if (!opened.ok) throw new AppError('bench-failed', 'a sealed bench packet does not open');
  };
  for (const p of sample.slice(0, 20)) await open(p); // warm up, as a running worker is
  const start = process.cpuUsage();
  for (const p of sample) await open(p);
  const used = process.cpuUsage(start);
  return { packets: sample.length, cpuMsPerPacket: +((used.user + used.system) / 1000 / sample.length).toFixed(3) };
}

/**
 * user+system CPU ms so far of the processes whose command line mentions `text`, of their descendants, and of the
 * children they have already reaped (PostgreSQL backends come and go), from /proc (null elsewhere).
 */
function treeCpuMs(text: string): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const ticks = [11, 12, 13, 14].reduce((a, i) => a + Number(rest[i] ?? 0), 0);
        return [{ pid: Number(pid), ppid: Number(rest[1]), cmd, ticks }];
      } catch {
        return []; // gone meanwhile
      }
    });
  const mine = new Set(procs.filter((p) => p.cmd.includes(text)).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs)
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
  }
  return (procs.filter((p) => mine.has(p.pid)).reduce((a, p) => a + p.ticks, 0) * 1000) / 100;
}

/** user+system CPU ms of a process so far, from /proc (null elsewhere). */
function cpuMs(pid: number | undefined): number | null {
  const file = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(file)) return null;
  // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
  const rest = readFileSync(file, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / 100;
}

interface Sealed {
  site: string;
  id: string;
  deviceId: string;
  payload: Buffer;
}

// Publishing connections shared by the simulated devices: the hub's work per packet does not depend on them.
const CONNECTIONS = 16;
const RUN_TIMEOUT_MS = 180_000;

export async function benchHub(o: HubBenchOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-bench-hub-'));
  let broker: DevBroker | undefined;
  const pgs: DevPostgres[] = [];
  try {
    // One ACL user for all simulated devices: it may write every site's incidents and read every site's acks.
    broker = await startDevMosquitto(join(dir, 'broker'), [{ id: 'bench-devices', site: '+' }], { ttlSeconds: 900 });
    const hubKeys = generateKeys(join(dir, 'hub'));
    const hubEnc = loadPublicKey(join(dir, 'hub', KEY_FILES.encryptionPublic), 'x25519');
    mkdirSync(join(dir, 'devices'));
    const image = await benchImage(320, 240);
    const sha256 = createHash('sha256').update(image).digest('hex');
    const ids = uuidV7Source(systemClock);
    const devices = Array.from({ length: o.devices }, (_, i) => {
      const k = generateKeyPairSync('ed25519');
      const site = `shop-${String(i + 1).padStart(4, '0')}`;
      const publicKey = join(dir, 'devices', `${site}.pub`);
      writeFileSync(publicKey, k.publicKey.export({ type: 'spki', format: 'pem' }));
      return { site, key: k.privateKey, publicKeyObject: k.publicKey, deviceId: fingerprint(k.publicKey), publicKey };
    });
    // Sealed before timing: the device side's cost is `bench publish`'s subject.
    const seal = async () => {
      const out: Sealed[][] = [];
      for (const d of devices) {
        const mine: Sealed[] = [];
        for (let j = 0; j < o.packets; j++) {
          const c = buildOperatorPacketContents(
            {
              id: ids.next(),
              siteId: d.site,
              deviceId: d.deviceId,
              createdAt: systemClock.now(),
              incidentTime: systemClock.now(),
              category: 'theft',
              retentionClass: 'shared-12m',
            },
            [{ role: 'subject', image: { bytes: image, width: 320, height: 240, sha256 } }],
          );
          const payload = await sealPacket(c, {
            signingKey: d.key,
            ...(o.encrypt === false ? {} : { encryptTo: hubEnc }),
          });
          mine.push({ site: d.site, id: c.manifest.id, deviceId: d.deviceId, payload });
        }
        out.push(mine);
      }
      return out;
    };

    const runs: HubBenchRun[] = [];
    let floor: { packets: number; cpuMsPerPacket: number } | undefined;
    const counts = [...new Set([1, o.workers])];
    for (const w of counts) {
      const pg = o.store === 'postgres' ? await startDevPostgres() : undefined;
      if (pg) pgs.push(pg);
      const storeConfig = pg ? { postgres: { url: pg.url, poolSize: 8 } } : { store: join(dir, `hub-${w}.sqlite`) };
      const config = join(dir, `hub-${w}.yaml`);
      writeFileSync(
        config,
        stringify({
          mqtt: { url: broker.url, ca: broker.ca, ...broker.hub, group: `bench${w}`, topicPrefix: 'bcrp' },
          ...storeConfig,
          signingKey: join(dir, 'hub', KEY_FILES.signingPrivate),
          encryptionKey: join(dir, 'hub', KEY_FILES.encryptionPrivate),
          // `--plain` measures signing alone: only then may this hub take signed-only packets.
          requireEncryption: o.encrypt !== false,
          devices: devices.map((d) => ({ site: d.site, publicKey: d.publicKey })),
        }),
      );
      const sealed = await seal();
      floor ??= await openFloor(
        sealed.flat(),
        new Map(devices.map((d) => [d.deviceId, d.publicKeyObject])),
        o.encrypt === false ? undefined : loadPrivateKey(join(dir, 'hub', KEY_FILES.encryptionPrivate), 'x25519'),
      );
      runs.push(await runOnce(o, broker, config, w, sealed, storeConfig, pg?.dir));
    }
    const one = runs.find((r) => r.workers === 1)!;
    const many = runs.find((r) => r.workers === o.workers)!;
    return {
      store: o.store,
      devices: o.devices,
      packetsPerDevice: o.packets,
      encrypted: o.encrypt !== false,
      image: { width: 320, height: 240, bytes: image.length },
      hubKey: hubKeys.signingFingerprint.slice(0, 16),
      durability: o.store === 'postgres' ? 'PostgreSQL fsync on (default settings)' : 'SQLite WAL, synchronous=FULL',
      runs,
      openFloorCpuMsPerPacket: floor?.cpuMsPerPacket ?? null,
      ratio: o.workers > 1 ? +(many.packetsPerSecond / one.packetsPerSecond).toFixed(2) : null,
    };
  } finally {
    await broker?.stop();
    for (const pg of pgs) await pg.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runOnce(
  o: HubBenchOptions,
  broker: DevBroker,
  config: string,
  workers: number,
  sealed: Sealed[][],
  storeConfig: { postgres: { url: string } } | { store: string },
  databaseDir: string | undefined,
): Promise<HubBenchRun> {
  const children: ChildProcess[] = [];
  const clients: MqttBroker[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      const c = spawn(process.execPath, [o.mainScript, 'hub', '--config', config], {
        env: { ...process.env, BCRP_EDGE_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(c);
      let out = '';
      c.stdout?.on('data', (d) => {
        out += d;
      });
      c.stderr?.on('data', (d) => {
        out += d;
      });
      const end = performance.now() + 30_000;
      while (!out.includes('hub ready')) {
        if (c.exitCode !== null || performance.now() > end)
          throw new AppError('bench-failed', `hub worker did not start: ${out.slice(-800)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const cpuAtReady = children.map((c) => cpuMs(c.pid));
    const pending = new Map<string, { at: number; done: () => void }>();
    const latencies: number[] = [];
    const acks = new MqttBroker({
      url: broker.url,
      clientId: `bench-acks-${workers}`,
      ca: broker.ca,
      ...broker.device('bench-devices'),
    });
    clients.push(acks);
    await acks.waitConnected(10_000);
    await acks.subscribe('bcrp/+/ack/+', (m) => {
      const id = m.topic.split('/').at(-1) ?? '';
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      latencies.push(performance.now() - p.at);
      p.done();
    });
    for (let i = 0; i < Math.min(CONNECTIONS, o.devices); i++) {
      const c = new MqttBroker({
        url: broker.url,
        clientId: `bench-pub-${workers}-${i}`,
        ca: broker.ca,
        ...broker.device('bench-devices'),
      });
      clients.push(c);
      await c.waitConnected(10_000);
    }
    const publishers = clients.slice(1);
    let acked = 0;
    const loadAtStart = loadavg()[0] ?? 0;
    const others = () => ({
      broker: treeCpuMs(broker.dir),
      database: databaseDir ? treeCpuMs(databaseDir) : null,
      devices: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    });
    const othersAtStart = others();
    const deadline = performance.now() + RUN_TIMEOUT_MS;
    const t0 = performance.now();
    // Each device sends its packets one after another, waiting for the ack as the appliance's outbox would.
    await Promise.all(
      sealed.map(async (mine, d) => {
        const via = publishers[d % publishers.length]!;
        for (const p of mine) {
          if (performance.now() > deadline) return;
          const got = new Promise<void>((resolve) => pending.set(p.id, { at: performance.now(), done: resolve }));
          await via.publish(`bcrp/${p.site}/incidents/${p.id}`, p.payload, { qos: 1 });
          const timeout = new Promise<'timeout'>((r) =>
            setTimeout(() => r('timeout'), Math.max(0, deadline - performance.now())).unref(),
          );
          if ((await Promise.race([got, timeout])) === 'timeout') return;
          acked++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpuAtEnd = children.map((c) => cpuMs(c.pid));
    const othersAtEnd = others();
    const all = sealed.flat();
    const stored = await countStored(storeConfig);
    const cpuMsPerPacket =
      cpuAtEnd.every((x) => x !== null) && cpuAtReady.every((x) => x !== null) && stored > 0
        ? cpuAtEnd.reduce((a, b, i) => a! + b! - cpuAtReady[i]!, 0)! / stored
        : null;
    return {
      workers,
      packets: all.length,
      packetBytes: all[0]?.payload.length ?? 0,
      stored,
      acked,
      seconds: +seconds.toFixed(2),
      packetsPerSecond: +(Math.min(stored, acked) / seconds).toFixed(1),
      publishToAckMs: stats(latencies),
      hubCpuMsPerPacket: cpuMsPerPacket === null ? null : +cpuMsPerPacket.toFixed(2),
      packetsPerWorkerCpuSecond: cpuMsPerPacket ? Math.round(1000 / cpuMsPerPacket) : null,
      loadAverage: [+loadAtStart.toFixed(2), +(loadavg()[0] ?? 0).toFixed(2)],
      ...pipeline(cpuMsPerPacket, othersAtStart, othersAtEnd, stored),
    };
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
  }
}

function pipeline(
  hub: number | null,
  start: { broker: number | null; database: number | null; devices: number },
  end: { broker: number | null; database: number | null; devices: number },
  stored: number,
): Pick<HubBenchRun, 'pipelineCpuMsPerPacket' | 'cpuBoundPacketsPerSecond'> {
  if (hub === null || start.broker === null || end.broker === null || stored === 0)
    return { pipelineCpuMsPerPacket: null, cpuBoundPacketsPerSecond: null };
  const per = (a: number, b: number) => +((b - a) / stored).toFixed(2);
  const broker = per(start.broker, end.broker);
  const database = start.database !== null && end.database !== null ? per(start.database, end.database) : null;
  const devices = per(start.devices, end.devices);
  const total = +(hub + broker + (database ?? 0) + devices).toFixed(2);
  return {
    pipelineCpuMsPerPacket: { hub: +hub.toFixed(2), broker, database, devices, total },
    cpuBoundPacketsPerSecond: Math.round((availableParallelism() * 1000) / total),
  };
}

async function countStored(storeConfig: { postgres: { url: string } } | { store: string }): Promise<number> {
  const store =
    'postgres' in storeConfig
      ? await PgHubStore.open({ connectionString: storeConfig.postgres.url, poolSize: 1 }, systemClock)
      : new SqliteHubStore(storeConfig.store, systemClock, { readonly: true });
  try {
    return await store.count();
  } finally {
    await store.close();
  }
}

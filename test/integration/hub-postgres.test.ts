// The hub at partnership scale: several `bcrp-edge hub` worker processes on one PostgreSQL store behind one MQTT 5
// shared subscription (real mosquitto with mTLS, real PostgreSQL). Workers split the load, a graceful stop
// finishes what it took, and a worker killed with -9 loses nothing: the appliance resends until the hub acks.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { DevPostgres } from '../../src/adapters/hub-store/dev-postgres.js';
import { DB_FILE } from '../../src/adapters/store/sqlite-store.js';
import { ROOT, runBin, startBin, waitFor } from '../support/cli.js';
import { type EdgeHubRig, makeEdgeHubRig } from '../support/edge-hub-rig.js';
import { startMosquitto, type TestBroker } from '../support/mosquitto.js';
import { redactedImage } from '../support/packets.js';
import { POSTGRES_PRESENT, startTestPostgres } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

let broker: TestBroker;
let rig: EdgeHubRig;
let db: DevPostgres;
const children: ChildProcess[] = [];
const brokerDir = tempDir('bcrp-mosq-');
const rigDir = tempDir();

beforeAll(async () => {
  if (!POSTGRES_PRESENT) return;
  broker = await startMosquitto(brokerDir, [{ id: 'device-shop-001', site: 'shop-001' }]);
  rig = makeEdgeHubRig(rigDir, broker);
  db = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await broker?.stop();
  await db?.stop();
});

/** The rig's hub configuration on PostgreSQL, with its own MQTT client id. */
function workerConfig(n: number): string {
  const base = parse(readFileSync(rig.hubConfig, 'utf8')) as Record<string, unknown> & { mqtt: object };
  const { store: _sqlite, ...rest } = base;
  const file = join(rig.dir, `hub-pg-${n}.yaml`);
  writeFileSync(
    file,
    stringify({ ...rest, mqtt: { ...base.mqtt, clientId: `hub-pg-${n}` }, postgres: { url: db.url, poolSize: 4 } }),
  );
  return file;
}

async function startWorker(n: number) {
  const w = startBin(['hub', '--config', workerConfig(n)], { BCRP_EDGE_LOG_LEVEL: 'info' });
  children.push(w);
  await waitFor(() => w.output().includes('hub ready'), 20_000, `worker ${n} ready`);
  return Object.assign(w, { stored: () => w.output().split('"msg":"packet stored"').length - 1 });
}

function startPublisher(batch = 5, interval = 50): ChildProcess {
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
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  children.push(child);
  return child;
}

function acked(): number {
  const d = new Database(join(rig.dataDir, DB_FILE), { readonly: true });
  try {
    return (d.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'acked'").get() as { n: number }).n;
  } finally {
    d.close();
  }
}

async function storedIn(ids: string[]): Promise<{ rows: number; distinct: number }> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const r = await c.query<{ rows: string; distinct: string }>(
      'SELECT COUNT(*) AS rows, COUNT(DISTINCT id) AS distinct FROM packets WHERE id = ANY($1)',
      [ids],
    );
    return { rows: Number(r.rows[0]!.rows), distinct: Number(r.rows[0]!.distinct) };
  } finally {
    await c.end();
  }
}

async function stop(c: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (c.exitCode !== null || c.signalCode !== null) return c.exitCode;
  const done = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
  c.kill(signal);
  return done;
}

describe.skipIf(!POSTGRES_PRESENT)('hub workers on PostgreSQL', () => {
  it('two workers split the packets and store each exactly once; SIGTERM mid-stream stops one cleanly', async () => {
    const a = await startWorker(1);
    const b = await startWorker(2);
    const ids = await rig.queue(30, await redactedImage(11), true);
    const pub = startPublisher(5, 50);
    await waitFor(() => b.stored() >= 2, 30_000, 'worker 2 storing');
    // Graceful: worker 2 leaves the group, finishes what it took, and exits 0 while the stream goes on.
    expect(await stop(b, 'SIGTERM'), b.output()).toBe(0);
    await waitFor(() => acked() === 30, 45_000, 'thirty acknowledged');
    await stop(pub, 'SIGTERM');
    expect(await storedIn(ids)).toEqual({ rows: 30, distinct: 30 });
    expect(a.stored()).toBeGreaterThan(0);
    expect(b.stored()).toBeGreaterThan(0);
    expect(a.stored() + b.stored()).toBe(30);
    expect(await stop(a, 'SIGTERM'), a.output()).toBe(0);
    // The operator tools read the same database.
    const list = await runBin(['hub', 'list', '--config', workerConfig(1), '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { id: string }[]).filter((p) => ids.includes(p.id))).toHaveLength(30);
  }, 90_000);

  it('a worker killed with -9 mid-stream and restarted loses nothing: every packet is acked and stored once', async () => {
    const a = await startWorker(3);
    const b = await startWorker(4);
    const before = acked();
    const ids = await rig.queue(40, await redactedImage(12), true);
    const pub = startPublisher(5, 50);
    await waitFor(() => b.stored() >= 3, 30_000, 'worker 4 storing');
    await stop(b, 'SIGKILL');
    // As systemd would: the same worker (same client id) comes back and takes what the broker kept for its session;
    // whatever it had taken but not acked is resent by the appliance.
    const b2 = await startWorker(4);
    await waitFor(() => acked() === before + 40, 60_000, 'all forty acknowledged after the kill');
    await stop(pub, 'SIGTERM');
    expect(await storedIn(ids)).toEqual({ rows: 40, distinct: 40 });
    expect(await stop(a, 'SIGTERM'), a.output()).toBe(0);
    expect(await stop(b2, 'SIGTERM'), b2.output()).toBe(0);
  }, 90_000);
});

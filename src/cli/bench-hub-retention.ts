// `bcrp-edge bench hub-retention`: how long the hub takes to compute retention from the linked reports (`hub
// retention --dry-run`) and to apply it (the sweep) over N packets, on SQLite or on a throwaway PostgreSQL cluster.
// The store is filled with synthetic rows by SQL (receipt times spread over the 40 months before --now, a share of
// them linked to subjects of 3 reports) so the figure is the retention work, not the filling.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type DevPostgres, startDevPostgres } from '../adapters/hub-store/dev-postgres.js';
import { PgHubStore } from '../adapters/hub-store/pg-hub-store.js';
import { SqliteHubStore } from '../adapters/hub-store/sqlite-hub-store.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { FixedClock } from '../core/ports/clock.js';
import type { HubStore } from '../core/ports/hub-store.js';
import { retentionReport } from '../hub/hub-subjects.js';
import { parse, requireIso } from './args.js';
import { type CliIo, printJson } from './io.js';

export const BENCH_HUB_RETENTION_USAGE =
  'bcrp-edge bench hub-retention [--packets N] [--store sqlite|postgres] [--now ISO] [--json]';

const MONTH_MS = 30.44 * 86_400_000;

/** Row i: received some time in the 40 months before `now`; 40% linked to subjects of 3 reports each. */
function synthetic(i: number, now: Date): { id: string; receivedAt: string; subject: string | null } {
  const receivedAt = new Date(now.getTime() - ((i * 7919) % 40_000) * (MONTH_MS / 1000)).toISOString();
  const subject = i % 5 < 2 ? `S-bench-${Math.floor(i / 15)}-${i % 5}` : null;
  return { id: `p-${String(i).padStart(8, '0')}`, receivedAt, subject };
}

async function fillPostgres(url: string, n: number, now: Date): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (let start = 0; start < n; start += 5000) {
      const rows = Array.from({ length: Math.min(5000, n - start) }, (_, k) => synthetic(start + k, now));
      await c.query(
        `INSERT INTO packets (id, site_id, device_id, received_at, digest, encrypted, retention_class, manifest, raw)
         SELECT id, 'shop-' || (ord % 200), 'dev', at, 'digest-' || id, true, 'shared-12m', '{}'::json, '\\x00'::bytea
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(id, at, ord)`,
        [rows.map((r) => r.id), rows.map((r) => r.receivedAt)],
      );
      const linked = rows.filter((r) => r.subject);
      await c.query(
        `INSERT INTO subjects (ref, created_at, created_by) SELECT DISTINCT s, $2, 'bench' FROM unnest($1::text[]) AS s
         ON CONFLICT DO NOTHING`,
        [linked.map((r) => r.subject), now.toISOString()],
      );
      await c.query(
        `INSERT INTO subject_links (packet_id, subject_ref, linked_at, linked_by)
         SELECT p, s, $3, 'bench' FROM unnest($1::text[], $2::text[]) AS t(p, s)`,
        [linked.map((r) => r.id), linked.map((r) => r.subject), now.toISOString()],
      );
    }
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

function fillSqlite(file: string, n: number, now: Date): void {
  const db = new Database(file);
  try {
    const put = db.prepare(
      `INSERT INTO packets (id, site_id, device_id, received_at, digest, encrypted, retention_class, manifest, raw)
       VALUES (?, ?, 'dev', ?, ?, 1, 'shared-12m', '{}', x'00')`,
    );
    const subject = db.prepare(
      "INSERT INTO subjects (ref, created_at, created_by) VALUES (?, ?, 'bench') ON CONFLICT DO NOTHING",
    );
    const link = db.prepare(
      "INSERT INTO subject_links (packet_id, subject_ref, linked_at, linked_by) VALUES (?, ?, ?, 'bench')",
    );
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const r = synthetic(i, now);
        put.run(r.id, `shop-${i % 200}`, r.receivedAt, `digest-${r.id}`);
        if (r.subject) {
          subject.run(r.subject, now.toISOString());
          link.run(r.id, r.subject, now.toISOString());
        }
      }
    })();
  } finally {
    db.close();
  }
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return Math.round((u.user + u.system) / 1000);
};

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const value = await work();
  return { value, wallMs: Math.round(performance.now() - t0), cpuMs: cpuMs(cpu) };
}

export async function benchHubRetention(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parse(
    args,
    { packets: { type: 'string' }, store: { type: 'string' }, now: { type: 'string' }, json: { type: 'boolean' } },
    BENCH_HUB_RETENTION_USAGE,
  );
  const n = Number(values.packets ?? 100_000);
  if (!Number.isInteger(n) || n < 1 || n > 5_000_000)
    throw new UsageError(`--packets must be a whole number from 1 to 5000000\nusage: ${BENCH_HUB_RETENTION_USAGE}`);
  const kind = values.store ?? 'postgres';
  if (kind !== 'sqlite' && kind !== 'postgres')
    throw new UsageError(`--store must be sqlite or postgres\nusage: ${BENCH_HUB_RETENTION_USAGE}`);
  // Synthetic data is laid out relative to this time; the default keeps runs comparable.
  const clock = new FixedClock(requireIso(values.now, '--now') ?? '2027-06-01T00:00:00Z');
  const now = clock.now();
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-bench-retention-'));
  let cluster: DevPostgres | undefined;
  let store: HubStore | undefined;
  try {
    const fillStart = performance.now();
    if (kind === 'postgres') {
      cluster = await startDevPostgres();
      store = await PgHubStore.open({ connectionString: cluster.url }, clock);
      await fillPostgres(cluster.url, n, now);
    } else {
      const file = join(dir, 'hub.sqlite');
      await new SqliteHubStore(file, clock).close();
      fillSqlite(file, n, now);
      store = new SqliteHubStore(file, clock);
    }
    const fillMs = Math.round(performance.now() - fillStart);
    const dryRun = await timed(() => retentionReport(store!, now));
    const sweep = await timed(() => store!.sweep(now));
    const again = await timed(() => store!.sweep(now));
    const result = {
      store: kind,
      packets: n,
      subjects: dryRun.value.subjects.length,
      now: now.toISOString(),
      fillMs,
      dryRun: { wallMs: dryRun.wallMs, cpuMs: dryRun.cpuMs, ...dryRun.value.summary },
      sweep: { wallMs: sweep.wallMs, cpuMs: sweep.cpuMs, ...sweep.value },
      sweepAgain: { wallMs: again.wallMs, cpuMs: again.cpuMs, ...again.value },
    };
    if (values.json) printJson(io, result);
    else {
      io.out(`hub retention over ${n} packets (${result.subjects} subjects with live reports) on ${kind}:`);
      io.out(
        `  compute (hub retention --dry-run): ${dryRun.wallMs} ms wall, ${dryRun.cpuMs} ms CPU in this process — ${dryRun.value.summary.shared} shared, ${dryRun.value.summary.adminOnly} admin-only, ${dryRun.value.summary.dueWithdraw} to withdraw, ${dryRun.value.summary.dueDelete} to delete`,
      );
      io.out(
        `  sweep (apply): ${sweep.wallMs} ms wall, ${sweep.cpuMs} ms CPU — ${sweep.value.adminOnly} withdrawn, ${sweep.value.deleted} deleted, ${sweep.value.subjectsDeleted} subjects deleted`,
      );
      io.out(`  sweep again (nothing to change): ${again.wallMs} ms wall, ${again.cpuMs} ms CPU`);
    }
    return ExitCode.ok;
  } finally {
    await store?.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

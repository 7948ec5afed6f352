// Bounded soak: the real `bcrp-edge run` (dist/main.js; run `npm run build` first) against the NVR emulator, the
// dev mosquitto (mTLS) and the reference hub, with a trigger every few seconds and every incident reviewed and sent.
// Samples RSS, V8 heap, open fds, ffmpeg children and the SQLite file + WAL, prints a report, and exits 1 when a
// limit is broken. Usage: npx tsx scripts/soak.ts (or npm run soak). Environment (all optional):
//   SOAK_SECONDS (600)  SOAK_TRIGGER_SECONDS (5)  SOAK_SAMPLE_SECONDS (5)  SOAK_JSON=FILE (write the report as JSON)
//   SOAK_MAX_RSS_GROWTH_MB (30)  SOAK_MAX_RSS_MB (400)  SOAK_MAX_FD_GROWTH (20)  SOAK_MAX_DB_KB_PER_INCIDENT (1024)
//   SOAK_MAX_WAL_MB (64)  SOAK_MAX_FFMPEG (4)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApplianceStack } from '../test/support/appliance-stack.js';

const env = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`${name} must be a positive number (got ${raw})`);
    process.exit(2);
  }
  return v;
};

const SECONDS = env('SOAK_SECONDS', 600);
const TRIGGER_S = env('SOAK_TRIGGER_SECONDS', 5);
const SAMPLE_S = env('SOAK_SAMPLE_SECONDS', 5);
const LIMITS = {
  rssGrowthLastHalfMb: env('SOAK_MAX_RSS_GROWTH_MB', 30),
  rssMaxMb: env('SOAK_MAX_RSS_MB', 400),
  fdGrowth: env('SOAK_MAX_FD_GROWTH', 20),
  dbKbPerIncident: env('SOAK_MAX_DB_KB_PER_INCIDENT', 1024),
  walMaxMb: env('SOAK_MAX_WAL_MB', 64),
  ffmpegMax: env('SOAK_MAX_FFMPEG', 4),
};

interface Sample {
  t: number;
  rssMb: number;
  heapMb: number | null;
  fds: number;
  ffmpeg: number;
  dbKb: number;
  walKb: number;
  incidents: number;
  acked: number;
}

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};
const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const cpuTicks = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};
/** ffmpeg processes that are children of `pid`, or (pid 0) any pointed at the emulator's RTSP port. */
function ffmpegCount(pid: number, rtspPort: number): number {
  let n = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (!stat.includes('(ffmpeg)')) continue;
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (pid ? ppid === pid : cmd.includes(`:${rtspPort}/`)) n++;
    } catch {
      // the process ended while we looked
    }
  }
  return n;
}
const kb = (file: string) => (existsSync(file) ? statSync(file).size / 1024 : 0);
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-soak-'));
  console.error(`soak: ${SECONDS} s, a trigger every ${TRIGGER_S} s, sampling every ${SAMPLE_S} s (${dir})`);
  const stack = await startApplianceStack(dir, { brokerTtlSeconds: SECONDS + 600 });
  const failures: string[] = [];
  let report: Record<string, unknown> = {};
  try {
    const app = await stack.start();
    const pid = app.pid;
    const web = await stack.web();
    const db = join(stack.dataDir, 'bcrp-edge.sqlite');
    const rtsp = stack.emulator.rtspPort;
    const samples: Sample[] = [];
    const errors: string[] = [];
    const sent = new Set<string>();
    const triggered: string[] = [];
    let ffmpegPeak = 0;
    const list = async () =>
      (await web.call<{ id: string; status: string }[]>('GET', '/api/incidents?limit=500')).body ?? [];
    const sample = async (t: number) => {
      const all = await list();
      samples.push({
        t,
        rssMb: rssMb(pid),
        heapMb: ((await web.metric(stack.metricsToken, 'bcrp_edge_heap_used_bytes')) ?? Number.NaN) / 1048576,
        fds: fds(pid),
        ffmpeg: ffmpegCount(pid, rtsp),
        dbKb: kb(db),
        walKb: kb(`${db}-wal`),
        incidents: all.length,
        acked: all.filter((i) => i.status === 'acked').length,
      });
    };
    // Staff: send whatever reached review (in the background, one at a time).
    let stopping = false;
    const reviewer = (async () => {
      while (!stopping) {
        try {
          for (const i of await list()) {
            if (i.status !== 'in-review' || sent.has(i.id)) continue;
            sent.add(i.id);
            const r = await web.reviewAndSend(i.id);
            if (r !== 'sent') errors.push(`${i.id}: ${r}`);
          }
        } catch (e) {
          errors.push(`reviewer: ${(e as Error).message}`);
        }
        await sleep(500);
      }
    })();
    const watcher = setInterval(() => {
      ffmpegPeak = Math.max(ffmpegPeak, ffmpegCount(pid, rtsp));
    }, 250);

    await sample(0);
    const ticks0 = cpuTicks(pid);
    const t0 = Date.now();
    let nextTrigger = 0;
    let nextSample = SAMPLE_S * 1000;
    while (Date.now() - t0 < SECONDS * 1000) {
      const now = Date.now() - t0;
      if (now >= nextTrigger) {
        nextTrigger += TRIGGER_S * 1000;
        web.trigger().then(
          (id) => triggered.push(id),
          (e) => errors.push(`trigger: ${(e as Error).message}`),
        );
      }
      if (now >= nextSample) {
        nextSample += SAMPLE_S * 1000;
        await sample(now / 1000);
        const s = samples.at(-1)!;
        console.error(
          `  ${Math.round(s.t)} s: RSS ${round(s.rssMb)} MB, heap ${round(s.heapMb ?? Number.NaN)} MB, ${s.fds} fds, ${s.ffmpeg} ffmpeg, db ${Math.round(s.dbKb)} KB + wal ${Math.round(s.walKb)} KB, ${s.acked}/${s.incidents} acked`,
        );
      }
      await sleep(100);
    }
    const elapsed = (Date.now() - t0) / 1000;
    const cpuPercent = ((cpuTicks(pid) - ticks0) / 100 / elapsed) * 100;
    // Let the last triggers finish: every incident captured, checked, sent and acknowledged.
    const drainEnd = Date.now() + 120_000;
    for (;;) {
      const all = await list();
      if (all.length >= triggered.length && all.every((i) => i.status === 'acked')) break;
      if (Date.now() > drainEnd) {
        const stuck = all.filter((i) => i.status !== 'acked').map((i) => `${i.id} ${i.status}`);
        failures.push(`not every incident was acknowledged within 2 min of the last trigger: ${stuck.join(', ')}`);
        break;
      }
      await sleep(500);
    }
    await sample((Date.now() - t0) / 1000);
    stopping = true;
    await reviewer;
    clearInterval(watcher);
    app.child.kill('SIGTERM');
    const code = await app.exited;
    if (code !== 0) failures.push(`bcrp-edge run exited with ${code} on SIGTERM`);
    await sleep(1000);
    const leftover = ffmpegCount(0, rtsp);

    // Steady state is the second half: start-up, the model load and the first captures are in the first.
    const half = samples.filter((s) => s.t >= SECONDS / 2 && s.t <= SECONDS);
    const lastTenth = half.filter((s) => s.t >= SECONDS * 0.9);
    const mid = half.filter((s) => s.t <= SECONDS * 0.6);
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const warm = samples.filter((s) => s.t > 0 && s.t <= SECONDS / 4);
    const incidents = last.incidents;
    const rssGrowth = mean(lastTenth.map((s) => s.rssMb)) - mean(mid.map((s) => s.rssMb));
    const heapGrowth =
      mean(lastTenth.map((s) => s.heapMb ?? Number.NaN)) - mean(mid.map((s) => s.heapMb ?? Number.NaN));
    const fdGrowth = last.fds - Math.max(...warm.map((s) => s.fds), first.fds);
    const dbGrowthKb = last.dbKb + last.walKb - (first.dbKb + first.walKb);
    const perIncident = incidents ? dbGrowthKb / incidents : 0;
    const walMax = Math.max(...samples.map((s) => s.walKb)) / 1024;
    const rssMax = Math.max(...samples.map((s) => s.rssMb));
    report = {
      seconds: round(elapsed),
      triggerEverySeconds: TRIGGER_S,
      incidents,
      acked: last.acked,
      errors: errors.length,
      rssMb: {
        start: round(first.rssMb),
        max: round(rssMax),
        end: round(last.rssMb),
        growthLastHalf: round(rssGrowth),
      },
      heapMb: {
        start: round(first.heapMb ?? Number.NaN),
        end: round(last.heapMb ?? Number.NaN),
        growthLastHalf: round(heapGrowth),
      },
      fds: { start: first.fds, end: last.fds, growth: fdGrowth },
      ffmpeg: { peak: ffmpegPeak, leftAfterStop: leftover },
      sqlite: {
        startKb: Math.round(first.dbKb + first.walKb),
        endKb: Math.round(last.dbKb + last.walKb),
        walMaxMb: round(walMax),
        kbPerIncident: round(perIncident),
      },
      cpuPercent: round(cpuPercent),
      loadAverage: loadavg().map((l) => round(l, 2)),
      limits: LIMITS,
    };
    const check = (ok: boolean, what: string) => {
      if (!ok) failures.push(what);
    };
    check(
      !(rssGrowth > LIMITS.rssGrowthLastHalfMb),
      `RSS grew ${round(rssGrowth)} MB over the last half (limit ${LIMITS.rssGrowthLastHalfMb})`,
    );
    check(rssMax <= LIMITS.rssMaxMb, `RSS reached ${round(rssMax)} MB (limit ${LIMITS.rssMaxMb})`);
    check(fdGrowth <= LIMITS.fdGrowth, `open files grew by ${fdGrowth} (limit ${LIMITS.fdGrowth})`);
    check(leftover === 0, `${leftover} ffmpeg process(es) left after the service stopped`);
    check(ffmpegPeak <= LIMITS.ffmpegMax, `${ffmpegPeak} ffmpeg at once (limit ${LIMITS.ffmpegMax})`);
    check(
      perIncident <= LIMITS.dbKbPerIncident,
      `the store grew ${round(perIncident)} KB per incident (limit ${LIMITS.dbKbPerIncident})`,
    );
    check(walMax <= LIMITS.walMaxMb, `the WAL reached ${round(walMax)} MB (limit ${LIMITS.walMaxMb})`);
    check(incidents >= Math.floor(SECONDS / TRIGGER_S) - 1, `only ${incidents} incidents were recorded`);
    check(errors.length === 0, `${errors.length} request error(s): ${errors.slice(0, 5).join('; ')}`);
  } finally {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
  report['failures'] = failures;
  console.log(JSON.stringify(report, null, 2));
  if (process.env['SOAK_JSON']) writeFileSync(process.env['SOAK_JSON'], `${JSON.stringify(report, null, 2)}\n`);
  console.error(failures.length ? `soak FAILED:\n- ${failures.join('\n- ')}` : 'soak passed: every limit held');
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`soak could not run: ${(e as Error).message}`);
    process.exit(1);
  },
);

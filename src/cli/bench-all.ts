// `bcrp-edge bench all` (what `npm run bench` runs): every bench area in turn with --json, then
// bench/results.json (all the raw figures) and bench/results.md (one table: figure, target, whether it is met,
// ratio to the floor where the area measures one). An area that fails is recorded as failed; the rest still run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { systemClock } from '../core/ports/clock.js';
import { scrubCredentials } from '../core/secrets.js';
import { parse } from './args.js';
import type { CliIo } from './io.js';

type BenchRun = (args: string[], io: CliIo) => Promise<0 | 1 | 2 | 78>;

export const BENCH_ALL_USAGE =
  'bcrp-edge bench all [--idle-seconds N (default 60)] [--only vision,publish,capture,idle] [--out DIR (default bench)]';

export interface BenchRow {
  area: string;
  figure: string;
  value: number;
  unit: string;
  target?: number;
  met?: boolean;
  ratioToFloor?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: each area's JSON has its own shape; rows() reads it defensively.
type Json = any;

const n = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The headline figures of each area, with the targets from the issues that set them. */
export function rows(area: string, r: Json): BenchRow[] {
  const out: BenchRow[] = [];
  const add = (figure: string, value: unknown, unit: string, target?: number, ratioToFloor?: unknown) => {
    const v = n(value);
    if (v === undefined) return;
    const ratio = n(ratioToFloor);
    out.push({
      area,
      figure,
      value: v,
      unit,
      ...(target === undefined ? {} : { target, met: v <= target }),
      ...(ratio === undefined ? {} : { ratioToFloor: ratio }),
    });
  };
  if (area === 'vision') {
    const ms = r?.main?.timing?.ms;
    add('detect+redact p50 per 1080p still', ms?.detectPlusRedact?.p50, 'ms', 120);
    add(
      'whole redaction step p50 (decode…encode)',
      ms?.total?.p50,
      'ms',
      undefined,
      r?.main?.ratioToFfmpegDecode?.total,
    );
    add('whole redaction step p95', ms?.total?.p95, 'ms');
    add('CPU time per still p50', r?.main?.timing?.cpuMs?.p50, 'ms');
  } else if (area === 'publish') {
    add('packet build+sign+encrypt p50', r?.buildSignEncryptMs?.p50, 'ms');
    add('publish→ack one at a time p50', r?.publishToAckMs?.oneAtATime?.p50, 'ms');
    add('publish→ack one at a time p95', r?.publishToAckMs?.oneAtATime?.p95, 'ms');
    add('publish→ack burst p95', r?.publishToAckMs?.burst?.p95, 'ms');
    add('hub verify+decrypt+store', r?.hubPacketsPerSecond?.verifyDecryptStore, 'packets/s');
  } else if (area === 'capture') {
    add('trigger → first still p95', r?.firstStillMs?.p95, 'ms', 500, r?.firstStillOverFloor);
    add('trigger → all stills p95', r?.allStillsMs?.p95, 'ms', 2000);
    add('bare ffmpeg grab (floor) p50', r?.ffmpegFloorMs?.p50, 'ms');
  } else if (area === 'idle') {
    add('idle RSS max', r?.rssMb?.max, 'MB', 150);
    add('idle RSS mean', r?.rssMb?.mean, 'MB');
    add('idle CPU (one core)', r?.cpuPercent, '%', 1);
  }
  return out;
}

export function markdown(result: {
  at: string;
  machine: Json;
  rows: BenchRow[];
  failed: Record<string, string>;
}): string {
  const lines = [
    `# Bench results ${result.at}`,
    '',
    `Machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGb} GB; load average at start ${result.machine.loadAverageAtStart.join(' ')}, at end ${result.machine.loadAverageAtEnd.join(' ')}.`,
    '',
    '| area | figure | value | target | met | ratio to floor |',
    '|---|---|---|---|---|---|',
    ...result.rows.map(
      (r) =>
        `| ${r.area} | ${r.figure} | ${r.value} ${r.unit} | ${r.target === undefined ? '—' : `≤ ${r.target} ${r.unit}`} | ${r.met === undefined ? '—' : r.met ? 'yes' : '**no**'} | ${r.ratioToFloor === undefined ? '—' : `${r.ratioToFloor}×`} |`,
    ),
    '',
  ];
  for (const [area, why] of Object.entries(result.failed)) lines.push(`- **${area} failed**: ${why}`);
  return `${lines.join('\n')}\n`;
}

export async function benchAll(areas: Record<string, { run: BenchRun }>, args: string[], io: CliIo): Promise<0 | 1> {
  const { values } = parse(
    args,
    { 'idle-seconds': { type: 'string' }, only: { type: 'string' }, out: { type: 'string' } },
    BENCH_ALL_USAGE,
  );
  const idleSeconds = values['idle-seconds'] ?? '60';
  const perArea: Record<string, string[]> = {
    vision: ['--runs', '3'],
    publish: ['--packets', '200'],
    capture: ['--triggers', '20'],
    idle: ['--seconds', idleSeconds],
  };
  const chosen = values.only
    ? values.only.split(',')
    : Object.keys(areas).filter((a) => a !== 'all' && a !== 'hub' && a !== 'hub-retention'); // bench hub is a load test of its own (docs/scaling.md);
  for (const a of chosen) if (!areas[a] || a === 'all') throw new UsageError(`--only: unknown bench area '${a}'`);
  const loadAverageAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const raw: Record<string, unknown> = {};
  const failed: Record<string, string> = {};
  const all: BenchRow[] = [];
  for (const area of chosen) {
    io.err(`bench ${area} …`);
    const lines: string[] = [];
    const errors: string[] = [];
    const sub: CliIo = { ...io, out: (l) => lines.push(l), err: (l) => errors.push(l) };
    try {
      const code = await areas[area]!.run([...(perArea[area] ?? []), '--json'], sub);
      if (code !== 0) throw new Error(`exit ${code}: ${errors.slice(-5).join(' ')}`);
      const json = JSON.parse(lines.join('\n')) as Json;
      raw[area] = json;
      all.push(...rows(area, json));
    } catch (e) {
      failed[area] = scrubCredentials((e as Error).message).slice(0, 500);
      io.err(`bench ${area} failed: ${failed[area]}`);
    }
  }
  const result = {
    at: systemClock.now().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    rows: all,
    failed,
    raw,
  };
  const dir = resolve(values.out ?? 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = markdown(result);
  writeFileSync(join(dir, 'results.md'), md);
  io.out(md);
  io.out(`written: ${join(dir, 'results.json')}, ${join(dir, 'results.md')}`);
  return Object.keys(failed).length > 0 ? 1 : 0;
}

// `bcrp-edge bench hub`: reference hub throughput and publish→ack latency with simulated devices, 1 worker against
// W workers, on SQLite or PostgreSQL (src/bench/hub.ts does the work; loopback only, bounded).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchHub } from '../bench/hub.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { parse } from './args.js';
import { type CliIo, printJson } from './io.js';

export const BENCH_HUB_USAGE =
  'bcrp-edge bench hub [--devices N (1–1000, 200)] [--packets M per device (1–100, 10)] [--workers W (1–4, 2)] [--store sqlite|postgres] [--plain] [--json]';

const int = (v: string | undefined, name: string, def: number, min: number, max: number): number => {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

export async function benchHubCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parse(
    args,
    {
      devices: { type: 'string' },
      packets: { type: 'string' },
      workers: { type: 'string' },
      store: { type: 'string' },
      plain: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    BENCH_HUB_USAGE,
  );
  const devices = int(values.devices, '--devices', 200, 1, 1000);
  const packets = int(values.packets, '--packets', 10, 1, 100);
  const workers = int(values.workers, '--workers', 2, 1, 4);
  if (devices * packets > 20_000) throw new UsageError('--devices × --packets must be at most 20000');
  const store = values.store ?? 'postgres';
  if (store !== 'sqlite' && store !== 'postgres') throw new UsageError('--store must be sqlite or postgres');
  // Workers are separate processes running the built CLI, as in production.
  const mainScript = fileURLToPath(new URL('../main.js', import.meta.url));
  if (!existsSync(mainScript)) throw new AppError('not-built', 'bench hub runs the built CLI: npm run build first');
  const r = await benchHub({ devices, packets, workers, store, encrypt: !values.plain, mainScript });
  if (values.json) printJson(io, r);
  else {
    io.out(
      `${r.devices} devices × ${r.packetsPerDevice} packets, ${r.encrypted ? 'encrypted' : 'signed only'}, store ${r.store} (${r.durability})`,
    );
    for (const run of r.runs)
      io.out(
        `${run.workers} worker(s): ${run.packetsPerSecond} packets/s verified+stored (${run.stored}/${run.packets} stored, ${run.acked} acked, ${run.seconds} s); publish→ack ms p50 ${run.publishToAckMs.p50} p95 ${run.publishToAckMs.p95}; hub CPU ${run.hubCpuMsPerPacket ?? '?'} ms/packet (${run.packetsPerWorkerCpuSecond ?? '?'} packets per worker CPU second); load average ${run.loadAverage.join(' → ')}`,
      );
    for (const run of r.runs)
      if (run.pipelineCpuMsPerPacket)
        io.out(
          `${run.workers} worker(s), CPU ms per packet: hub ${run.pipelineCpuMsPerPacket.hub}, broker ${run.pipelineCpuMsPerPacket.broker}, database ${run.pipelineCpuMsPerPacket.database ?? '(in the hub)'}, simulated devices ${run.pipelineCpuMsPerPacket.devices}; total ${run.pipelineCpuMsPerPacket.total} → at most ${run.cpuBoundPacketsPerSecond} packets/s on this machine's cores with nothing else running`,
        );
    if (r.openFloorCpuMsPerPacket !== null)
      io.out(
        `floor: opening a packet alone (decrypt, verify, schema, hashes) takes ${r.openFloorCpuMsPerPacket} CPU ms`,
      );
    if (r.ratio !== null) io.out(`${workers} workers / 1 worker: ${r.ratio}×`);
  }
  return r.runs.every((run) => run.stored === run.packets) ? ExitCode.ok : ExitCode.failure;
}

// `bcrp-edge bench idle`: what the service costs when nothing happens. Starts `bcrp-edge run` (this same binary)
// on a throwaway config and data dir, with the V8 flags the systemd unit gives it, lets it settle, then samples its
// RSS and CPU time from /proc for N seconds.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '../app/service-node-flags.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { parse } from './args.js';
import { type CliIo, printJson } from './io.js';

export const BENCH_IDLE_USAGE =
  'bcrp-edge bench idle [--seconds N (default 60)] [--settle N (default 5)] [--config FILE] [--json]';
export const IDLE_TARGETS = { rssMb: 150, cpuPercent: 1 } as const;

export interface IdleResult {
  seconds: number;
  settleSeconds: number;
  config: string;
  rssMb: { mean: number; max: number };
  cpuPercent: number;
  loadAverage: number[];
  targets: typeof IDLE_TARGETS;
}

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime in clock ticks (fields 14 and 15 of /proc/PID/stat, counted after the command name). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A minimal valid config: the NVR points at a closed loopback port, as in a shop whose recorder is off. */
async function throwawayConfig(dir: string): Promise<string> {
  const pw = join(dir, 'nvr-password');
  writeFileSync(pw, 'bench-only\n', { mode: 0o600 });
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      'site: { id: bench-001, name: Bench Shop }',
      `nvr: { host: 127.0.0.1, port: ${await closedPort()}, passwordFile: ${JSON.stringify(pw)}, channels: [{ id: 1, name: Till }] }`,
      '',
    ].join('\n'),
  );
  return file;
}

export async function measureIdle(options: {
  seconds: number;
  settleSeconds: number;
  config?: string;
  onProgress?: (line: string) => void;
}): Promise<IdleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-bench-idle-'));
  let child: ChildProcess | undefined;
  try {
    const config = options.config ?? (await throwawayConfig(dir));
    child = spawn(
      process.execPath,
      [...SERVICE_NODE_FLAGS, MAIN, 'run', '--config', config, '--data-dir', join(dir, 'data')],
      {
        env: { ...process.env, NODE_ENV: 'production', NOTIFY_SOCKET: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let output = '';
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const started = performance.now();
    while (!output.includes('"msg":"ready')) {
      if (child.exitCode !== null || performance.now() - started > 30_000)
        throw new AppError('bench-failed', `bcrp-edge run did not report ready:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    options.onProgress?.(`service ready; settling ${options.settleSeconds} s, then measuring ${options.seconds} s`);
    await new Promise((r) => setTimeout(r, options.settleSeconds * 1000));
    const pid = child.pid!;
    const ticks0 = cpuTicks(pid);
    const t0 = process.hrtime.bigint();
    const rss: number[] = [];
    for (let s = 0; s < options.seconds; s++) {
      rss.push(rssKb(pid));
      await new Promise((r) => setTimeout(r, 1000));
    }
    rss.push(rssKb(pid));
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpuSeconds = (cpuTicks(pid) - ticks0) / clockTicks();
    const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
    return {
      seconds: round(elapsed, 1),
      settleSeconds: options.settleSeconds,
      config: options.config ?? 'generated (NVR unreachable, nothing else configured)',
      rssMb: {
        mean: round(rss.reduce((a, b) => a + b, 0) / rss.length / 1024, 1),
        max: round(Math.max(...rss) / 1024, 1),
      },
      cpuPercent: round((cpuSeconds / elapsed) * 100),
      loadAverage: loadavg().map((l) => round(l)),
      targets: IDLE_TARGETS,
    };
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 12_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchIdle(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parse(
    args,
    { seconds: { type: 'string' }, settle: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
    BENCH_IDLE_USAGE,
  );
  const num = (v: string | undefined, d: number, flag: string) => {
    const x = v === undefined ? d : Number(v);
    if (!Number.isInteger(x) || x < 1 || x > 3600)
      throw new UsageError(`${flag} must be a whole number of seconds from 1 to 3600`);
    return x;
  };
  const r = await measureIdle({
    seconds: num(values.seconds, 60, '--seconds'),
    settleSeconds: num(values.settle, 5, '--settle'),
    ...(values.config ? { config: values.config } : {}),
    ...(values.json ? {} : { onProgress: (l: string) => io.err(l) }),
  });
  if (values.json) printJson(io, r);
  else {
    io.out(
      `idle over ${r.seconds} s: RSS mean ${r.rssMb.mean} MB, max ${r.rssMb.max} MB (target ≤ ${IDLE_TARGETS.rssMb})`,
    );
    io.out(
      `CPU ${r.cpuPercent} % of one core (target ≤ ${IDLE_TARGETS.cpuPercent} %); load average ${r.loadAverage.join(' ')}`,
    );
  }
  return ExitCode.ok;
}

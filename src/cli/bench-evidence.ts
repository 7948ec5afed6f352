// `bcrp-edge bench evidence`: the police-master benchmark (the `bench` dispatcher calls this for its `evidence` word).
import { runEvidenceBench } from '../bench/evidence.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { parse } from './args.js';
import { type CliIo, printJson } from './io.js';

export const BENCH_EVIDENCE_USAGE = 'bcrp-edge bench evidence [--seconds N] [--media FILE] [--rtsp] [--json]';

export async function benchEvidence(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parse(
    args,
    { seconds: { type: 'string' }, media: { type: 'string' }, rtsp: { type: 'boolean' }, json: { type: 'boolean' } },
    BENCH_EVIDENCE_USAGE,
  );
  const seconds = values.seconds === undefined ? 60 : Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 2 || seconds > 300)
    throw new UsageError(`--seconds must be a whole number from 2 to 300\nusage: ${BENCH_EVIDENCE_USAGE}`);
  const r = await runEvidenceBench({
    seconds,
    ...(values.media ? { media: values.media } : {}),
    ...(values.rtsp ? { rtsp: true } : {}),
    ...(values.json ? {} : { onProgress: (l: string) => io.err(l) }),
  });
  if (values.json) printJson(io, r);
  else {
    const mib = (b: number) => (b / 1048576).toFixed(1);
    io.out(`evidence bench: ${r.windowSeconds} s window of ${r.resolution} (${r.media}), ${r.method}`);
    io.out(`  master             ${mib(r.masterBytes)} MiB, ${r.masterSeconds} s of footage`);
    io.out(`  acquisition        ${r.acquisitionMs} ms wall, ${r.acquisitionCpuMs} ms CPU (this process)`);
    io.out(`  RSS                ${r.rssBeforeMiB} MiB before, ${r.rssPeakMiB} MiB peak during acquisition`);
    io.out(`  police export      ${r.exportMs} ms, ${mib(r.exportBytes)} MiB in ${r.exportFiles} files`);
  }
  return ExitCode.ok;
}

// `bcrp-edge bench capture`: the capture benchmark (the `bench` dispatcher calls this for its `capture` word).
import { runCaptureBench } from '../bench/capture.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { parse } from './args.js';
import { type CliIo, type Command, printJson } from './io.js';

const usage =
  'bcrp-edge bench capture [--triggers N] [--count N] [--pre S] [--post S] [--media FILE] [--pre-roll] [--json]';

export async function benchCapture(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parse(
    args,
    {
      triggers: { type: 'string' },
      count: { type: 'string' },
      pre: { type: 'string' },
      post: { type: 'string' },
      media: { type: 'string' },
      'pre-roll': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    usage,
  );
  const n = (v: string | undefined, d: number, flag: string, min: number, max: number) => {
    const x = v === undefined ? d : Number(v);
    if (!Number.isFinite(x) || x < min || x > max)
      throw new UsageError(`${flag} must be from ${min} to ${max}\nusage: ${usage}`);
    return x;
  };
  const result = await runCaptureBench({
    triggers: n(values.triggers, 20, '--triggers', 1, 500),
    stills: n(values.count, 5, '--count', 1, 20),
    preSeconds: n(values.pre, 10, '--pre', 0, 120),
    postSeconds: n(values.post, 0, '--post', 0, 60),
    ...(values.media ? { media: values.media } : {}),
    ...(values['pre-roll'] ? { preRoll: true } : {}),
    ...(values.json ? {} : { onProgress: (l: string) => io.err(l) }),
  });
  if (values.json) printJson(io, result);
  else {
    const p = (x: { p50: number; p95: number }) => `p50 ${x.p50} ms, p95 ${x.p95} ms`;
    io.out(
      `capture bench: ${result.triggers} triggers, ${result.stills} stills, window -${result.window.preSeconds}…+${result.window.postSeconds} s, ${result.media}`,
    );
    io.out(`  trigger recorded   ${p(result.triggerMs)}`);
    io.out(`  first still        ${p(result.firstStillMs)}`);
    io.out(`  all ${result.stills} stills       ${p(result.allStillsMs)}`);
    io.out(
      `  bare ffmpeg floor  ${p(result.ffmpegFloorMs)}  (first still / floor at p50: ${result.firstStillOverFloor}×)`,
    );
    if (result.preRoll)
      io.out(
        `  pre-roll ffmpeg    ${result.preRoll.cpuPercentOfOneCore}% of one core, ${result.preRoll.rssMiB} MiB RSS, ${result.preRoll.ramDirMiB} MiB in the RAM dir`,
      );
    if (result.failures) io.out(`  ${result.failures} trigger(s) did not get every still`);
  }
  return result.failures ? ExitCode.failure : ExitCode.ok;
}

/** `bench capture` as a command object; src/cli/bench.ts dispatches to it. */
export const benchCaptureCommand: Command = {
  name: 'bench capture',
  summary: 'measure trigger → stills against the NVR emulator',
  usage,
  run: benchCapture,
};

// `bcrp-edge bench clip [VIDEO]`: a redacted clip of a 10 s 1080p video (by default the project's drawn aisle,
// made once in a temp dir) at the clip settings: wall and CPU time of each pass, the ratio to the floor (ffmpeg
// decode + encode of the same clip with nothing detected), and peak memory of this process and its ffmpeg children.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FfmpegVideo } from '../adapters/ffmpeg/raw-video.js';
import { createDetectorFromConfig } from '../app/redaction.js';
import { aisleScene, writeScene } from '../bench/clip-media.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { type ClipAnalysis, ClipMaker } from '../services/clips/clip-maker.js';
import { commonOptions, parse } from './args.js';
import { type CliIo, printJson } from './io.js';
import { redactionConfig, withModel } from './redaction-options.js';

export const BENCH_CLIP_USAGE =
  'bcrp-edge bench clip [VIDEO] [--seconds N] [--fps N] [--max-side PX] [--model blazeface|yunet|PATH] [--json]';

/** CPU seconds of this process and of its children that have ended (Linux /proc: utime, stime, cutime, cstime). */
function cpu(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const tick = 100; // USER_HZ on Linux
  return { self: (f[11]! + f[12]!) / tick, children: (f[13]! + f[14]!) / tick };
}

/** Samples resident memory: this process, and the sum over its live children (the ffmpeg pipes). */
function memorySampler(): { stop(): { selfMb: number; childrenMb: number; totalMb: number } } {
  let self = 0;
  let children = 0;
  let total = 0;
  const rss = (pid: string) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  const sample = () => {
    const s = process.memoryUsage.rss();
    let c = 0;
    try {
      for (const t of readdirSync(`/proc/${process.pid}/task`))
        for (const pid of readFileSync(`/proc/${process.pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean))
          c += rss(pid);
    } catch {
      // not Linux: children not counted
    }
    self = Math.max(self, s);
    children = Math.max(children, c);
    total = Math.max(total, s + c);
  };
  const timer = setInterval(sample, 50);
  sample();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const mb = (b: number) => Math.round(b / 1e5) / 10;
      return { selfMb: mb(self), childrenMb: mb(children), totalMb: mb(total) };
    },
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallS: number; cpuS: number }> {
  const c0 = cpu();
  const t0 = performance.now();
  const value = await fn();
  const c1 = cpu();
  const r = (v: number) => Math.round(v * 100) / 100;
  return {
    value,
    wallS: r((performance.now() - t0) / 1000),
    cpuS: r(c1.self - c0.self + c1.children - c0.children),
  };
}

export async function benchClip(args: string[], io: CliIo): Promise<0 | 1 | 2 | 78> {
  const { values, positionals } = parse(
    args,
    {
      ...commonOptions,
      seconds: { type: 'string' },
      fps: { type: 'string' },
      'max-side': { type: 'string' },
      model: { type: 'string' },
    },
    BENCH_CLIP_USAGE,
    true,
  );
  const seconds = Number(values.seconds ?? 10);
  if (!(seconds >= 1 && seconds <= 30)) throw new UsageError('--seconds must be 1–30');
  const fps = Number(values.fps ?? 8);
  const maxSide = Number(values['max-side'] ?? 960);
  if (positionals[0] && !existsSync(positionals[0])) throw new UsageError(`${positionals[0]}: file not found`);
  const say = (line: string) => {
    if (!values.json) io.out(line);
  };
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-bench-clip-'));
  let mem: ReturnType<typeof memorySampler> | undefined;
  const detector = await createDetectorFromConfig(withModel(redactionConfig(values.config, io.env), values.model));
  try {
    let file = positionals[0];
    if (!file) {
      file = join(dir, 'aisle-1080p.mp4');
      say(`making a ${seconds} s 1920×1080 25 fps clip of drawn shoppers…`);
      await writeScene({ ...aisleScene(seconds, { width: 1920, height: 1080 }), fps: 25 }, file);
    }
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    say(`bench clip: ${file}, first ${seconds} s → ${fps} fps, ${maxSide} px long side; load average ${load}`);
    const source = { input: { kind: 'file' as const, path: file }, durationSeconds: seconds };
    // Sampled from here: the clip's passes (with the loaded model), not the making of the test footage.
    mem = memorySampler();
    const maker = new ClipMaker({
      video: new FfmpegVideo(),
      detector,
      settings: { fps, maxSide, maxBytes: 50_000_000 },
    });
    const analyse = await timed(() => maker.analyse(source));
    const a = analyse.value;
    // The floor: the same decode and encode with nothing found (no detection, no fill).
    const empty: ClipAnalysis = { ...a, frames: a.frames.map(() => ({ detected: false, faces: [] })) };
    const floor = await timed(() => maker.render(empty, source, join(dir, 'floor.mp4')));
    // Render and verify as the appliance runs them: with repair rounds when the verification finds a face.
    const made = await timed(() => maker.make(a, source, join(dir, 'clip.mp4')));
    const ms = (v: number) => Math.round(v / 10) / 100;
    const render = {
      value: made.value.render,
      wallS: ms(made.value.render.timingsMs.total),
      cpuS: Number.NaN,
    };
    const verify = { value: made.value.verify, wallS: ms(made.value.verify.timingsMs.total), cpuS: Number.NaN };
    const memory = mem.stop();
    mem = undefined;
    const clipSeconds = a.frames.length / fps;
    const totalWall = analyse.wallS + made.wallS;
    const totalCpu = analyse.cpuS + made.cpuS;
    const r2 = (v: number) => Math.round(v * 100) / 100;
    const result = {
      input: positionals[0] ?? 'generated 1920x1080 25 fps drawn aisle',
      loadAverage: load,
      output: { frames: a.frames.length, width: a.width, height: a.height, fps, seconds: clipSeconds },
      bytes: render.value.bytes,
      detectorRuns: { analyse: a.detections, verify: verify.value.frames },
      facesTracked: render.value.tracks,
      verificationPassed: verify.value.passed,
      repairedFaces: made.value.repaired,
      seconds: {
        analyse: { wall: analyse.wallS, cpu: analyse.cpuS },
        /** Render and verify, repair rounds included; the last round's render and verify walls below. */
        make: { wall: made.wallS, cpu: made.cpuS },
        lastRender: { wall: render.wallS },
        lastVerify: { wall: verify.wallS },
        total: { wall: r2(totalWall), cpu: r2(totalCpu) },
        floor: { wall: floor.wallS, cpu: floor.cpuS },
      },
      realTimeRatio: r2(totalWall / clipSeconds),
      floorRatio: r2(totalWall / floor.wallS),
      framesPerSecond: r2(a.frames.length / totalWall),
      peakRssMb: memory,
      model: a.model.id,
    };
    if (values.json) printJson(io, result);
    else {
      say(
        `analyse ${analyse.wallS} s (cpu ${analyse.cpuS} s, ${a.detections} detector runs) · render + verify ${made.wallS} s (cpu ${made.cpuS} s; ${made.value.repaired} faces filled in repair rounds; last render ${render.wallS} s, last verify ${verify.wallS} s)`,
      );
      say(
        `total ${result.seconds.total.wall} s wall, ${result.seconds.total.cpu} s cpu for ${clipSeconds} s of clip (${result.realTimeRatio}× real time; ${result.framesPerSecond} frames/s); floor ${floor.wallS} s → ${result.floorRatio}× the floor`,
      );
      say(
        `clip ${render.value.bytes} bytes, ${render.value.tracks} faces tracked, verification ${verify.value.passed ? 'passed' : 'FAILED'}; peak RSS ${memory.selfMb} MB node + ${memory.childrenMb} MB ffmpeg (together at most ${memory.totalMb} MB)`,
      );
    }
    return ExitCode.ok;
  } finally {
    mem?.stop();
    await detector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

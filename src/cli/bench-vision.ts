// `bcrp-edge bench vision`: speed of the redaction step on 1080p stills, its ratio to ffmpeg's decode, BlazeFace
// against YuNet, and coverage of known faces (--truth, the faces.json format).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { ffmpegDecodeMs } from '../adapters/imaging/ffmpeg-decode-floor.js';
import { createRedactor } from '../app/redaction.js';
import { measureCoverage, type TruthImage, timeRedaction } from '../bench/redaction.js';
import {
  drawnFaces,
  mediaFaces,
  runSweep,
  SWEEP_FACE_SIZES,
  SWEEP_FRAMES,
  SWEEP_VARIANTS,
  type SweepResult,
  type SweepVariant,
} from '../bench/sweep.js';
import { dataDir } from '../config/load.js';
import type { RedactionConfig } from '../config/schema.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { Box } from '../core/redaction.js';
import { commonOptions, parse } from './args.js';
import { type CliIo, printJson } from './io.js';
import { redactionConfig, withModel } from './redaction-options.js';

export const BENCH_VISION_USAGE =
  'bcrp-edge bench vision [STILL...] [--truth faces.json] [--runs N] [--model blazeface|yunet|PATH] [--yunet PATH] [--json]\n' +
  '       bcrp-edge bench vision --sweep [--sizes 12,16,…] [--frames 320x240,…] [--variants plain,…] [--media DIR] [--out bench/results.json] [--model …] [--json]';

function readTruth(file: string): TruthImage[] {
  let parsed: { images?: Record<string, Box[]> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (e) {
    throw new UsageError(`--truth ${file}: ${(e as Error).message}`);
  }
  if (!parsed.images || typeof parsed.images !== 'object')
    throw new UsageError(`--truth ${file}: expected {"images": {"file.jpg": [[x, y, w, h], …]}}`);
  return Object.entries(parsed.images).map(([name, boxes]) => ({
    file: name,
    image: readFileSync(join(dirname(file), name)),
    boxes,
  }));
}

/** Every timing still becomes a 1920×1080 JPEG, the size the NVR main stream gives. */
async function to1080p(images: readonly Buffer[]): Promise<Buffer[]> {
  if (images.length === 0) {
    // No stills given: textured noise costs the codec about what a busy CCTV frame does (no faces in it).
    images = await Promise.all(
      [20, 40, 60].map((sigma) =>
        sharp({
          create: {
            width: 1920,
            height: 1080,
            channels: 3,
            background: '#808080',
            noise: { type: 'gaussian', mean: 120, sigma },
          },
        })
          .jpeg({ quality: 90 })
          .toBuffer(),
      ),
    );
  }
  return Promise.all(images.map((b) => sharp(b).resize(1920, 1080, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer()));
}

async function measure(config: RedactionConfig, stills: Buffer[], truth: TruthImage[], runs: number, dir?: string) {
  const r = await createRedactor(config, { dataDir: dir });
  try {
    const timing = await timeRedaction(r.redactor, stills, runs);
    const coverage = truth.length ? await measureCoverage(r.redactor, truth) : undefined;
    return { model: r.detector.model, timing, ...(coverage ? { coverage } : {}) };
  } finally {
    await r.close();
  }
}

export async function benchVision(args: string[], io: CliIo): Promise<0 | 1 | 2 | 78> {
  const { values, positionals } = parse(
    args,
    {
      ...commonOptions,
      truth: { type: 'string' },
      runs: { type: 'string' },
      model: { type: 'string' },
      yunet: { type: 'string' },
      sweep: { type: 'boolean' },
      sizes: { type: 'string' },
      frames: { type: 'string' },
      variants: { type: 'string' },
      media: { type: 'string' },
      out: { type: 'string' },
    },
    BENCH_VISION_USAGE,
    true,
  );
  if (values.sweep) return sweepBench(values, io);
  const runs = Number(values.runs ?? 5);
  if (!Number.isInteger(runs) || runs < 1 || runs > 200) throw new UsageError('--runs must be a whole number 1–200');
  const config = withModel(redactionConfig(values.config, io.env), values.model);
  const dir0 = dataDir(values['data-dir'], io.env);
  const truth = values.truth ? readTruth(resolve(values.truth)) : [];
  const given = positionals.map((f) => readFileSync(f));
  const stills = await to1080p(given.length ? given : truth.map((t) => t.image));
  const say = (line: string) => {
    if (!values.json) io.out(line);
  };
  say(
    `bench vision: ${stills.length} stills at 1920×1080, ${runs} runs each after a warm-up; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'bcrp-bench-'));
  const floors: number[] = [];
  try {
    for (const [i, s] of stills.entries()) {
      const f = join(dir, `still-${i}.jpg`);
      writeFileSync(f, s);
      floors.push(await ffmpegDecodeMs(f));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  floors.sort((a, b) => a - b);
  const ffmpegMs = floors[Math.floor(floors.length / 2)] ?? Number.NaN;

  const main = await measure(config, stills, truth, runs, dir0);
  const yunetPath = values.yunet;
  const yunet = yunetPath ? await measure(withModel(config, yunetPath), stills, truth, runs) : undefined;
  const round = (v: number) => Math.round(v * 100) / 100;
  const result = {
    stills: stills.length,
    files: given.length ? positionals.map((f) => basename(f)) : truth.length ? truth.map((t) => t.file) : 'generated',
    settings: {
      tiles: config.tiles,
      minFacePx: config.minFacePx,
      ...(config.maxFacePx !== undefined ? { maxFacePx: config.maxFacePx } : {}),
      scoreThreshold: config.scoreThreshold,
      margin: config.margin,
      mode: config.mode,
      threads: config.threads,
    },
    loadAverage: loadavg().map((l) => round(l)),
    ffmpegDecodeMs: ffmpegMs,
    main: {
      ...main,
      ratioToFfmpegDecode: {
        decode: round(main.timing.ms.decode.p50 / ffmpegMs),
        total: round(main.timing.ms.total.p50 / ffmpegMs),
      },
    },
    ...(yunet ? { yunet, detectRatioMainToYunet: round(main.timing.ms.detect.p50 / yunet.timing.ms.detect.p50) } : {}),
  };
  if (values.json) {
    printJson(io, result);
    return ExitCode.ok;
  }
  for (const [label, m] of [['main', main], ...(yunet ? [['yunet', yunet] as const] : [])] as const) {
    const ms = m.timing.ms;
    const fmt = (s: { p50: number; p95: number }) => `${s.p50} / ${s.p95}`;
    say(`${label}: model ${m.model.id} (${m.model.sha256.slice(0, 12)}…)   ms p50 / p95`);
    say(
      `  decode ${fmt(ms.decode)}   detect ${fmt(ms.detect)}   redact ${fmt(ms.redact)}   verify ${fmt(ms.verify)}   encode ${fmt(ms.encode)}`,
    );
    say(
      `  detect+redact ${fmt(ms.detectPlusRedact)}   total ${fmt(ms.total)}   CPU ms per still ${fmt(m.timing.cpuMs)}`,
    );
    if (m.coverage) {
      const c = m.coverage;
      say(
        `  coverage faces ≥${c.minSide} px: ${c.large.covered}/${c.large.faces} = ${c.large.ratio}   all faces: ${c.all.covered}/${c.all.faces} = ${c.all.ratio}   extra regions: ${c.extraRegions}`,
      );
      for (const x of c.missed) say(`    missed ${x.file} [${x.box.join(',')}] covered ${x.covered}`);
    }
  }
  say(
    `ffmpeg decode of the same JPEGs: ${ffmpegMs} ms (p50 over stills); sharp decode ${result.main.ratioToFfmpegDecode.decode}×, whole redaction ${result.main.ratioToFfmpegDecode.total}× of it`,
  );
  if (yunet) say(`detect time ${main.model.id} / ${yunet.model.id}: ${result.detectRatioMainToYunet}`);
  say('(timings are noisy on a shared machine; run again when it is quiet)');
  return ExitCode.ok;
}

function list<T extends string | number>(
  text: string | undefined,
  all: readonly T[],
  parse: (s: string) => T,
  flag: string,
): T[] {
  if (text === undefined) return [...all];
  const items = text.split(',').map((s) => parse(s.trim()));
  const bad = items.filter((i) => !all.includes(i));
  if (bad.length) throw new UsageError(`${flag}: ${bad.join(', ')} not in ${all.join(', ')}`);
  return items;
}

/** `bench vision --sweep`: recall of the whole redaction step (detect, redact, verify) over the generated sweep. */
async function sweepBench(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<0 | 1 | 2 | 78> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const sizes = list(str('sizes'), SWEEP_FACE_SIZES, Number, '--sizes');
  const frameNames = SWEEP_FRAMES.map(([w, h]) => `${w}x${h}`);
  const frames = list(str('frames'), frameNames, String, '--frames').map(
    (f) => f.split('x').map(Number) as [number, number],
  );
  const variants = list(str('variants'), SWEEP_VARIANTS, (s) => s as SweepVariant, '--variants');
  const media = str('media') ?? join(process.cwd(), '..', 'shared', 'media');
  const sources = [...(await drawnFaces()), ...(existsSync(join(media, 'faces.json')) ? await mediaFaces(media) : [])];
  const say = (line: string) => {
    if (!values['json']) io.out(line);
  };
  const config = withModel(redactionConfig(str('config'), io.env), str('model'));
  const r = await createRedactor(config, { dataDir: dataDir(str('data-dir'), io.env) });
  say(
    `bench vision --sweep: ${sources.length} faces (${sources.length > 5 ? 'drawn + ../shared/media' : 'drawn only'}), ${sizes.length} sizes × ${frames.length} frames × ${variants.length} variants; model ${r.detector.model.id}${r.detector.degraded ? ' (standing in for the configured yunet)' : ''}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  let refused = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let result: SweepResult;
  try {
    result = await runSweep(
      sources,
      async (image) => {
        try {
          const out = await r.redactor.redact({ image });
          // What was redacted, margins applied: the sweep judges the redaction, not the raw detections.
          return (out.report.boxes?.redacted ?? []).map((box) => ({ box, score: 1 }));
        } catch (e) {
          if ((e as { code?: string }).code !== 'redaction-unverified') throw e;
          // Refused: nothing leaves the shop, so no face in it leaks; counted apart.
          refused++;
          const meta = await sharp(image).metadata();
          return [{ box: [0, 0, meta.width ?? 0, meta.height ?? 0] as Box, score: 1 }];
        }
      },
      { sizes, frames, variants, margin: 1, progress: (l) => say(l) },
    );
  } finally {
    await r.close();
  }
  const cpuS = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
  const summary = {
    model: r.detector.model,
    ...(r.detector.degraded ? { degraded: r.detector.degraded } : {}),
    minFacePx: config.minFacePx,
    planBudget: config.planBudget,
    faces: sources.length,
    sizes,
    frames: frameNames.filter((f) => frames.some(([w, h]) => `${w}x${h}` === f)),
    variants,
    refusedImages: refused,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    cpuSeconds: Math.round(cpuS * 10) / 10,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    ...result,
  };
  const outFile = str('out') ?? join('bench', 'results.json');
  mkdirSync(dirname(resolve(outFile)), { recursive: true });
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(outFile, 'utf8')) as Record<string, unknown>;
  } catch {
    previous = {};
  }
  // One file for every bench area; the sweep keeps one entry per model so doctor can show the running one's.
  const sweeps = { ...((previous['visionSweep'] as Record<string, unknown>) ?? {}), [r.detector.model.id]: summary };
  writeFileSync(outFile, `${JSON.stringify({ ...previous, visionSweep: sweeps }, null, 2)}\n`);
  if (values['json']) {
    printJson(io, summary);
    return ExitCode.ok;
  }
  const cols = summary.frames;
  say(`recall (share of faces fully redacted), face height px × frame, all variants:`);
  say(`${'face px'.padEnd(8)}${cols.map((c) => c.padStart(11)).join('')}`);
  for (const [size, row] of Object.entries(result.bySizeAndFrame))
    say(
      `${size.padEnd(8)}${cols.map((c) => (row[c] === null || row[c] === undefined ? '—' : row[c]!.toFixed(3)).padStart(11)).join('')}`,
    );
  say(
    `by variant: ${Object.entries(result.byVariant)
      .map(([v, x]) => `${v} ${x ?? '—'}`)
      .join('   ')}`,
  );
  say(
    `plain, faces ≥ 20 px, per frame: ${Object.entries(result.plainFrom20)
      .map(([f, x]) => `${f} ${x ?? '—'}`)
      .join('   ')}`,
  );
  say(
    `overall ${result.overall}; ${result.misses.length} faces missed; ${refused} images refused by the verification pass; ${summary.seconds} s, CPU ${summary.cpuSeconds} s; wrote ${outFile}`,
  );
  return ExitCode.ok;
}

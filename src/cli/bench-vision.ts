// `bcrp-edge bench vision`: speed of the redaction step on 1080p stills, its ratio to ffmpeg's decode, BlazeFace
// against YuNet, and coverage of known faces (--truth, the faces.json format).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { ffmpegDecodeMs } from '../adapters/imaging/ffmpeg-decode-floor.js';
import { createRedactor } from '../app/redaction.js';
import { measureCoverage, type TruthImage, timeRedaction } from '../bench/redaction.js';
import type { RedactionConfig } from '../config/schema.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { Box } from '../core/redaction.js';
import { commonOptions, parse } from './args.js';
import { type CliIo, printJson } from './io.js';
import { redactionConfig, withModel } from './redaction-options.js';

export const BENCH_VISION_USAGE =
  'bcrp-edge bench vision [STILL...] [--truth faces.json] [--runs N] [--model blazeface|yunet|PATH] [--yunet PATH] [--json]';

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

async function measure(config: RedactionConfig, stills: Buffer[], truth: TruthImage[], runs: number) {
  const r = await createRedactor(config);
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
    },
    BENCH_VISION_USAGE,
    true,
  );
  const runs = Number(values.runs ?? 5);
  if (!Number.isInteger(runs) || runs < 1 || runs > 200) throw new UsageError('--runs must be a whole number 1–200');
  const config = withModel(redactionConfig(values.config, io.env), values.model);
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

  const main = await measure(config, stills, truth, runs);
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
    say(`  decode ${fmt(ms.decode)}   detect ${fmt(ms.detect)}   redact ${fmt(ms.redact)}   encode ${fmt(ms.encode)}`);
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

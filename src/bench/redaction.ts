// `bench vision` measurements: per-stage times of the redaction step on 1080p stills, the cost relative to
// ffmpeg's own decode of the same JPEG, and coverage of known face boxes. Figures are printed, never asserted.
import { coveredFraction } from '../core/box-geometry.js';
import type { Redactor } from '../core/ports/redactor.js';
import type { Box } from '../core/redaction.js';

export interface Stats {
  p50: number;
  p95: number;
}

export function percentiles(values: readonly number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  const r = (v: number) => Math.round(v * 10) / 10;
  return { p50: r(at(0.5)), p95: r(at(0.95)) };
}

export interface TimingResult {
  stills: number;
  runs: number;
  ms: {
    decode: Stats;
    detect: Stats;
    redact: Stats;
    /** The redaction certificate: decode of the output and two more detections. */
    verify: Stats;
    encode: Stats;
    total: Stats;
    /** Detection, redaction and its verification: everything between a decoded still and its JPEG. */
    detectPlusRedact: Stats;
  };
  /** CPU time (user + system, all threads) per still: less disturbed than wall time when others share the CPU. */
  cpuMs: Stats;
}

/** Runs every still `runs` times (after one warm-up each) and gives p50/p95 per stage. */
export async function timeRedaction(
  redactor: Redactor,
  stills: readonly Buffer[],
  runs: number,
): Promise<TimingResult> {
  const t = {
    decode: [] as number[],
    detect: [] as number[],
    redact: [] as number[],
    verify: [] as number[],
    encode: [] as number[],
  };
  const total: number[] = [];
  const dr: number[] = [];
  const cpu: number[] = [];
  for (const still of stills) {
    await redactor.redact({ image: still });
    for (let i = 0; i < runs; i++) {
      const before = process.cpuUsage();
      const m = (await redactor.redact({ image: still })).report.timingsMs;
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
      t.decode.push(m.decode);
      t.detect.push(m.detect);
      t.redact.push(m.redact);
      t.encode.push(m.encode);
      t.verify.push(m.verify ?? 0);
      total.push(m.decode + m.detect + m.redact + (m.verify ?? 0) + m.encode);
      dr.push(m.detect + m.redact + (m.verify ?? 0));
    }
  }
  return {
    stills: stills.length,
    runs,
    ms: {
      decode: percentiles(t.decode),
      detect: percentiles(t.detect),
      redact: percentiles(t.redact),
      verify: percentiles(t.verify),
      encode: percentiles(t.encode),
      total: percentiles(total),
      detectPlusRedact: percentiles(dr),
    },
    cpuMs: percentiles(cpu),
  };
}

export interface TruthImage {
  file: string;
  image: Buffer;
  boxes: Box[];
}

export interface CoverageResult {
  /** Faces at least this many pixels on their shorter side count in `large`. */
  minSide: number;
  large: { covered: number; faces: number; ratio: number };
  all: { covered: number; faces: number; ratio: number };
  /** Redacted regions that overlap no true face: harmless to privacy, but they hide context. */
  extraRegions: number;
  missed: { file: string; box: Box; covered: number }[];
}

/** A true face counts as covered when at least 90 % of its box lies inside redacted pixels. */
export async function measureCoverage(
  redactor: Redactor,
  truth: readonly TruthImage[],
  minSide = 24,
): Promise<CoverageResult> {
  let covered = 0;
  let faces = 0;
  let coveredLarge = 0;
  let facesLarge = 0;
  let extraRegions = 0;
  const missed: CoverageResult['missed'] = [];
  for (const t of truth) {
    const regions = (await redactor.redact({ image: t.image })).report.boxes?.redacted ?? [];
    for (const box of t.boxes) {
      const f = coveredFraction(box, regions);
      const ok = f >= 0.9;
      const large = Math.min(box[2], box[3]) >= minSide;
      faces++;
      if (ok) covered++;
      if (large) {
        facesLarge++;
        if (ok) coveredLarge++;
      }
      if (!ok) missed.push({ file: t.file, box, covered: Math.round(f * 100) / 100 });
    }
    extraRegions += regions.filter((r) => !t.boxes.some((b) => coveredFraction(b, [r]) > 0.2)).length;
  }
  const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 1000 : Number.NaN);
  return {
    minSide,
    large: { covered: coveredLarge, faces: facesLarge, ratio: ratio(coveredLarge, facesLarge) },
    all: { covered, faces, ratio: ratio(covered, faces) },
    extraRegions,
    missed,
  };
}

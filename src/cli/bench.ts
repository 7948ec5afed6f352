// `bcrp-edge bench AREA`: each area (vision, capture, publish, …) measures itself in its own module; this file
// only dispatches on the first word.
import { UsageError } from '../core/errors.js';
import { BENCH_ALL_USAGE, benchAll } from './bench-all.js';
import { benchCapture, benchCaptureCommand } from './bench-capture.js';
import { BENCH_CLIP_USAGE, benchClip } from './bench-clip.js';
import { BENCH_EVIDENCE_USAGE, benchEvidence } from './bench-evidence.js';
import { BENCH_HUB_USAGE, benchHubCommand } from './bench-hub.js';
import { BENCH_HUB_RETENTION_USAGE, benchHubRetention } from './bench-hub-retention.js';
import { BENCH_IDLE_USAGE, benchIdle } from './bench-idle.js';
import { benchPublishCommand } from './bench-publish.js';
import { BENCH_VISION_USAGE, benchVision } from './bench-vision.js';
import type { CliIo, Command } from './io.js';

type BenchRun = (args: string[], io: CliIo) => Promise<0 | 1 | 2 | 78>;

const AREAS: Record<string, { summary: string; usage: string; run: BenchRun }> = {
  vision: { summary: 'face detection and redaction per 1080p still', usage: BENCH_VISION_USAGE, run: benchVision },
  clip: {
    summary: 'redacted clip of a 10 s 1080p video: time vs real time and vs ffmpeg alone, CPU, peak RSS',
    usage: BENCH_CLIP_USAGE,
    run: benchClip,
  },
  capture: { summary: benchCaptureCommand.summary, usage: benchCaptureCommand.usage, run: benchCapture },
  publish: {
    summary: benchPublishCommand.summary,
    usage: benchPublishCommand.usage,
    run: (args, io) => (benchPublishCommand.run as BenchRun).call(benchPublishCommand, args, io),
  },
  hub: {
    summary: 'reference hub packets/s and publish→ack latency, 1 vs W workers, SQLite or PostgreSQL',
    usage: BENCH_HUB_USAGE,
    run: benchHubCommand,
  },
  'hub-retention': {
    summary: 'hub retention computed and applied over N packets linked to subjects, SQLite or PostgreSQL',
    usage: BENCH_HUB_RETENTION_USAGE,
    run: benchHubRetention,
  },
  evidence: {
    summary: 'police master: acquisition time and peak RSS for a window of footage, and the police export',
    usage: BENCH_EVIDENCE_USAGE,
    run: benchEvidence,
  },
  idle: { summary: 'RSS and CPU of `bcrp-edge run` doing nothing', usage: BENCH_IDLE_USAGE, run: benchIdle },
  all: {
    summary: 'every area above; writes bench/results.json and bench/results.md',
    usage: BENCH_ALL_USAGE,
    run: (args, io) => benchAll(AREAS, args, io),
  },
};

export const bench: Command = {
  name: 'bench',
  summary: 'measure speed and accuracy (bench vision, …)',
  usage: Object.values(AREAS)
    .map((a) => a.usage)
    .join('\n       '),
  async run(args, io) {
    const [area, ...rest] = args;
    const entry = area === undefined ? undefined : AREAS[area];
    if (!entry)
      throw new UsageError(
        `${area === undefined ? 'which benchmark?' : `unknown benchmark '${area}'`} Choose one of:\n${Object.entries(
          AREAS,
        )
          .map(([k, v]) => `  ${k}  ${v.summary}`)
          .join('\n')}`,
      );
    return entry.run(rest, io);
  },
};

// `bcrp-edge redact-clip IN -o OUT.mp4`: one video through the clip maker (track, fill all but the subject,
// encode, verify), for scripts and the hub team; prints what it did.
import { resolve } from 'node:path';
import { FfmpegVideo } from '../adapters/ffmpeg/raw-video.js';
import { createDetectorFromConfig } from '../app/redaction.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { Box } from '../core/redaction.js';
import { ClipMaker, type ExtraBox, type SubjectPick } from '../services/clips/clip-maker.js';
import { commonOptions, parse } from './args.js';
import { type Command, printJson } from './io.js';
import { parseBox, redactionConfig, withModel } from './redaction-options.js';

const USAGE =
  'bcrp-edge redact-clip IN -o OUT.mp4 [--keep x,y,w,h@SECONDS]... [--extra x,y,w,h@FROM-TO]... [--from SECONDS] [--duration SECONDS] [--fps N] [--max-side PX] [--model blazeface|yunet|PATH] [--json]  (boxes in pixels of the output clip)';

function number(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`${flag} ${text}: give a number from ${min} to ${max}`);
  return n;
}

export function parseKeep(text: string): SubjectPick {
  const [box, at] = text.split('@');
  const atSeconds = Number(at);
  if (box === undefined || at === undefined || !Number.isFinite(atSeconds) || atSeconds < 0)
    throw new UsageError(`--keep ${text}: expected x,y,w,h@SECONDS, e.g. --keep 400,120,80,100@2.5`);
  return { box: parseBox(box, '--keep'), atSeconds };
}

export function parseExtra(text: string): ExtraBox {
  const m = /^([^@]+)@([\d.]+)-([\d.]+)$/.exec(text);
  const from = Number(m?.[2]);
  const to = Number(m?.[3]);
  if (!m || !Number.isFinite(from) || !Number.isFinite(to) || to < from)
    throw new UsageError(`--extra ${text}: expected x,y,w,h@FROM-TO in seconds, e.g. --extra 10,10,200,80@0-3.5`);
  return { box: parseBox(m[1]!, '--extra') as Box, fromSeconds: from, toSeconds: to };
}

export const redactClip: Command = {
  name: 'redact-clip',
  summary: 'make a redacted clip of a video: every face filled except the kept subject',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      {
        ...commonOptions,
        out: { type: 'string', short: 'o' },
        keep: { type: 'string', multiple: true },
        extra: { type: 'string', multiple: true },
        from: { type: 'string' },
        duration: { type: 'string' },
        fps: { type: 'string' },
        'max-side': { type: 'string' },
        model: { type: 'string' },
      },
      USAGE,
      true,
    );
    const input = positionals[0];
    if (!input || positionals.length > 1) throw new UsageError(`give exactly one input video\nusage: ${USAGE}`);
    if (!values.out) throw new UsageError(`-o OUT.mp4 is required\nusage: ${USAGE}`);
    if (resolve(values.out) === resolve(input)) throw new UsageError('-o OUT must not be the input file');
    const picks = (values.keep ?? []).map(parseKeep);
    const extra = (values.extra ?? []).map(parseExtra);
    const fps = number(values.fps, '--fps', 1, 30);
    const maxSide = number(values['max-side'], '--max-side', 160, 3840);
    const from = number(values.from, '--from', 0, 86_400);
    const duration = number(values.duration, '--duration', 0.5, 30) ?? 30;
    const detector = await createDetectorFromConfig(withModel(redactionConfig(values.config, io.env), values.model));
    try {
      const maker = new ClipMaker({
        video: new FfmpegVideo(),
        detector,
        settings: { ...(fps ? { fps } : {}), ...(maxSide ? { maxSide } : {}) },
      });
      const source = {
        input: { kind: 'file' as const, path: input },
        durationSeconds: duration,
        ...(from ? { startSeconds: from } : {}),
      };
      const analysis = await maker.analyse(source);
      const made = await maker.make(analysis, source, values.out, { picks, extra });
      const r = made.render;
      const report = {
        file: input,
        output: values.out,
        frames: r.frames,
        width: r.width,
        height: r.height,
        fps: r.fps,
        durationSeconds: r.durationSeconds,
        bytes: r.bytes,
        detectorRuns: analysis.detections,
        facesTracked: r.tracks,
        tracksFilled: r.filledTracks,
        boxesFilled: r.filledBoxes,
        extraBoxes: r.extraBoxes,
        subject: r.subject,
        verification: {
          passed: made.verify.passed,
          facesFound: made.verify.facesFound,
          repairedFaces: made.repaired,
        },
        model: analysis.model,
        timingsMs: { analyse: analysis.timingsMs, render: r.timingsMs, verify: made.verify.timingsMs },
      };
      if (values.json) printJson(io, report);
      else {
        const s = r.subject;
        io.out(
          `wrote ${values.out} (${r.width}×${r.height}, ${r.frames} frames at ${r.fps} fps, ${r.bytes} bytes): ${r.tracks} faces tracked, ${r.filledTracks} filled; verification passed${made.repaired ? ` after filling ${made.repaired} more face box(es)` : ''}`,
        );
        if (s)
          io.out(
            `subject: track(s) ${s.tracks.join(', ')} on ${s.frames} of ${r.frames} frames${s.lost.length ? `; lost on frames ${s.lost.map(([a, b]) => (a === b ? a : `${a}–${b}`)).join(', ')}` : ''}${s.candidates.length ? `; maybe found again (confirm with --keep): ${s.candidates.map((c) => `${c.box.map(Math.round).join(',')}@${(c.frame / r.fps).toFixed(2)}`).join(' ')}` : ''}`,
          );
      }
      return ExitCode.ok;
    } finally {
      await detector.close();
    }
  },
};

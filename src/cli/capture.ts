// `bcrp-edge capture`: pull stills for a camera through the configured recorder (a real incident: audited,
// stored encrypted), or — for installers checking a stream — grab frames from any RTSP URL into a folder.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectRecorder } from '../adapters/nvr/connect.js';
import { RtspFrameSource } from '../adapters/nvr/rtsp-frame-source.js';
import { createCaptureService } from '../app/capture.js';
import { createApp } from '../app/create-app.js';
import { configPath, dataDir, loadConfigFile } from '../config/load.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { scrubCredentials } from '../core/secrets.js';
import { silentLogger } from '../observability/logger.js';
import { commonOptions, parse, requireIso } from './args.js';
import { type CliIo, type Command, printJson } from './io.js';
import { openState, type State } from './state.js';

const usage =
  'bcrp-edge capture --camera N [--at ISO] [--pre S] [--post S] [--count N] [--json] [--config FILE] [--data-dir DIR]\n' +
  '       bcrp-edge capture --rtsp URL --count N -o DIR --reason TEXT [--actor NAME] [--interval MS] [--timeout MS] [--data-dir DIR] [--json]';

function int(v: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

function num(v: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} must be a number from ${min} to ${max}`);
  return n;
}

export const capture: Command = {
  name: 'capture',
  summary: 'pull stills from the NVR or an RTSP stream',
  usage,
  async run(args, io) {
    const { values } = parse(
      args,
      {
        ...commonOptions,
        camera: { type: 'string' },
        at: { type: 'string' },
        pre: { type: 'string' },
        post: { type: 'string' },
        count: { type: 'string', short: 'n' },
        rtsp: { type: 'string' },
        out: { type: 'string', short: 'o' },
        interval: { type: 'string' },
        timeout: { type: 'string' },
        reason: { type: 'string' },
        actor: { type: 'string' },
      },
      usage,
    );
    const count = int(values.count, '--count', 1, 100);
    if (values.rtsp !== undefined) {
      if (values.camera !== undefined) throw new UsageError(`use either --rtsp or --camera, not both\nusage: ${usage}`);
      if (!values.out) throw new UsageError(`--rtsp needs -o DIR for the frames\nusage: ${usage}`);
      // Unredacted frames written to a folder: allowed only with a recorded reason, in the appliance's audit log.
      if (!values.reason?.trim())
        throw new UsageError(
          `--rtsp writes unredacted frames, so it is audited: say why with --reason TEXT\nusage: ${usage}`,
        );
      return captureRtsp(io, {
        reason: values.reason.trim().slice(0, 500),
        actor: values.actor ?? 'cli',
        dataDir: values['data-dir'],
        url: values.rtsp,
        count: count ?? 1,
        dir: values.out,
        intervalMs: int(values.interval, '--interval', 0, 60_000) ?? 0,
        timeoutMs: int(values.timeout, '--timeout', 500, 120_000) ?? 10_000,
        json: values.json === true,
      });
    }
    const camera = int(values.camera, '--camera', 1, 256);
    if (camera === undefined) throw new UsageError(`--camera N or --rtsp URL is required\nusage: ${usage}`);
    const at = requireIso(values.at, '--at');
    const loaded = loadConfigFile(configPath(values.config, io.env));
    if (!loaded.config.nvr.channels.some((c) => c.id === camera && c.enabled)) {
      throw new UsageError(`camera ${camera} is not an enabled camera in nvr.channels of ${loaded.file}`);
    }
    const app = createApp({ loaded, dataDir: dataDir(values['data-dir'], io.env), log: silentLogger() });
    const recorder = connectRecorder(loaded);
    const t0 = performance.now();
    const stillMs: number[] = [];
    const problems: string[] = [];
    try {
      const pre = num(values.pre, '--pre', 0, 120);
      const post = num(values.post, '--post', 0, 60);
      const { service } = createCaptureService(
        app,
        recorder.frames,
        {
          ...(pre !== undefined ? { preSeconds: pre } : {}),
          ...(post !== undefined ? { postSeconds: post } : {}),
          ...(count !== undefined ? { stills: count } : {}),
        },
        {
          onStill: () => stillMs.push(Math.round(performance.now() - t0)),
          onProblem: (_id, m) => problems.push(m),
        },
      );
      const incident = service.trigger({ camera, source: 'cli', actor: 'cli', ...(at ? { at } : {}) });
      const triggerMs = Math.round((performance.now() - t0) * 10) / 10;
      await service.whenIdle();
      const { incidents } = createCaptureService(app, recorder.frames);
      const done = incidents.get(incident.id)!;
      const stills = incidents.stills(incident.id, 'original');
      const result = {
        incident: done.id,
        camera,
        triggerTime: done.triggerTime,
        status: done.status,
        reason: done.statusReason,
        triggerMs,
        firstStillMs: stillMs[0] ?? null,
        allStillsMs: stillMs.length ? stillMs[stillMs.length - 1] : null,
        stills: stills.map((s) => ({
          id: s.id,
          origin: s.origin,
          capturedAt: s.capturedAt,
          width: s.width,
          height: s.height,
          bytes: s.bytes,
          sha256: s.sha256,
        })),
        problems,
      };
      if (values.json) printJson(io, result);
      else {
        io.out(`incident ${done.id}: ${done.status}${done.statusReason ? ` (${done.statusReason})` : ''}`);
        io.out(
          `  trigger recorded in ${triggerMs} ms; first still ${result.firstStillMs ?? '-'} ms, all ${result.allStillsMs ?? '-'} ms`,
        );
        for (const s of result.stills)
          io.out(`  ${s.capturedAt}  ${s.origin}  ${s.width}x${s.height}  ${s.bytes} bytes (stored encrypted)`);
        for (const p of problems) io.err(`  problem: ${p}`);
      }
      return done.status === 'captured' ? ExitCode.ok : ExitCode.failure;
    } finally {
      await recorder.close();
      app.db.close();
    }
  },
};

async function captureRtsp(
  io: CliIo,
  o: {
    url: string;
    count: number;
    dir: string;
    intervalMs: number;
    timeoutMs: number;
    json: boolean;
    reason: string;
    actor: string;
    dataDir: string | undefined;
  },
): Promise<ExitCode> {
  if (!/^rtsps?:\/\//i.test(o.url))
    throw new UsageError(`--rtsp must be an rtsp:// URL, got "${scrubCredentials(o.url).slice(0, 80)}"`);
  // Opened first: without a store to audit in, no frame is written.
  const state = openState(o.dataDir, io.env);
  try {
    return await captureRtspAudited(io, o, state);
  } finally {
    state.close();
  }
}

async function captureRtspAudited(io: CliIo, o: Parameters<typeof captureRtsp>[1], state: State): Promise<ExitCode> {
  const dir = resolve(o.dir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new AppError('capture-output', `cannot create ${dir}: ${(e as NodeJS.ErrnoException).code}`);
  }
  const t0 = performance.now();
  const files: { path: string; ms: number; bytes: number; sha256: string }[] = [];
  const source = new RtspFrameSource(o.url, { stallMs: o.timeoutMs });
  await source.live(1, o.count, o.intervalMs, (f) => {
    const path = join(dir, `frame-${String(files.length + 1).padStart(3, '0')}.jpg`);
    writeFileSync(path, f.jpeg, { mode: 0o600 });
    files.push({
      path,
      ms: Math.round(performance.now() - t0),
      bytes: f.jpeg.length,
      sha256: createHash('sha256').update(f.jpeg).digest('hex'),
    });
  });
  state.audit.append({
    actor: o.actor,
    action: 'capture',
    subject: `rtsp:${dir}`,
    details: {
      origin: 'rtsp-diagnostic',
      unredacted: true,
      url: scrubCredentials(o.url),
      dir,
      reason: o.reason,
      frames: files.map((f) => ({ file: f.path, sha256: f.sha256, bytes: f.bytes })),
    },
  });
  if (o.json)
    printJson(io, {
      url: scrubCredentials(o.url),
      frames: files,
      firstFrameMs: files[0]?.ms ?? null,
      totalMs: Math.round(performance.now() - t0),
    });
  else {
    for (const f of files) io.out(`${f.path}  ${f.ms} ms  ${f.bytes} bytes`);
    io.out(
      `${files.length} frame${files.length === 1 ? '' : 's'} from ${scrubCredentials(o.url)} in ${Math.round(performance.now() - t0)} ms`,
    );
  }
  return ExitCode.ok;
}

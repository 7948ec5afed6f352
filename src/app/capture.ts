// Wires the capture path from configuration: the recorder's FrameSource (Hikvision ISAPI + RTSP, or ONVIF) and
// the capture service over the store. Used by `run`, `capture` and the capture benchmark.
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { PreRollFrameSource, PreRollRecorder } from '../adapters/ffmpeg/pre-roll.js';
import { IsapiClient } from '../adapters/nvr/isapi/client.js';
import { HikvisionFrameSource } from '../adapters/nvr/isapi/hikvision-frame-source.js';
import { OnvifFrameSource } from '../adapters/nvr/onvif/onvif-frame-source.js';
import { SqliteIncidents } from '../adapters/store/incidents.js';
import type { LoadedConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type { FrameSource } from '../core/ports/frame-source.js';
import { CaptureService } from '../services/capture/capture-service.js';
import type { App } from './create-app.js';
import type { Module } from './lifecycle.js';

export interface RecorderConnection {
  frames: FrameSource;
  isapi: IsapiClient | undefined;
  /** Pre-roll buffers per camera (empty unless capture.preRoll.enabled and withPreRoll); started by captureModule. */
  preRolls: PreRollRecorder[];
  close(): Promise<void>;
}

export function connectRecorder(
  loaded: LoadedConfig,
  onLog?: (line: string) => void,
  options: { withPreRoll?: boolean; clock?: Clock } = {},
): RecorderConnection {
  const { nvr, capture } = loaded.config;
  const password = loaded.secrets.nvrPassword;
  if (password === undefined)
    throw new ConfigError(loaded.file, [{ path: '/nvr/passwordFile', message: 'the NVR password is missing' }]);
  if (nvr.kind === 'onvif') {
    const frames = new OnvifFrameSource({
      host: nvr.host,
      port: nvr.port,
      username: nvr.username,
      password,
      timeoutMs: nvr.timeoutMs,
      stallMs: capture.frameTimeoutMs,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return { frames, isapi: undefined, preRolls: [], close: async () => {} };
  }
  const isapi = new IsapiClient({
    scheme: nvr.scheme,
    host: nvr.host,
    port: nvr.port,
    username: nvr.username,
    password,
    timeoutMs: nvr.timeoutMs,
    ...(nvr.tlsFingerprint ? { tlsFingerprint: nvr.tlsFingerprint } : {}),
  });
  const frames = new HikvisionFrameSource(isapi, {
    host: nvr.host,
    rtspPort: nvr.rtspPort,
    username: nvr.username,
    password,
    stallMs: capture.frameTimeoutMs,
    ...(onLog ? { onLog } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const pr = capture.preRoll;
  const buffers = new Map<number, PreRollRecorder>();
  if (pr.enabled && options.withPreRoll) {
    const auth = `${encodeURIComponent(nvr.username)}:${encodeURIComponent(password)}`;
    for (const ch of nvr.channels.filter((c) => c.enabled)) {
      buffers.set(
        ch.id,
        new PreRollRecorder({
          url: `rtsp://${auth}@${nvr.host}:${nvr.rtspPort}/Streaming/Channels/${ch.id}01`,
          dir: join(pr.dir, `camera-${ch.id}`),
          seconds: pr.seconds,
          ...(onLog ? { onLog } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
        }),
      );
    }
  }
  return {
    frames: buffers.size ? new PreRollFrameSource(frames, buffers) : frames,
    isapi,
    preRolls: [...buffers.values()],
    close: async () => {
      await Promise.all([...buffers.values()].map((b) => b.stop()));
      await isapi.close();
    },
  };
}

export function createCaptureService(
  app: Pick<App, 'config' | 'db' | 'audit' | 'files' | 'clock' | 'ids'> & Partial<Pick<App, 'dataDir'>>,
  frames: FrameSource,
  overrides: Partial<{ preSeconds: number; postSeconds: number; stills: number }> = {},
  hooks: Pick<ConstructorParameters<typeof CaptureService>[0], 'onStill' | 'onProblem'> = {},
): { service: CaptureService; incidents: SqliteIncidents } {
  const incidents = new SqliteIncidents(app.db, { clock: app.clock, ids: app.ids });
  const c = app.config.capture;
  const service = new CaptureService({
    incidents,
    retries: incidents,
    audit: app.audit,
    files: app.files,
    frames,
    clock: app.clock,
    ids: app.ids,
    siteId: app.config.site.id,
    settings: {
      preSeconds: overrides.preSeconds ?? c.preSeconds,
      postSeconds: overrides.postSeconds ?? c.postSeconds,
      stills: overrides.stills ?? c.stills,
      retryMinutes: c.retryMinutes,
      nvrRetentionDays: app.config.retention.originalsDays,
    },
    ...(app.dataDir === undefined
      ? {}
      : { diskFreeBytes: () => freeBytes(app.dataDir!), minFreeBytes: c.minFreeMb * 1_000_000 }),
    ...hooks,
  });
  return { service, incidents };
}

/** The capture service as a lifecycle Module: checks for due retries every 30 s, waits for captures on stop. */
export function captureModule(service: CaptureService, recorder: RecorderConnection): Module {
  return {
    name: 'capture',
    start: async () => {
      for (const b of recorder.preRolls) b.start();
      service.start(30_000);
    },
    stop: async () => {
      await service.stop();
      await recorder.close();
    },
  };
}

/** Free bytes for an unprivileged writer on the disk holding `dir`; null when it cannot be read. */
function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

// Wires the capture path from configuration: the recorder's FrameSource (Hikvision ISAPI + RTSP, or ONVIF) and
// the capture service over the store. Used by `run`, `capture` and the capture benchmark.
import { IsapiClient } from '../adapters/nvr/isapi/client.js';
import { HikvisionFrameSource } from '../adapters/nvr/isapi/hikvision-frame-source.js';
import { OnvifFrameSource } from '../adapters/nvr/onvif/onvif-frame-source.js';
import { SqliteIncidents } from '../adapters/store/incidents.js';
import type { LoadedConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import type { FrameSource } from '../core/ports/frame-source.js';
import { CaptureService } from '../services/capture/capture-service.js';
import type { App } from './create-app.js';
import type { Module } from './lifecycle.js';

export interface RecorderConnection {
  frames: FrameSource;
  isapi: IsapiClient | undefined;
  close(): Promise<void>;
}

export function connectRecorder(loaded: LoadedConfig, onLog?: (line: string) => void): RecorderConnection {
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
    });
    return { frames, isapi: undefined, close: async () => {} };
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
  });
  return { frames, isapi, close: () => isapi.close() };
}

export function createCaptureService(
  app: Pick<App, 'config' | 'db' | 'audit' | 'files' | 'clock' | 'ids'>,
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
    ...hooks,
  });
  return { service, incidents };
}

/** The capture service as a lifecycle Module: checks for due retries every 30 s, waits for captures on stop. */
export function captureModule(service: CaptureService, recorder: RecorderConnection): Module {
  return {
    name: 'capture',
    start: async () => service.start(30_000),
    stop: async () => {
      await service.stop();
      await recorder.close();
    },
  };
}

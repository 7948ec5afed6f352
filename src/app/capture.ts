// Wires the capture service over the store from configuration (the recorder comes from adapters/nvr/connect.ts).
// Used by `run` and `capture`.
import { statfsSync } from 'node:fs';
import type { RecorderConnection } from '../adapters/nvr/connect.js';
import { SqliteIncidents } from '../adapters/store/incidents.js';
import { SqliteRecorderClockLog } from '../adapters/store/recorder-clock-log.js';
import type { FrameSource } from '../core/ports/frame-source.js';
import { CaptureService } from '../services/capture/capture-service.js';
import type { App } from './create-app.js';
import type { Module } from './lifecycle.js';

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
    clockLog: new SqliteRecorderClockLog(app.db),
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

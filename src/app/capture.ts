// Wires the capture service over the store from configuration (the recorder comes from adapters/nvr/connect.ts),
// and the incident desk that follows it on the bus. Used by `run` and `capture`.
import { statfsSync } from 'node:fs';
import type { RecorderConnection } from '../adapters/nvr/connect.js';
import { SqliteIncidents } from '../adapters/store/incidents.js';
import { SqliteRecorderClockLog } from '../adapters/store/recorder-clock-log.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteStillChecks } from '../adapters/store/sqlite-still-checks.js';
import type { FrameSource } from '../core/ports/frame-source.js';
import type { Redactor } from '../core/ports/redactor.js';
import type { Metrics } from '../observability/metrics.js';
import { CaptureService } from '../services/capture/capture-service.js';
import { IncidentDesk } from '../services/capture/incident-desk.js';
import type { App } from './create-app.js';
import type { Module } from './lifecycle.js';

export function createCaptureService(
  app: Pick<App, 'config' | 'db' | 'audit' | 'files' | 'clock' | 'ids'> & Partial<Pick<App, 'dataDir' | 'bus'>>,
  frames: FrameSource,
  overrides: Partial<{ preSeconds: number; postSeconds: number; stills: number }> = {},
  hooks: Pick<ConstructorParameters<typeof CaptureService>[0], 'onStill' | 'onProblem'> = {},
): { service: CaptureService; incidents: SqliteIncidents } {
  const incidents = new SqliteIncidents(app.db, { clock: app.clock, ids: app.ids, audit: app.audit });
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
    ...(app.bus ? { events: app.bus } : {}),
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

/** The incident desk as a lifecycle Module: it follows the capture events on the app's bus and checks the faces. */
export function incidentDeskModule(
  app: App,
  p: { capture: CaptureService; incidents: SqliteIncidents; redactor: Redactor; metrics: Metrics },
): IncidentDesk {
  return new IncidentDesk({
    holds: new SqliteHolds(app.db),
    incidents: p.incidents,
    capture: p.capture,
    files: app.files,
    redactor: p.redactor,
    checks: new SqliteStillChecks(app.db, app.files, { ids: app.ids, clock: app.clock }),
    clock: app.clock,
    events: app.bus,
    cameras: app.config.nvr.channels.map((c) => ({ id: c.id, name: c.name, enabled: c.enabled })),
    stillsExpected: app.config.capture.stills,
    onDetect: (s) => p.metrics.redactionSeconds.observe({ step: 'detect' }, s),
    onTrigger: (r) => p.metrics.captures.inc({ source: r.source }),
  });
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

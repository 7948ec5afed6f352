// Wires the recorder's part of the appliance: the connection to the NVR (with the refused-password episode on the
// status strip, in the log and in the audit chain), capture, the incident desk, the recorder health probe, and the
// alarm inputs/outputs an nvr-io button uses. Without an NVR password none of it starts.
import { connectRecorder, type RecorderConnection } from '../adapters/nvr/connect.js';
import { IsapiAlarmOutputs, isapiAlarmEvents } from '../adapters/nvr/isapi/alarm-events.js';
import { RecorderHealth } from '../adapters/nvr/recorder-health.js';
import type { SqliteIncidents } from '../adapters/store/incidents.js';
import type { AlarmEvents, AlarmOutputs } from '../core/ports/alarm-events.js';
import type { FrameSource } from '../core/ports/frame-source.js';
import type { Redactor } from '../core/ports/redactor.js';
import type { IncidentDesk } from '../services/capture/incident-desk.js';
import { captureModule, createCaptureService, incidentDeskModule } from './capture.js';
import type { Wiring } from './wiring.js';

/** What the buttons, the status strip and the installer page use of the recorder's part. */
export interface RecorderPart {
  desk: IncidentDesk;
  health: RecorderHealth;
  snapshot: (camera: number) => Promise<Buffer>;
  alarmEvents?: () => AlarmEvents;
  alarmOutputs?: AlarmOutputs;
  /** The connection itself, for features that ask the recorder for more than stills (the police master). */
  connection: RecorderConnection;
  /** For features that read the incident window themselves (clips). */
  frames: FrameSource;
  incidents: SqliteIncidents;
}

export function addRecorder(w: Wiring, redactor: Redactor): RecorderPart | undefined {
  const { app, loaded, metrics } = w;
  if (loaded.secrets.nvrPassword === undefined) {
    w.skip('capture (no NVR password configured)');
    return undefined;
  }
  const { config, log } = app;
  let health: RecorderHealth | undefined;
  // A refused password stops every request to the recorder until a slow retry (the recorder would lock the user
  // out otherwise): say so on the status strip, in the log and once per episode in the audit chain.
  const recorder = connectRecorder(loaded, (line) => log.debug({ module: 'capture' }, line), {
    withPreRoll: true,
    clock: app.clock,
    onLoginRefused: (r) => {
      const first = health?.loginRefused === undefined;
      if (health) health.loginRefused = r;
      log.warn({ module: 'capture' }, `${r.message}; next try at ${r.until.toISOString()}`);
      if (first)
        app.audit.append({
          actor: 'system',
          action: 'nvr-login-refused',
          subject: `nvr:${config.nvr.host}`,
          details: { locked: r.locked, nextTry: r.until.toISOString(), attempts: r.attempts },
        });
    },
    onLoginRestored: () => {
      if (health) health.loginRefused = undefined;
      log.info({ module: 'capture' }, 'the recorder accepts the password again');
    },
  });
  const { service, incidents } = createCaptureService(app, recorder.frames);
  app.lifecycle.add(captureModule(service, recorder));
  const desk = incidentDeskModule(app, { capture: service, incidents, redactor, metrics });
  app.lifecycle.add(desk);
  const isapi = recorder.isapi;
  health = new RecorderHealth({
    isapi,
    frames: recorder.frames,
    camera: config.nvr.channels.find((c) => c.enabled)?.id ?? 1,
    onProbe: (up) => metrics.nvrUp.set(up ? 1 : 0),
  });
  return {
    desk,
    health,
    frames: recorder.frames,
    incidents,
    snapshot: async (camera) => (await recorder.frames.snapshot(camera)).jpeg,
    connection: recorder,
    // An nvr-io button follows the recorder's alarm inputs (ISAPI alertStream); an ONVIF recorder has none here.
    ...(isapi ? { alarmEvents: isapiAlarmEvents(isapi), alarmOutputs: new IsapiAlarmOutputs(isapi) } : {}),
  };
}

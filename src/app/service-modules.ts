// The appliance's feature modules in start order after the store: redaction, capture with the incident desk,
// publishing, retention, buttons and the web UI. Each is a named module built from its own file; they share one
// metrics registry and talk through the app's bus (incident events), not through each other's tables. A part is
// wired when its configuration is present, so a half-configured appliance still starts and says what it left out.
import { readFileSync } from 'node:fs';
import { JoseSigner } from '../adapters/crypto/checkpoint-signer.js';
import { connectRecorder } from '../adapters/nvr/connect.js';
import { IsapiAlarmOutputs, isapiAlarmEvents } from '../adapters/nvr/isapi/alarm-events.js';
import { RecorderHealth } from '../adapters/nvr/recorder-health.js';
import { runNvrSelfTest } from '../adapters/nvr/self-test.js';
import { SqliteRecorderClockLog } from '../adapters/store/recorder-clock-log.js';
import { SqliteDrafts } from '../adapters/store/sqlite-drafts.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteOriginals } from '../adapters/store/sqlite-originals.js';
import type { LoadedConfig } from '../config/load.js';
import type { TriggerSource } from '../core/incident.js';
import type { AlarmEvents, AlarmOutputs } from '../core/ports/alarm-events.js';
import type { Redactor } from '../core/ports/redactor.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { ApplianceStatusService } from '../services/appliance-status.js';
import type { IncidentDesk } from '../services/capture/incident-desk.js';
import { HoldService } from '../services/holds/holds.js';
import { ApplianceChecks } from '../services/installer-checks.js';
import { OutboxDispatcher } from '../services/publish/outbox-dispatcher.js';
import { ReviewDesk } from '../services/review-desk.js';
import { DisclosureService } from '../services/sar/sar-export.js';
import { SubjectAccessDesk } from '../services/sar/subject-access-desk.js';
import { webModule } from '../web/server.js';
import { foundationWebDeps } from '../web/wire.js';
import { buttonsModule } from './buttons-module.js';
import { captureModule, createCaptureService, incidentDeskModule } from './capture.js';
import type { App } from './create-app.js';
import { createPublishModule, type PublishDeps, type PublishModule } from './publish-module.js';
import { redactionModule } from './redaction.js';
import { retentionModules } from './retention-modules.js';

export interface ServiceOptions {
  version: string;
  /** Web TLS; defaults to web.tlsCert/web.tlsKey from the config. Without either the web UI is not started. */
  tls?: { cert: Buffer | string; key: Buffer | string; certPath?: string };
  /** Overrides web.port (0 = a free port). */
  webPort?: number;
  onWebReady?: (url: string) => void;
  publishTuning?: PublishDeps['tuning'];
}

export interface Services {
  metrics: Metrics;
  redactor: Redactor;
  desk: IncidentDesk | undefined;
  publish: PublishModule | undefined;
  /** What was left out and why (logged at start). */
  skipped: string[];
}

/** The recorder's part: capture, the incident desk, and what the buttons, status strip and installer page use. */
interface RecorderPart {
  desk: IncidentDesk;
  health: RecorderHealth;
  snapshot: (camera: number) => Promise<Buffer>;
  alarmEvents?: () => AlarmEvents;
  alarmOutputs?: AlarmOutputs;
}

function addRecorder(app: App, loaded: LoadedConfig, redactor: Redactor, metrics: Metrics): RecorderPart {
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
  const cameras = config.nvr.channels;
  const isapi = recorder.isapi;
  health = new RecorderHealth({
    isapi,
    frames: recorder.frames,
    camera: cameras.find((c) => c.enabled)?.id ?? 1,
    onProbe: (up) => metrics.nvrUp.set(up ? 1 : 0),
  });
  return {
    desk,
    health,
    snapshot: async (camera) => (await recorder.frames.snapshot(camera)).jpeg,
    // An nvr-io button follows the recorder's alarm inputs (ISAPI alertStream); an ONVIF recorder has none here.
    ...(isapi ? { alarmEvents: isapiAlarmEvents(isapi), alarmOutputs: new IsapiAlarmOutputs(isapi) } : {}),
  };
}

function triggerSource(source: string): TriggerSource {
  return source.startsWith('nvr-io') ? 'nvr-io' : 'button';
}

export function addServiceModules(app: App, loaded: LoadedConfig, o: ServiceOptions): Services {
  const { config, log } = app;
  const skipped: string[] = [];
  const metrics = createMetrics();
  const redaction = redactionModule(config.redaction, metrics);
  const { redactor } = redaction;
  app.lifecycle.add(redaction);

  let rec: RecorderPart | undefined;
  if (loaded.secrets.nvrPassword !== undefined) rec = addRecorder(app, loaded, redactor, metrics);
  else skipped.push('capture (no NVR password configured)');

  // Packets to the hub through the durable outbox. Its signed audit checkpoints (device key, to the hub) are the
  // one checkpoint path; the retention module's local checkpointer runs only when nothing is published.
  let publish: PublishModule | undefined;
  if (config.hub.deviceKey) {
    publish = createPublishModule({
      config,
      configFile: loaded.file,
      db: app.db,
      clock: app.clock,
      ids: app.ids,
      events: app.bus,
      log: log.child({ module: 'publisher' }),
      version: o.version,
      tuning: {
        ...o.publishTuning,
        onEvent: (e) => {
          if (e.type === 'sent') metrics.published.inc();
          if (e.type === 'acked') metrics.acked.inc();
          o.publishTuning?.onEvent?.(e);
        },
      },
    });
    app.lifecycle.add(publish);
  } else {
    skipped.push('publishing (hub.deviceKey not set)');
  }
  for (const m of retentionModules(app)) {
    if (publish && m.name === 'audit-checkpoints') continue;
    app.lifecycle.add(m);
  }

  if (rec && config.buttons.sources.length > 0) {
    const desk = rec.desk;
    app.lifecycle.add(
      buttonsModule({
        config: config.buttons,
        clock: app.clock,
        log: log.child({ module: 'buttons' }),
        ...(rec.alarmEvents ? { alarmEvents: rec.alarmEvents } : {}),
        ...(rec.alarmOutputs ? { alarmOutputs: rec.alarmOutputs } : {}),
        onTrigger: (t) =>
          desk
            .trigger({
              camera: t.camera,
              at: t.time,
              source: triggerSource(t.press.source),
              actor: `button:${t.press.source}`,
            })
            .then(
              () => t.confirm('ok'),
              () => t.confirm('failed'),
            ),
      }),
    );
  }

  const tls = o.tls ?? tlsFromConfig(app);
  if (!rec) skipped.push('web UI (needs the capture part)');
  else if (!tls) skipped.push('web UI (web.tlsCert/web.tlsKey not set)');
  else addWeb(app, loaded, o, { rec, tls, publish, redactor, metrics });
  for (const s of skipped) log.warn({}, `not started: ${s}`);
  return { metrics, redactor, desk: rec?.desk, publish, skipped };
}

/** The web UI over the desks: review, approvals, SAR, the status strip and the installer checks. */
function addWeb(
  app: App,
  loaded: LoadedConfig,
  o: ServiceOptions,
  p: {
    rec: RecorderPart;
    tls: NonNullable<ServiceOptions['tls']>;
    publish: PublishModule | undefined;
    redactor: Redactor;
    metrics: Metrics;
  },
): void {
  const { config } = app;
  const { rec, tls, publish: pub, redactor, metrics } = p;
  const clockLog = new SqliteRecorderClockLog(app.db);
  const review = new ReviewDesk({
    source: rec.desk,
    redactor,
    dispatcher: new OutboxDispatcher(pub?.queue, (id) => clockLog.forIncident(id)),
    audit: app.audit,
    siteId: config.site.id,
    drafts: new SqliteDrafts(app.db, app.clock),
    events: app.bus,
  });
  // The hub strip says when the last ack came, from the bus.
  let lastAck: number | undefined;
  app.bus.on('acked', () => {
    lastAck = app.clock.now().getTime();
  });
  const status = new ApplianceStatusService(app.dataDir, {
    nvr: () => rec.health.probe(),
    broker: () => {
      const up = pub?.broker.connected ?? false;
      metrics.brokerUp.set(up ? 1 : 0);
      if (!pub) return { state: 'unknown', detail: 'Sending is not set up' };
      if (up) return { state: 'ok', detail: 'Connected to the broker' };
      // Say why, so a revoked certificate is not mistaken for a network fault; the outbox keeps every packet.
      const why = pub.broker.problem;
      return {
        state: 'down',
        detail: `Not connected to the broker${why ? `: ${why}` : ''}. Reports wait in the queue and are sent once it connects.`,
      };
    },
    hub: () => {
      if (!pub) return { state: 'unknown', detail: 'Sending is not set up' };
      if (lastAck === undefined) return { state: 'unknown', detail: 'No report acknowledged since start' };
      metrics.hubUp.set(1);
      const minutes = Math.round((app.clock.now().getTime() - lastAck) / 60_000);
      return { state: 'ok', detail: `Last report acknowledged ${minutes < 1 ? 'just now' : `${minutes} min ago`}` };
    },
    queueDepth: () => {
      const n = pub?.outbox.depth() ?? 0;
      metrics.queueDepth.set(n);
      return n;
    },
  });
  const nvr = config.nvr;
  const nvrPassword = loaded.secrets.nvrPassword;
  const installer = new ApplianceChecks({
    ...(nvr.kind === 'hikvision' && nvrPassword !== undefined
      ? {
          nvrSelfTest: () =>
            runNvrSelfTest({
              isapi: {
                scheme: nvr.scheme,
                host: nvr.host,
                port: nvr.port,
                username: nvr.username,
                password: nvrPassword,
                timeoutMs: nvr.timeoutMs,
                allowBasic: nvr.allowBasicAuth,
                ...(nvr.tlsFingerprint ? { tlsFingerprint: nvr.tlsFingerprint } : {}),
              },
              rtspPort: nvr.rtspPort,
              cameras: nvr.channels.filter((c) => c.enabled).map((c) => c.id),
              alarmInputs: config.buttons.sources.flatMap((b) => (b.kind === 'nvr-io' ? [b.input] : [])),
              clock: app.clock,
              stallMs: Math.min(config.capture.frameTimeoutMs, 10_000),
            }),
        }
      : {}),
    recorder: () => rec.health.probe(),
    snapshot: rec.snapshot,
    redactor,
    buttonSources: config.buttons.sources.length,
    certificates: [
      ...(tls.certPath ? [{ name: 'Web UI', path: tls.certPath }] : []),
      ...(config.mqtt.cert ? [{ name: 'Broker client', path: config.mqtt.cert }] : []),
    ],
    configFile: loaded.file,
    clock: app.clock,
  });
  const holds = new HoldService({ holds: new SqliteHolds(app.db), audit: app.audit, clock: app.clock, ids: app.ids });
  const sar = new SubjectAccessDesk({
    disclosures: async () =>
      new DisclosureService({
        originals: new SqliteOriginals(app.db),
        files: app.files,
        audit: app.audit,
        clock: app.clock,
        signer: await JoseSigner.loadOrCreate(app.dataDir),
        redactor,
        holds,
        siteId: config.site.id,
      }),
    dataDir: app.dataDir,
    ids: app.ids,
    clock: app.clock,
  });
  const deps = {
    ...foundationWebDeps(app, metrics),
    incidents: rec.desk,
    review,
    approvals: review,
    sar,
    status,
    installer,
  };
  app.lifecycle.add(
    webModule(
      deps,
      { bind: config.web.bind, port: o.webPort ?? config.web.port, tls: { cert: tls.cert, key: tls.key } },
      o.onWebReady,
    ),
  );
}

function tlsFromConfig(app: App): ServiceOptions['tls'] {
  const { tlsCert, tlsKey } = app.config.web;
  if (!tlsCert || !tlsKey) return undefined;
  return { cert: readFileSync(tlsCert), key: readFileSync(tlsKey), certPath: tlsCert };
}

// Assembles the appliance's services into the lifecycle after the store: redaction, capture (NVR), the incident
// desk, packet publishing with the outbox, retention, buttons and the web UI, sharing one metrics registry. Each
// part is wired when its configuration is present, so a half-configured appliance still starts and says what it
// left out. `run` and `demo` call it; systemdModule goes after it.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JoseSigner } from '../adapters/crypto/checkpoint-signer.js';
import { connectRecorder } from '../adapters/nvr/connect.js';
import { IsapiAlarmOutputs, isapiAlarmEvents } from '../adapters/nvr/isapi/alarm-events.js';
import type { LoginRefusal } from '../adapters/nvr/isapi/client.js';
import { runNvrSelfTest } from '../adapters/nvr/self-test.js';
import { SqliteRecorderClockLog } from '../adapters/store/recorder-clock-log.js';
import { SqliteDrafts } from '../adapters/store/sqlite-drafts.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteOriginals } from '../adapters/store/sqlite-originals.js';
import type { LoadedConfig } from '../config/load.js';
import { AppError } from '../core/errors.js';
import type { TriggerSource } from '../core/incident.js';
import type { AlarmEvents, AlarmOutputs } from '../core/ports/alarm-events.js';
import type { Camera } from '../core/ports/incident-service.js';
import type { InstallerChecks } from '../core/ports/installer-checks.js';
import type { Redactor } from '../core/ports/redactor.js';
import type { PacketDispatcher } from '../core/ports/review-service.js';
import type { SubjectAccessService } from '../core/ports/subject-access.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { ApplianceStatusService } from '../services/appliance-status.js';
import { IncidentDesk } from '../services/capture/incident-desk.js';
import { HoldService } from '../services/holds/holds.js';
import { certificateInfo, configChecks } from '../services/installer-checks.js';
import { ReviewDesk } from '../services/review-desk.js';
import { DisclosureService } from '../services/sar/sar-export.js';
import { webModule } from '../web/server.js';
import { foundationWebDeps } from '../web/wire.js';
import { buttonsModule } from './buttons-module.js';
import { captureModule, createCaptureService } from './capture.js';
import type { App } from './create-app.js';
import type { Module } from './lifecycle.js';
import { createPublishModule, type PublishDeps, type PublishModule } from './publish-module.js';
import { createRedactor } from './redaction.js';
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

/** A Redactor that exists before the model is loaded: calls wait for the redaction module's start. */
function lazyRedactor(app: App, metrics: Metrics): { redactor: Redactor; module: Module } {
  let loaded: Awaited<ReturnType<typeof createRedactor>> | undefined;
  let failed: Error | undefined;
  const ready = (): Redactor => {
    if (loaded) return loaded.redactor;
    throw new AppError(
      'detector-unavailable',
      `the face detector is not loaded${failed ? ` (${failed.message})` : ''}, so no still can be shown or sent`,
    );
  };
  const redactor: Redactor = {
    detect: (image) => ready().detect(image),
    async redact(request) {
      const t0 = performance.now();
      const out = await ready().redact(request);
      metrics.redactionSeconds.observe(
        { step: request.cropSubject ? 'crop' : 'redact' },
        (performance.now() - t0) / 1000,
      );
      return out;
    },
  };
  const module: Module = {
    name: 'redaction',
    async start() {
      try {
        loaded = await createRedactor(app.config.redaction);
      } catch (e) {
        failed = e as Error;
        throw e;
      }
    },
    async stop() {
      await loaded?.close();
      loaded = undefined;
    },
  };
  return { redactor, module };
}

function triggerSource(source: string): TriggerSource {
  return source.startsWith('nvr-io') ? 'nvr-io' : 'button';
}

export function addServiceModules(app: App, loaded: LoadedConfig, o: ServiceOptions): Services {
  const { config } = app;
  const log = app.log;
  const skipped: string[] = [];
  const metrics = createMetrics();
  const { redactor, module: redaction } = lazyRedactor(app, metrics);
  app.lifecycle.add(redaction);

  // Capture from the recorder, and the incident desk the web and buttons use.
  let desk: IncidentDesk | undefined;
  let nvrProbe: (() => Promise<{ state: 'ok' | 'down'; detail: string }>) | undefined;
  let snapshot: ((camera: number) => Promise<Buffer>) | undefined;
  let alarmEvents: (() => AlarmEvents) | undefined;
  let alarmOutputs: AlarmOutputs | undefined;
  if (loaded.secrets.nvrPassword !== undefined) {
    // A refused password stops every request to the recorder until a slow retry (the recorder would lock the user
    // out otherwise): say so on the status strip, in the log and once per episode in the audit chain.
    let loginRefused: LoginRefusal | undefined;
    const recorder = connectRecorder(loaded, (line) => log.debug({ module: 'capture' }, line), {
      withPreRoll: true,
      clock: app.clock,
      onLoginRefused: (r) => {
        const first = loginRefused === undefined;
        loginRefused = r;
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
        loginRefused = undefined;
        log.info({ module: 'capture' }, 'the recorder accepts the password again');
      },
    });
    const { service, incidents } = createCaptureService(app, recorder.frames);
    app.lifecycle.add(captureModule(service, recorder));
    const cameras: Camera[] = config.nvr.channels.map((c) => ({ id: c.id, name: c.name, enabled: c.enabled }));
    desk = new IncidentDesk({
      holds: new SqliteHolds(app.db),
      incidents,
      capture: service,
      files: app.files,
      redactor,
      audit: app.audit,
      clock: app.clock,
      cameras,
      stillsExpected: config.capture.stills,
      captureTimeoutMs: (config.capture.postSeconds + 60) * 1000,
      onDetect: (s) => metrics.redactionSeconds.observe({ step: 'detect' }, s),
      onTrigger: (r) => metrics.captures.inc({ source: r.source }),
    });
    const d = desk;
    app.lifecycle.add({ name: 'incident-desk', start: async () => d.start(), stop: () => d.stop() });
    snapshot = async (camera) => (await recorder.frames.snapshot(camera)).jpeg;
    const isapi = recorder.isapi;
    // An nvr-io button follows the recorder's alarm inputs (ISAPI alertStream); an ONVIF recorder has none here.
    if (isapi) {
      alarmEvents = isapiAlarmEvents(isapi);
      alarmOutputs = new IsapiAlarmOutputs(isapi);
    }
    // Every open page polls the status strip; ask the recorder at most every 10 s.
    let cached: { at: number; health: { state: 'ok' | 'down'; detail: string } } | undefined;
    nvrProbe = async () => {
      if (loginRefused) {
        const until = loginRefused.until.toISOString().slice(11, 16);
        return {
          state: 'down',
          detail: `Recorder ${loginRefused.locked ? 'has locked the appliance out' : 'refused the password'}: not trying again before ${until} UTC, so the user is not locked out. Incidents are still recorded; check the password (bcrp-edge doctor --nvr)`,
        };
      }
      if (cached && performance.now() - cached.at < 10_000) return cached.health;
      let health: { state: 'ok' | 'down'; detail: string };
      try {
        if (isapi) await isapi.get('/ISAPI/System/deviceInfo', 'device info');
        else await recorder.frames.snapshot(cameras.find((c) => c.enabled)?.id ?? 1);
        health = { state: 'ok', detail: 'Recorder answering' };
      } catch {
        health = { state: 'down', detail: 'Recorder not answering' };
      }
      metrics.nvrUp.set(health.state === 'ok' ? 1 : 0);
      cached = { at: performance.now(), health };
      return health;
    };
  } else {
    skipped.push('capture (no NVR password configured)');
  }

  // Packets to the hub through the durable outbox. Its signed audit checkpoints (device key, to the hub) are the
  // one checkpoint path; the retention module's local checkpointer runs only when nothing is published.
  let publish: PublishModule | undefined;
  let lastAck: number | undefined;
  if (config.hub.deviceKey) {
    publish = createPublishModule({
      config,
      configFile: loaded.file,
      db: app.db,
      clock: app.clock,
      ids: app.ids,
      log: log.child({ module: 'publisher' }),
      version: o.version,
      tuning: {
        ...o.publishTuning,
        onEvent: (e) => {
          if (e.type === 'sent') metrics.published.inc();
          if (e.type === 'acked') {
            metrics.acked.inc();
            lastAck = app.clock.now().getTime();
          }
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

  if (desk && config.buttons.sources.length > 0) {
    const d = desk;
    app.lifecycle.add(
      buttonsModule({
        config: config.buttons,
        clock: app.clock,
        log: log.child({ module: 'buttons' }),
        ...(alarmEvents ? { alarmEvents } : {}),
        ...(alarmOutputs ? { alarmOutputs } : {}),
        onTrigger: (t) =>
          d
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
  if (!desk) skipped.push('web UI (needs the capture part)');
  else if (!tls) skipped.push('web UI (web.tlsCert/web.tlsKey not set)');
  else {
    const pub = publish;
    const clockLog = new SqliteRecorderClockLog(app.db);
    const recorderClockOf = (id: string) => {
      const c = clockLog.forIncident(id);
      return c ? { recorderClock: c } : {};
    };
    const dispatcher: PacketDispatcher = {
      async dispatch(p, actor) {
        if (!pub) throw new AppError('not-configured', 'Sending is not set up on this appliance (no hub key).');
        await pub.queue({
          incidentId: p.incidentId,
          incidentTime: new Date(p.triggerTime),
          category: p.category,
          ...(p.description ? { description: p.description } : {}),
          images: p.images.map((i) => ({ image: i.image, role: i.role === 'subject-crop' ? 'subject' : 'context' })),
          ...recorderClockOf(p.incidentId),
          actor,
        });
      },
    };
    const review = new ReviewDesk({
      source: desk,
      redactor,
      dispatcher,
      audit: app.audit,
      siteId: config.site.id,
      drafts: new SqliteDrafts(app.db, app.clock),
    });
    const status = new ApplianceStatusService(app.dataDir, {
      ...(nvrProbe ? { nvr: nvrProbe } : {}),
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
    const snap = snapshot;
    const nvr = config.nvr;
    const nvrPassword = loaded.secrets.nvrPassword;
    const selfTest =
      nvr.kind === 'hikvision' && nvrPassword !== undefined
        ? () =>
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
            })
        : undefined;
    const installer: InstallerChecks = {
      ...(selfTest ? { nvrSelfTest: selfTest } : {}),
      async testNvr() {
        const r = nvrProbe ? await nvrProbe() : { state: 'down', detail: 'No recorder configured' };
        return { name: 'Recorder', ok: r.state === 'ok', detail: r.detail };
      },
      async testStill(camera) {
        if (!snap) throw new AppError('not-configured', 'No recorder configured.');
        return redactor.redact({ image: await snap(camera) });
      },
      async testButton() {
        const n = config.buttons.sources.length;
        return {
          name: 'Button',
          ok: n > 0,
          detail:
            n > 0
              ? `${n} button source(s) configured; press one and watch the incidents list.`
              : 'No button configured.',
        };
      },
      async certificates() {
        return certificateInfo(
          [
            ...(tls.certPath ? [{ name: 'Web UI', path: tls.certPath }] : []),
            ...(config.mqtt.cert ? [{ name: 'Broker client', path: config.mqtt.cert }] : []),
          ],
          app.clock,
        );
      },
      async validateConfig() {
        return configChecks(loaded.file);
      },
    };
    const holds = new HoldService({ holds: new SqliteHolds(app.db), audit: app.audit, clock: app.clock, ids: app.ids });
    let disclosures: DisclosureService | undefined;
    const sar: SubjectAccessService = {
      async export(request, actor) {
        disclosures ??= new DisclosureService({
          originals: new SqliteOriginals(app.db),
          files: app.files,
          audit: app.audit,
          clock: app.clock,
          signer: await JoseSigner.loadOrCreate(app.dataDir),
          redactor,
          holds,
          siteId: config.site.id,
        });
        // The exports' own folder is made on first use (a fresh appliance has none; the export refused without it).
        mkdirSync(join(app.dataDir, 'sar'), { recursive: true, mode: 0o700 });
        const dir = join(app.dataDir, 'sar', `${request.reference.replace(/[^\w-]/g, '_')}-${app.ids.next()}`);
        const r = await disclosures.exportSar({
          reference: request.reference,
          incidentIds: request.incidentIds,
          outDir: dir,
          actor: { name: actor, role: 'manager' },
        });
        const dueBy = new Date(app.clock.now().getTime() + 30 * 86_400_000).toISOString();
        return {
          reference: r.reference,
          location: r.dir,
          incidents: r.incidents.length,
          images: r.items.length,
          dueBy,
        };
      },
    };
    const deps = {
      ...foundationWebDeps(app, metrics),
      incidents: desk,
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
  for (const s of skipped) log.warn({}, `not started: ${s}`);
  return { metrics, redactor, desk, publish, skipped };
}

function tlsFromConfig(app: App): ServiceOptions['tls'] {
  const { tlsCert, tlsKey } = app.config.web;
  if (!tlsCert || !tlsKey) return undefined;
  return { cert: readFileSync(tlsCert), key: readFileSync(tlsKey), certPath: tlsCert };
}

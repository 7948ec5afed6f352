// Wires the police master into the appliance: on the bus's 'captured' (stills in), the recorder's own footage of
// the incident window is acquired and sealed (services/evidence). Hikvision recorders only (ISAPI search and
// download, RTSP copy as the fallback); with an ONVIF recorder or evidence.enabled off the module says so and idles.
import { ffmpegWorkingCopy } from '../adapters/ffmpeg/working-copy.js';
import type { RecorderConnection } from '../adapters/nvr/connect.js';
import { IsapiFootage } from '../adapters/nvr/isapi/footage.js';
import { SqliteIncidents } from '../adapters/store/incidents.js';
import { SqliteDrafts } from '../adapters/store/sqlite-drafts.js';
import { SqliteEvidenceMasters } from '../adapters/store/sqlite-evidence-masters.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import type { LoadedConfig } from '../config/load.js';
import type { PacketEvidenceMaster } from '../core/packet/manifest.js';
import type { PoliceExportService } from '../core/ports/evidence-desk.js';
import type { MasterReader } from '../core/ports/evidence-masters.js';
import type { Redactor } from '../core/ports/redactor.js';
import { MasterAcquisition } from '../services/evidence/master-acquisition.js';
import { MasterStatusDesk } from '../services/evidence/master-status.js';
import { PoliceExportDesk } from '../services/evidence/police-export-desk.js';
import { HoldService } from '../services/holds/holds.js';
import type { App } from './create-app.js';
import { disclosuresOf } from './disclosures.js';
import type { Module } from './lifecycle.js';
import type { RecorderPart } from './recorder-module.js';
import type { Wiring } from './wiring.js';

export interface EvidenceModule extends Module {
  /** Undefined when the module idles (no Hikvision recorder, or evidence.enabled is off). */
  readonly acquisition: MasterAcquisition | undefined;
  /** The incident page's view of the master, live from the bus (undefined when the module idles). */
  readonly status: MasterStatusDesk | undefined;
  /** Police exports run from the web (undefined when the module idles). */
  readonly policeExports: PoliceExportService | undefined;
}

/** The read port over an app's store: "read the master of incident X" (police export, redacted clips). */
export function masterReader(app: Pick<App, 'db' | 'audit' | 'clock' | 'ids' | 'files'>): MasterReader {
  return new SqliteEvidenceMasters(app.db, { audit: app.audit, clock: app.clock, ids: app.ids, files: app.files });
}

/** The sealed master's hash and window for the packet manifest, when there is one. */
export function masterSealOf(
  app: Pick<App, 'db' | 'audit' | 'clock' | 'ids' | 'files'>,
): (incidentId: string) => PacketEvidenceMaster | undefined {
  const reader = masterReader(app);
  return (id) => {
    const m = reader.sealedMaster(id);
    return m?.sha256 ? { sha256: m.sha256, windowFrom: m.windowFrom, windowTo: m.windowTo } : undefined;
  };
}

/** What the outbox dispatcher waits on before it queues a packet: the master settled, for at most `seconds`. */
export function masterSettled(
  evidence: EvidenceModule | undefined,
  seconds: number,
): (incidentId: string) => Promise<void> {
  const status = evidence?.status;
  return status ? (id) => status.settled(id, seconds * 1000) : async () => {};
}

/** The one line in service-modules.ts: the police master follows the recorder's part, when there is one. */
export function addEvidence(w: Wiring, recorder: RecorderPart | undefined): EvidenceModule | undefined {
  if (!recorder) return undefined;
  const m = evidenceModule(w.app, w.loaded, recorder.connection);
  w.app.lifecycle.add(m);
  return m;
}

export function evidenceModule(app: App, loaded: LoadedConfig, recorder: RecorderConnection): EvidenceModule {
  const { config } = app;
  const log = app.log.child({ module: 'evidence' });
  const password = loaded.secrets.nvrPassword;
  const why = !config.evidence.enabled
    ? 'evidence.enabled is off'
    : !recorder.isapi || password === undefined
      ? 'the recorder is not a Hikvision (ISAPI) recorder'
      : undefined;
  if (why || !recorder.isapi || password === undefined) {
    return {
      name: 'evidence',
      acquisition: undefined,
      status: undefined,
      policeExports: undefined,
      start: async () => log.warn({}, `police masters are not acquired: ${why}`),
      stop: async () => {},
    };
  }
  const masters = new SqliteEvidenceMasters(app.db, {
    audit: app.audit,
    clock: app.clock,
    ids: app.ids,
    files: app.files,
  });
  const incidents = new SqliteIncidents(app.db, { clock: app.clock, ids: app.ids, audit: app.audit });
  const holds = new HoldService({ holds: new SqliteHolds(app.db), audit: app.audit, clock: app.clock, ids: app.ids });
  const e = config.evidence;
  const acquisition = new MasterAcquisition({
    masters,
    footage: new IsapiFootage(recorder.isapi, {
      host: config.nvr.host,
      rtspPort: config.nvr.rtspPort,
      username: config.nvr.username,
      password,
      stallMs: config.capture.frameTimeoutMs,
      clock: app.clock,
      onLog: (line) => log.debug({}, line),
    }),
    files: app.files,
    clock: app.clock,
    incident: (id) => incidents.get(id),
    settings: {
      clipPreSeconds: e.clipPreSeconds,
      clipPostSeconds: e.clipPostSeconds,
      waitSeconds: e.waitSeconds,
      pollSeconds: e.pollSeconds,
      settleSeconds: 2,
      retryMinutes: e.retryMinutes,
      maxAttempts: e.maxAttempts,
      maxBytes: e.maxBytes,
    },
    held: (id) => holds.activeHold(id) !== undefined,
    events: app.bus,
    onProblem: (id, message) => log.warn({ incidentId: id }, message),
  });
  const status = new MasterStatusDesk({
    masters,
    incident: (id) => incidents.get(id),
    settings: { clipPreSeconds: e.clipPreSeconds, clipPostSeconds: e.clipPostSeconds, settleSeconds: 2 },
    events: app.bus,
    clock: app.clock,
  });
  const policeExports = policeExportDesk(app, masters);
  let off: (() => void) | undefined;
  return {
    name: 'evidence',
    acquisition,
    status,
    policeExports,
    async start() {
      // A process killed mid-acquisition left its temporary file; the row stays 'acquiring' and resume() redoes it.
      const leftovers = app.files.removeLeftovers('masters');
      if (leftovers.length > 0)
        log.info({ files: leftovers }, `removed ${leftovers.length} unfinished master file(s) a stopped process left`);
      // Stills in: the master follows. Events, not polling; a restart resumes what a dead process left.
      off = app.bus.on('captured', (p) => {
        if (p.status === 'captured') void acquisition.schedule(p.incidentId);
      });
      acquisition.resume();
    },
    async stop() {
      off?.();
      await acquisition.stop();
      await policeExports.whenIdle();
    },
  };
}

/** Police exports from the web: the same disclosure service as `bcrp-edge police export`, writing under the data dir. */
function policeExportDesk(app: App, masters: SqliteEvidenceMasters): PoliceExportDesk {
  const { config } = app;
  const incidents = new SqliteIncidents(app.db, { clock: app.clock, ids: app.ids, audit: app.audit });
  // A police export hands over originals: no redactor is involved.
  const noRedactor: Redactor = {
    detect: () => Promise.reject(new Error('not used')),
    redact: () => Promise.reject(new Error('not used')),
  };
  return new PoliceExportDesk({
    disclosures: disclosuresOf(app, {
      redactor: noRedactor,
      evidence: {
        masters,
        workingCopy: ffmpegWorkingCopy,
        ...(config.site.name ? { siteName: config.site.name } : {}),
        cameraName: (c) => config.nvr.channels.find((ch) => ch.id === c)?.name,
        description: (id) => new SqliteDrafts(app.db, app.clock).get(id)?.description || undefined,
        incident: (id) => incidents.get(id),
      },
    }),
    masters,
    dataDir: app.dataDir,
    ids: app.ids,
    clock: app.clock,
    audit: app.audit,
    onProblem: (message, error) => app.log.warn({ module: 'evidence', err: error }, message),
  });
}

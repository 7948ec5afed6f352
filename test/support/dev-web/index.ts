// Everything the web layer needs, built for the web and browser tests: the real store pieces (accounts,
// sessions, login throttle, holds, audit queries) over a SQLite data dir, and in-memory stand-ins for the parts
// other modules provide (capture, redaction, packets, status, installer hardware checks, SAR). The lead swaps the
// stand-ins for the real services one port at a time.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EncryptedFiles } from '../../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../../src/adapters/store/incidents.js';
import {
  DEFAULT_THROTTLE,
  SqliteAccounts,
  SqliteLoginThrottle,
  SqliteSessionStore,
  type ThrottlePolicy,
} from '../../../src/adapters/store/sqlite-accounts.js';
import { SqliteAuditLog } from '../../../src/adapters/store/sqlite-audit-log.js';
import { SqliteDrafts } from '../../../src/adapters/store/sqlite-drafts.js';
import { SqliteEvidenceMasters } from '../../../src/adapters/store/sqlite-evidence-masters.js';
import { SqliteHolds } from '../../../src/adapters/store/sqlite-holds.js';
import { SqliteLanguageChoices } from '../../../src/adapters/store/sqlite-language-choices.js';
import { type Db, openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { EventBus } from '../../../src/app/event-bus.js';
import { AppError } from '../../../src/core/errors.js';
import type { ScryptCost } from '../../../src/core/password-hash.js';
import type { Clock } from '../../../src/core/ports/clock.js';
import { systemClock } from '../../../src/core/ports/clock.js';
import { type IdSource, uuidV7Source } from '../../../src/core/ports/ids.js';
import type { Camera } from '../../../src/core/ports/incident-service.js';
import type { InstallerChecks } from '../../../src/core/ports/installer-checks.js';
import type { StatusService } from '../../../src/core/ports/status-service.js';
import type { SubjectAccessService } from '../../../src/core/ports/subject-access.js';
import type { Box } from '../../../src/core/redaction.js';
import type { Logger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { AuditChainQueries } from '../../../src/services/audit-queries.js';
import { MasterStatusDesk } from '../../../src/services/evidence/master-status.js';
import { PoliceExportDesk } from '../../../src/services/evidence/police-export-desk.js';
import { HoldService } from '../../../src/services/holds/holds.js';
import { certificateInfo } from '../../../src/services/installer-checks.js';
import { ReviewDesk } from '../../../src/services/review-desk.js';
import { zipStored } from '../../../src/services/sar/zip.js';
import type { WebDeps } from '../../../src/web/deps.js';
import { DevIncidents } from './dev-incidents.js';
import { DevRedactor } from './dev-redactor.js';
import { DevDispatcher, devReviewSource } from './dev-review.js';
import { syntheticStill } from './scene.js';

export { DevIncidents } from './dev-incidents.js';
export { DevRedactor } from './dev-redactor.js';
export { DevDispatcher, devReviewSource } from './dev-review.js';
export { syntheticStill } from './scene.js';

export interface DevWebOptions {
  dataDir: string;
  log: Logger;
  clock?: Clock;
  ids?: IdSource;
  site?: { id: string; name: string };
  cameras?: Camera[];
  fourEyes?: boolean;
  /** Pace of the simulated capture and delivery (ms per step). */
  stepMs?: number;
  metricsToken?: string;
  throttle?: ThrottlePolicy;
  loginRateLimit?: { max: number; timeWindowMs: number };
  /** Web certificate to report on the installer page. */
  certificatePath?: string;
  /** Cheaper scrypt for tests (the default is the production cost). */
  scryptCost?: ScryptCost;
}

export interface DevWeb {
  deps: WebDeps;
  db: Db;
  audit: SqliteAuditLog;
  accounts: SqliteAccounts;
  incidents: DevIncidents;
  review: ReviewDesk;
  dispatcher: DevDispatcher;
  redactor: DevRedactor;
  close(): void;
}

const leftToRight = <F extends { box: Box }>(faces: F[]): F[] =>
  [...faces].sort((a, b) => a.box[0] - b.box[0] || a.box[1] - b.box[1]);

export function createDevWeb(o: DevWebOptions): DevWeb {
  const clock = o.clock ?? systemClock;
  const ids = o.ids ?? uuidV7Source(clock);
  const site = o.site ?? { id: 'demo-shop', name: 'Demo Shop' };
  const cameras = o.cameras ?? [
    { id: 1, name: 'Till', enabled: true },
    { id: 2, name: 'Door', enabled: true },
    { id: 3, name: 'Spirits aisle', enabled: true },
  ];
  const db = openDatabase(o.dataDir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const accounts = new SqliteAccounts(db, clock, o.scryptCost ? { cost: o.scryptCost } : {});
  const redactor = new DevRedactor();
  const incidents = new DevIncidents({
    db,
    audit,
    clock,
    ids,
    redactor,
    siteId: site.id,
    cameras,
    ...(o.stepMs === undefined ? {} : { stepMs: o.stepMs }),
  });
  const dispatcher = new DevDispatcher({
    incidents,
    ...(o.stepMs === undefined ? {} : { deliveryMs: o.stepMs * 2 }),
  });
  const review = new ReviewDesk({
    source: devReviewSource(incidents),
    redactor,
    dispatcher,
    audit,
    siteId: site.id,
    drafts: new SqliteDrafts(db, clock),
  });

  const status: StatusService = {
    async status() {
      let freeBytes: number | null = null;
      try {
        const s = statfsSync(o.dataDir);
        freeBytes = s.bavail * s.bsize;
      } catch {
        freeBytes = null;
      }
      return {
        // With the real services' reason codes, so pages say them in the reader's language.
        nvr: { state: 'ok', detail: 'Demo recorder answering', code: 'recorderAnswering' },
        broker: { state: 'ok', detail: 'Connected to the demo broker', code: 'brokerConnected' },
        hub: { state: 'ok', detail: 'Demo hub acknowledging packets', code: 'lastAckNow' },
        queueDepth: dispatcher.queued,
        disk:
          freeBytes !== null && freeBytes < 1e9
            ? { state: 'degraded', detail: 'Data disk nearly full', code: 'diskLow', freeBytes }
            : { state: 'ok', detail: 'Data disk has room', code: 'diskRoom', freeBytes },
        clock: { state: 'ok', detail: 'Clock synchronised (demo)', code: 'clockSynced', synchronised: true },
      };
    },
  };

  const installer: InstallerChecks = {
    async testNvr() {
      return { name: 'Recorder', ok: true, detail: `The demo recorder answered; ${cameras.length} cameras found.` };
    },
    async testStill(camera: number) {
      const still = await syntheticStill(camera * 7);
      redactor.register(still.bytes, still.faces);
      return redactor.redact({ image: still.bytes });
    },
    async testButton() {
      return { name: 'Button', ok: true, detail: 'A press was seen (simulated in the demo).' };
    },
    async certificates() {
      return o.certificatePath ? certificateInfo([{ name: 'Web UI', path: o.certificatePath }], clock) : [];
    },
    async validateConfig() {
      return [
        { name: 'Configuration file', ok: true, detail: 'valid (demo defaults)' },
        { name: 'Recorder password', ok: true, detail: 'kept in a file readable only by the service' },
      ];
    },
  };

  const sar: SubjectAccessService = {
    async export(request, actor) {
      const dir = join(o.dataDir, 'sar', request.reference.replace(/[^\w-]/g, '_'));
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      let images = 0;
      let kept = 0;
      for (const id of request.incidentIds) {
        for (const s of incidents.stillsOf(id)) {
          // The requester's face (numbered left to right, as faces() lists them) stays visible.
          const face = request.keep?.[s.id];
          const found = face ? leftToRight((await redactor.detect(s.original)).faces)[face - 1] : undefined;
          if (found) kept++;
          const img = await redactor.redact({ image: s.original, ...(found ? { keep: [found.box] } : {}) });
          writeFileSync(join(dir, `${s.id}.jpg`), img.bytes, { mode: 0o600 });
          images++;
        }
      }
      const dueBy = new Date(clock.now().getTime() + 30 * 86400_000).toISOString();
      audit.append({
        actor,
        action: 'sar-export',
        subject: request.reference,
        details: { incidents: request.incidentIds.length, images },
      });
      return {
        reference: request.reference,
        location: dir,
        incidents: request.incidentIds.length,
        images,
        dueBy,
        kept,
        download: basename(dir),
      };
    },
    async archive(name, actor) {
      const dir = join(o.dataDir, 'sar', name);
      if (!/^[\w-]+$/.test(name) || !existsSync(dir)) return undefined;
      const entries = readdirSync(dir).map((f) => ({
        name: `${name}/${f}`,
        bytes: readFileSync(join(dir, f)),
        modified: clock.now(),
      }));
      audit.append({ actor, action: 'export', subject: name, details: { purpose: 'sar-download' } });
      return { fileName: `${name}.zip`, bytes: zipStored(entries) };
    },
    async faces(incidentIds) {
      const out = [];
      for (const id of incidentIds) {
        for (const s of incidents.stillsOf(id)) {
          const found = await redactor.detect(s.original);
          const faces = leftToRight(found.faces).map((f, i) => ({ face: i + 1, box: f.box }));
          out.push({
            incidentId: id,
            stillId: s.id,
            capturedAt: s.capturedAt,
            width: found.width,
            height: found.height,
            faces,
          });
        }
      }
      return out;
    },
  };

  // The police master's state and police exports over the same store: nothing acquires masters here (no recorder),
  // so every incident's master is waiting, and an export finds no originals; the routes and pages are all there.
  const evidenceMasters = new SqliteEvidenceMasters(db, {
    audit,
    clock,
    ids,
    files: new EncryptedFiles(db, o.dataDir, { clock, ids }),
  });
  const incidentRows = new SqliteIncidents(db, { clock, ids, audit });
  const masters = new MasterStatusDesk({
    masters: evidenceMasters,
    incident: (id) => incidentRows.get(id),
    settings: { clipPreSeconds: 30, clipPostSeconds: 30, settleSeconds: 2 },
    events: new EventBus(o.log),
    clock,
  });
  const policeExports = new PoliceExportDesk({
    disclosures: async () => {
      throw new AppError('police-nothing', 'the development web holds no original stills or footage');
    },
    masters: evidenceMasters,
    dataDir: o.dataDir,
    ids,
    clock,
    audit,
  });

  const deps: WebDeps = {
    site,
    clock,
    log: o.log,
    audit,
    accounts,
    throttle: new SqliteLoginThrottle(db, clock, o.throttle ?? DEFAULT_THROTTLE),
    sessionStore: new SqliteSessionStore(db, clock),
    languages: new SqliteLanguageChoices(db),
    sessionSecret: randomBytes(32).toString('base64url'),
    sessionHours: 8,
    fourEyes: o.fourEyes ?? false,
    incidents,
    review,
    approvals: review,
    holds: new HoldService({ holds: new SqliteHolds(db), audit, clock, ids }),
    sar,
    status,
    installer,
    auditQueries: new AuditChainQueries(audit),
    metrics: createMetrics(),
    metricsToken: o.metricsToken,
    masters,
    policeExports,
    ...(o.loginRateLimit ? { loginRateLimit: o.loginRateLimit } : {}),
  };
  return {
    deps,
    db,
    audit,
    accounts,
    incidents,
    review,
    dispatcher,
    redactor,
    close() {
      incidents.stop();
      dispatcher.stop();
      db.close();
    },
  };
}

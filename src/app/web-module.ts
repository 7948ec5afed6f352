// Wires the web UI over the desks: review and approvals (sending through the outbox), SAR, the status strip and
// the installer checks, on top of the foundation's accounts, sessions, holds and audit queries. It needs the
// recorder's part and a TLS certificate; without either it is left out and says so.
import { readFileSync } from 'node:fs';
import { SqliteRecorderClockLog } from '../adapters/store/recorder-clock-log.js';
import { SqliteDrafts } from '../adapters/store/sqlite-drafts.js';
import type { ClipForPacket, ClipReview, RequesterClips } from '../core/ports/clips.js';
import type { Redactor } from '../core/ports/redactor.js';
import { OutboxDispatcher } from '../services/publish/outbox-dispatcher.js';
import { ReviewDesk } from '../services/review-desk.js';
import { webModule } from '../web/server.js';
import { foundationWebDeps } from '../web/wire.js';
import type { App } from './create-app.js';
import { type EvidenceModule, masterSealOf, masterSettled } from './evidence-module.js';
import { installerChecks } from './installer-module.js';
import type { PublishModule } from './publish-module.js';
import type { RecorderPart } from './recorder-module.js';
import { subjectAccessDesk } from './sar-module.js';
import { applianceStatus } from './status-module.js';
import type { ServiceOptions, Wiring } from './wiring.js';

export function addWeb(
  w: Wiring,
  p: {
    recorder: RecorderPart | undefined;
    publish: PublishModule | undefined;
    redactor: Redactor;
    /** The clips feature, when it runs (clips-module.ts). */
    clips?: (ClipReview & RequesterClips & { forPacket(incidentId: string): ClipForPacket | undefined }) | undefined;
    /** The police master (evidence-module.ts): its state on the incident page, police exports from the web. */
    evidence?: EvidenceModule | undefined;
  },
): void {
  const { app, options: o, metrics } = w;
  const { recorder, publish, redactor } = p;
  const tls = o.tls ?? tlsFromConfig(app);
  if (!recorder) {
    w.skip('web UI (needs the capture part)');
    return;
  }
  if (!tls) {
    w.skip('web UI (web.tlsCert/web.tlsKey not set)');
    return;
  }
  const { config } = app;
  const clockLog = new SqliteRecorderClockLog(app.db);
  const review = new ReviewDesk({
    source: recorder.desk,
    redactor,
    dispatcher: new OutboxDispatcher(publish?.queue, {
      recorderClock: (id) => clockLog.forIncident(id),
      evidenceMaster: masterSealOf(app),
      masterSettled: masterSettled(p.evidence, config.evidence.packetWaitSeconds),
      clip: (id) => p.clips?.forPacket(id),
    }),
    audit: app.audit,
    siteId: config.site.id,
    drafts: new SqliteDrafts(app.db, app.clock),
    events: app.bus,
  });
  const deps = {
    ...foundationWebDeps(app, metrics),
    incidents: recorder.desk,
    review,
    approvals: review,
    sar: subjectAccessDesk(w, redactor, p.clips),
    status: applianceStatus(w, { recorder, publish, redactor }),
    installer: installerChecks(w, { recorder, redactor, webCertPath: tls.certPath }),
    ...(p.clips ? { clips: p.clips } : {}),
    ...(p.evidence?.status ? { masters: p.evidence.status } : {}),
    ...(p.evidence?.policeExports ? { policeExports: p.evidence.policeExports } : {}),
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

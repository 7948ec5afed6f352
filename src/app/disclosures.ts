// The disclosure service behind the web's SAR answers and police exports (originals, signed cover sheets, holds),
// built from the running appliance's store when a request first needs it, since the signing key loads asynchronously.
import { JoseSigner } from '../adapters/crypto/checkpoint-signer.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteOriginals } from '../adapters/store/sqlite-originals.js';
import { SqliteStillChecks } from '../adapters/store/sqlite-still-checks.js';
import type { RequesterClips } from '../core/ports/clips.js';
import type { Redactor } from '../core/ports/redactor.js';
import { HoldService } from '../services/holds/holds.js';
import { DisclosureService, type PoliceEvidenceDeps } from '../services/sar/sar-export.js';
import type { App } from './create-app.js';

export function disclosuresOf(
  app: App,
  o: { redactor: Redactor; evidence?: PoliceEvidenceDeps; clips?: RequesterClips | undefined },
): () => Promise<DisclosureService> {
  return async () =>
    new DisclosureService({
      originals: new SqliteOriginals(app.db),
      files: app.files,
      audit: app.audit,
      clock: app.clock,
      signer: await JoseSigner.loadOrCreate(app.dataDir),
      redactor: o.redactor,
      checks: new SqliteStillChecks(app.db, app.files, { ids: app.ids, clock: app.clock }),
      holds: new HoldService({ holds: new SqliteHolds(app.db), audit: app.audit, clock: app.clock, ids: app.ids }),
      siteId: app.config.site.id,
      ...(o.evidence ? { evidence: o.evidence } : {}),
      ...(o.clips ? { clips: o.clips } : {}),
    });
}

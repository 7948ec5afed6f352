// Wires the subject access desk the web's SAR pages use: it writes answer folders under the data directory and
// builds the disclosure service (signed cover sheets, holds) when a request first needs it, since the signing key
// loads asynchronously.
import { JoseSigner } from '../adapters/crypto/checkpoint-signer.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteOriginals } from '../adapters/store/sqlite-originals.js';
import { SqliteStillChecks } from '../adapters/store/sqlite-still-checks.js';
import type { RequesterClips } from '../core/ports/clips.js';
import type { Redactor } from '../core/ports/redactor.js';
import { HoldService } from '../services/holds/holds.js';
import { DisclosureService } from '../services/sar/sar-export.js';
import { SubjectAccessDesk } from '../services/sar/subject-access-desk.js';
import type { Wiring } from './wiring.js';

export function subjectAccessDesk(w: Wiring, redactor: Redactor, clips?: RequesterClips): SubjectAccessDesk {
  const { app } = w;
  const holds = new HoldService({ holds: new SqliteHolds(app.db), audit: app.audit, clock: app.clock, ids: app.ids });
  return new SubjectAccessDesk({
    disclosures: async () =>
      new DisclosureService({
        originals: new SqliteOriginals(app.db),
        files: app.files,
        audit: app.audit,
        clock: app.clock,
        signer: await JoseSigner.loadOrCreate(app.dataDir),
        redactor,
        checks: new SqliteStillChecks(app.db, app.files, { ids: app.ids, clock: app.clock }),
        holds,
        siteId: app.config.site.id,
        ...(clips ? { clips } : {}),
      }),
    dataDir: app.dataDir,
    ids: app.ids,
    clock: app.clock,
    audit: app.audit,
  });
}

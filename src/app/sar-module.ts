// Wires the subject access desk the web's SAR pages use: it writes answer folders under the data directory and
// builds the disclosure service (signed cover sheets, holds) when a request first needs it, since the signing key
// loads asynchronously.
import type { RequesterClips } from '../core/ports/clips.js';
import type { Redactor } from '../core/ports/redactor.js';
import { SubjectAccessDesk } from '../services/sar/subject-access-desk.js';
import { disclosuresOf } from './disclosures.js';
import type { Wiring } from './wiring.js';

export function subjectAccessDesk(w: Wiring, redactor: Redactor, clips?: RequesterClips): SubjectAccessDesk {
  const { app } = w;
  return new SubjectAccessDesk({
    disclosures: disclosuresOf(app, { redactor, clips }),
    dataDir: app.dataDir,
    ids: app.ids,
    clock: app.clock,
    audit: app.audit,
  });
}

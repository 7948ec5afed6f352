// The face check's result kept with the still it was made from: the redacted rendering is a 'redacted' still
// (encrypted like the original) that names its original, and the face list found on the original is stored
// sealed under that rendering's data key, so retention's key discard shreds both at once. Review reads these
// instead of running detection and redaction again.
import type { Migration } from './index.js';

export const stillChecks: Migration = {
  version: 12,
  name: 'still-checks',
  sql: `
ALTER TABLE stills ADD COLUMN derived_from TEXT;
ALTER TABLE stills ADD COLUMN faces BLOB;
CREATE INDEX stills_derived_from ON stills(derived_from);
`,
};

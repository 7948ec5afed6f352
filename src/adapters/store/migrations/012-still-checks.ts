// The face check's result kept with the still it was made from: the face list found on an original is stored in
// its row sealed under its own data key (retention's key discard shreds both), and the rendering with every face
// redacted, once made, is a 'redacted' still (encrypted like the original) whose derived_from names its original
// and whose faces column holds its sealed report. Review reads these instead of detecting and redacting again.
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

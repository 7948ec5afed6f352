// Redacted clips: one row per incident (the latest render), the track analysis it was made from (boxes, no
// pixels) and where its encrypted MP4 is.
import type { Migration } from './index.js';

export const clips: Migration = {
  version: 80,
  name: 'clips',
  sql: `
CREATE TABLE clips (
  incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
  clip TEXT NOT NULL,
  analysis TEXT NOT NULL,
  made_at TEXT NOT NULL
);
`,
};

// Capture: where each original came from (snapshot, live, playback), and the retry bookkeeping for captures
// that failed while the NVR still holds the footage.
import type { Migration } from './index.js';

export const capture: Migration = {
  version: 10,
  name: 'capture',
  sql: `
ALTER TABLE stills ADD COLUMN origin TEXT;
ALTER TABLE incidents ADD COLUMN capture_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN next_capture_at TEXT;
CREATE INDEX incidents_next_capture ON incidents(status, next_capture_at);
`,
};

// Police masters: how far an acquisition has got (bytes and seconds of footage), so `evidence show` in another
// process and a page opened mid-way see it, not only the live events.
import type { Migration } from './index.js';

export const evidenceProgress: Migration = {
  version: 71,
  name: 'evidence-progress',
  sql: `
ALTER TABLE evidence_masters ADD COLUMN progress_bytes INTEGER;
ALTER TABLE evidence_masters ADD COLUMN progress_seconds REAL;
ALTER TABLE evidence_masters ADD COLUMN progress_at TEXT;
`,
};

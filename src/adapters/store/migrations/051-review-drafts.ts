// Review drafts (chosen subject, extra blur boxes, category) kept in the store, so a half-done review survives a
// restart and the reveal is tied to a recorded choice.
import type { Migration } from './index.js';

export const reviewDrafts: Migration = {
  version: 51,
  name: 'review-drafts',
  sql: `
CREATE TABLE review_drafts (
  incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
  draft TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
};

// The recorder's clock offset measured at each capture (the last attempt's), so the packet can carry it.
import type { Migration } from './index.js';

export const recorderClock: Migration = {
  version: 11,
  name: 'recorder-clock',
  sql: `
CREATE TABLE recorder_clock (
  incident_id TEXT PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
  offset_ms INTEGER NOT NULL,
  source TEXT NOT NULL,
  measured_at TEXT NOT NULL
);
`,
};

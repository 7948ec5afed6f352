// Retention and audit checkpoints: one row per retention sweep (so the next sweep can tell when the clock jumped
// backwards, and the compliance report can show the last one), and the signed checkpoints of the audit chain
// queued for the hub.
import type { Migration } from './index.js';

export const retention: Migration = {
  version: 30,
  name: 'retention-runs-and-checkpoints',
  sql: `
CREATE TABLE retention_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  clock_at TEXT NOT NULL,
  dry_run INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('done', 'refused', 'partial')),
  deleted INTEGER NOT NULL DEFAULT 0,
  held INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  message TEXT
);
CREATE INDEX retention_runs_clock ON retention_runs(dry_run, outcome, id);

CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  time TEXT NOT NULL,
  jws TEXT NOT NULL,
  key_id TEXT NOT NULL,
  queued_at TEXT NOT NULL
);
`,
};

// The first schema: incidents and their stills, the encrypted-file keys, the outbox, the audit chain, web
// accounts and evidence holds. Later migrations add to it; none rewrites the audit chain.
import type { Migration } from './index.js';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  camera INTEGER NOT NULL,
  trigger_time TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT,
  category TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX incidents_status ON incidents(status, created_at);

CREATE TABLE file_keys (
  id TEXT PRIMARY KEY,
  wrapped_key BLOB NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE stills (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  kind TEXT NOT NULL CHECK (kind IN ('original', 'redacted', 'subject-crop', 'context')),
  captured_at TEXT NOT NULL,
  width INTEGER,
  height INTEGER,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  file TEXT NOT NULL,
  key_id TEXT REFERENCES file_keys(id),
  created_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX stills_incident ON stills(incident_id);

CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  incident_id TEXT REFERENCES incidents(id),
  kind TEXT NOT NULL DEFAULT 'incident',
  topic TEXT NOT NULL,
  payload BLOB NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'acked', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  acked_at TEXT
);
CREATE INDEX outbox_state ON outbox(state, next_attempt_at);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
-- The chain is append-only through the application; these triggers stop accidental edits. A determined
-- attacker can drop them, which is why 'audit verify' recomputes every hash and checkpoints go to the hub.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- The head as last written, so that removing entries from the end of the chain is noticed.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);

CREATE TABLE users (
  username TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('staff', 'manager', 'installer', 'auditor')),
  created_at TEXT NOT NULL,
  disabled_at TEXT
);

CREATE TABLE holds (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  reason TEXT NOT NULL,
  reference TEXT,
  placed_by TEXT NOT NULL,
  placed_at TEXT NOT NULL,
  expires_at TEXT,
  released_at TEXT,
  released_by TEXT
);
CREATE INDEX holds_incident ON holds(incident_id);
`,
};

// Police masters: the recorder's native footage of each incident window, sealed (hash, encrypted file, method,
// recorder clock offset, recorder identity). One row per incident; the audit chain holds the continuity rows.
import type { Migration } from './index.js';

export const evidenceMasters: Migration = {
  version: 70,
  name: 'evidence-masters',
  sql: `
CREATE TABLE evidence_masters (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL UNIQUE REFERENCES incidents(id),
  camera INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('acquiring', 'sealed', 'failed')),
  window_from TEXT NOT NULL,
  window_to TEXT NOT NULL,
  recorder_from TEXT,
  recorder_to TEXT,
  recorder_end TEXT,
  complete INTEGER NOT NULL DEFAULT 0,
  method TEXT CHECK (method IN ('isapi-download', 'rtsp-copy')),
  recorder_name TEXT,
  container TEXT,
  sha256 TEXT,
  bytes INTEGER,
  file TEXT,
  key_id TEXT REFERENCES file_keys(id),
  clock_offset_ms INTEGER,
  clock_source TEXT,
  clock_read_at TEXT,
  recorder_make TEXT,
  recorder_model TEXT,
  recorder_firmware TEXT,
  recorder_serial TEXT,
  started_at TEXT NOT NULL,
  sealed_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error TEXT,
  audit_seq INTEGER
);
CREATE INDEX evidence_masters_due ON evidence_masters(state, next_attempt_at);
`,
};

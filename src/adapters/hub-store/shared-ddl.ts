// Hub store tables whose SQL is the same text in SQLite and PostgreSQL (TEXT, INTEGER and CHECK mean the same in
// both), so each migration is written once and both adapters record it under the same version.

/** Version 3: hub page accounts, their sessions, and the hub's own audit chain with its recorded head. */
export const HUB_PAGE_SQL = `
CREATE TABLE hub_users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('member', 'administrator')),
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE hub_sessions (
  id TEXT PRIMARY KEY,
  username TEXT,
  data TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX hub_sessions_user ON hub_sessions (username);
CREATE TABLE hub_audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE hub_audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
`;

/** Version 4: enrolment requests, kept pending until one decision. */
export const ENROLMENT_REQUESTS_SQL = `
CREATE TABLE enrolment_requests (
  request_id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  request TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
  decided_at TEXT,
  reason TEXT,
  response TEXT
);
CREATE INDEX enrolment_requests_state ON enrolment_requests(state, received_at);
`;

/** The checkpoint exactly as the device signed it (compact JWS), so an auditor can verify the hub's copy. */
export const CHECKPOINT_JWS_SQL = 'ALTER TABLE checkpoints ADD COLUMN jws TEXT;';

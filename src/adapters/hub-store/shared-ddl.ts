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

/**
 * Version 6: subjects (collation). A subject is a hub-assigned reference that administrators link reports to; its
 * name, alias and notes are filled in only at the hub (never sent by an appliance). A packet is about one subject at
 * most (the link's key). `admin_only_at` records when the sweep withdrew a packet from members, so a report linked
 * later cannot share it again or postpone its deletion.
 */
export const SUBJECTS_SQL = `
ALTER TABLE packets ADD COLUMN admin_only_at TEXT;
CREATE TABLE subjects (
  ref TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  name TEXT,
  alias TEXT,
  notes TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
  deleted_at TEXT
);
CREATE TABLE subject_links (
  packet_id TEXT PRIMARY KEY,
  subject_ref TEXT NOT NULL REFERENCES subjects(ref),
  linked_at TEXT NOT NULL,
  linked_by TEXT NOT NULL
);
CREATE INDEX subject_links_subject ON subject_links (subject_ref);
`;

/**
 * When every report linked to a subject is deleted, the subject is deleted too: its name, alias and notes are
 * cleared and a tombstone (ref, dates) stays. The same statement in both databases; `$1` is the time (SQLite reads
 * `$1` as a numbered parameter too).
 */
export const DELETE_SPENT_SUBJECTS_SQL = `
UPDATE subjects SET status = 'deleted', deleted_at = $1, name = NULL, alias = NULL, notes = NULL
WHERE status = 'active'
  AND EXISTS (SELECT 1 FROM subject_links l WHERE l.subject_ref = subjects.ref)
  AND NOT EXISTS (
    SELECT 1 FROM subject_links l JOIN packets p ON p.id = l.packet_id
    WHERE l.subject_ref = subjects.ref AND p.phase <> 'deleted'
  )`;

/**
 * Version 7: exclusions. An administrator's decision that a subject may not enter one member's premises (a site) or
 * any member's (the whole scheme) from `starts_at` until `ends_at`; `served_at` records when the notice was served.
 * Whether one is active is judged at each request from these times, so an expired one drops off by itself.
 */
export const EXCLUSIONS_SQL = `
CREATE TABLE exclusions (
  id TEXT PRIMARY KEY,
  subject_ref TEXT NOT NULL REFERENCES subjects(ref),
  scope TEXT NOT NULL CHECK (scope IN ('scheme', 'premises')),
  premises TEXT,
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  grounds TEXT NOT NULL,
  appeal_route TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  served_at TEXT,
  served_by TEXT,
  CHECK (ends_at > starts_at),
  CHECK ((scope = 'premises') = (premises IS NOT NULL))
);
CREATE INDEX exclusions_subject ON exclusions (subject_ref, ends_at);
`;

/** A deleted subject's exclusions go with it: their grounds are personal data too. */
export const DELETE_SPENT_EXCLUSIONS_SQL =
  "DELETE FROM exclusions WHERE subject_ref IN (SELECT ref FROM subjects WHERE status = 'deleted')";

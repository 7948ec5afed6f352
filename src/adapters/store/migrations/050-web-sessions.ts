// Web sessions and the failed-login throttle, kept in the store so a restart neither logs everyone out nor
// forgets a lockout.
import type { Migration } from './index.js';

export const webSessions: Migration = {
  version: 50,
  name: 'web-sessions',
  sql: `
CREATE TABLE web_sessions (
  id TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);

CREATE TABLE login_throttle (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure_at TEXT NOT NULL,
  locked_until TEXT
);
`,
};

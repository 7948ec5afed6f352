// Web accounts in the users table (migration 001). Provisioning writes the first manager here; the web part reads
// and manages them.
import { AppError } from '../../core/errors.js';
import type { Db } from './sqlite-store.js';

export type Role = 'staff' | 'manager' | 'installer' | 'auditor';

export function upsertUser(
  db: Db,
  u: { username: string; passwordHash: string; role: Role; now: Date },
): 'created' | 'updated' {
  if (!/^[a-z0-9][a-z0-9._-]{1,31}$/.test(u.username))
    throw new AppError('bad-username', 'a user name is 2–32 lower-case letters, digits, dots, hyphens or underscores');
  const existing = db.prepare('SELECT username FROM users WHERE username = ?').get(u.username);
  if (existing) {
    db.prepare('UPDATE users SET password_hash = ?, role = ?, disabled_at = NULL WHERE username = ?').run(
      u.passwordHash,
      u.role,
      u.username,
    );
    return 'updated';
  }
  db.prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)').run(
    u.username,
    u.passwordHash,
    u.role,
    u.now.toISOString(),
  );
  return 'created';
}

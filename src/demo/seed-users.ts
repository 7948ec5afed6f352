// The demo's first accounts: one per role with a random password, printed once by `bcrp-edge demo`.
import { randomBytes } from 'node:crypto';
import type { SqliteAccounts } from '../adapters/store/sqlite-accounts.js';
import type { Role } from '../core/ports/accounts.js';

/** Creates one account per role with a random password; returns them (print once, never log). */
export async function seedDemoUsers(
  accounts: SqliteAccounts,
): Promise<{ username: string; role: Role; password: string }[]> {
  const roles: Role[] = ['staff', 'manager', 'installer', 'auditor'];
  const out: { username: string; role: Role; password: string }[] = [];
  for (const role of roles) {
    const password = randomBytes(9).toString('base64url');
    await accounts.create({ username: role, role, password });
    out.push({ username: role, role, password });
  }
  return out;
}

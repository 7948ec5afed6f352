// Who is acting: a named web account and its role. Services that only a manager may use check it here, so the
// web UI and the CLI enforce the same rule.
import type { Db } from '../adapters/store/sqlite-store.js';
import { AppError } from '../core/errors.js';
import type { Role } from '../core/ports/accounts.js';

export type { Role };

export interface Actor {
  name: string;
  role: Role;
}

export class ForbiddenError extends AppError {}

export function requireManager(actor: Actor, what: string): void {
  if (actor.role !== 'manager') {
    throw new ForbiddenError('forbidden', `only a manager may ${what}; ${actor.name} is ${actor.role}`);
  }
}

/** Resolves a CLI `--actor NAME` to the enabled web account of that name, so the CLI acts as a known person. */
export function actorFromAccount(db: Db, name: string | undefined): Actor {
  if (!name)
    throw new ForbiddenError('actor-required', '--actor NAME is required: the web account (a manager) doing this');
  const row = db.prepare('SELECT role, disabled_at FROM users WHERE username = ?').get(name) as
    | { role: Role; disabled_at: string | null }
    | undefined;
  if (!row) throw new ForbiddenError('unknown-actor', `no web account named ${name}`);
  if (row.disabled_at) throw new ForbiddenError('actor-disabled', `the account ${name} is disabled`);
  return { name, role: row.role };
}

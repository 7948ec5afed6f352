// Who is acting: a named web account and its role. Services that only a manager may use check it here, so the
// web UI and the CLI enforce the same rule.
import { AppError } from '../core/errors.js';
import type { Accounts, Role } from '../core/ports/accounts.js';

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
export function actorFromAccount(accounts: Pick<Accounts, 'get'>, name: string | undefined): Actor {
  if (!name)
    throw new ForbiddenError('actor-required', '--actor NAME is required: the web account (a manager) doing this');
  const account = accounts.get(name);
  if (!account) throw new ForbiddenError('unknown-actor', `no web account named ${name}`);
  if (account.disabledAt) throw new ForbiddenError('actor-disabled', `the account ${name} is disabled`);
  return { name, role: account.role };
}

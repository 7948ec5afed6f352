// Hub page accounts (members and administrators of the partnership), kept in the hub store so every worker that
// serves the page knows them. Passwords are scrypt hashes in the appliance's format; a wrong name costs as much
// as a wrong password.

import { USERNAME_PATTERN } from '../adapters/store/sqlite-accounts.js';
import { AppError } from '../core/errors.js';
import {
  DEFAULT_COST,
  hashPassword,
  type ScryptCost,
  verifyPassword,
  weakPasswordReason,
} from '../core/password-hash.js';
import type { Clock } from '../core/ports/clock.js';
import { HUB_ROLES, type HubRole, type HubStore, type HubUser } from '../core/ports/hub-store.js';

export interface HubAccount {
  username: string;
  role: HubRole;
  createdAt: string;
  /** Hub accounts are removed, never disabled; the field lets the shared session guard treat both apps alike. */
  disabledAt: null;
}

const toAccount = (u: HubUser): HubAccount => ({
  username: u.username,
  role: u.role,
  createdAt: u.createdAt,
  disabledAt: null,
});

export class HubAccounts {
  readonly #store: HubStore;
  readonly #clock: Clock;
  readonly #cost: ScryptCost;
  #dummyHash: Promise<string> | undefined;

  constructor(store: HubStore, clock: Clock, options: { cost?: ScryptCost } = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#cost = options.cost ?? DEFAULT_COST;
  }

  async authenticate(username: string, password: string): Promise<HubAccount | undefined> {
    const user = await this.#store.user(username);
    if (!user) {
      this.#dummyHash ??= hashPassword('not-a-password', this.#cost);
      await verifyPassword(password, await this.#dummyHash);
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? toAccount(user) : undefined;
  }

  async get(username: string): Promise<HubAccount | undefined> {
    const user = await this.#store.user(username);
    return user && toAccount(user);
  }

  async list(): Promise<HubAccount[]> {
    return (await this.#store.users()).map(toAccount);
  }

  async add(username: string, role: string, password: string): Promise<HubAccount> {
    if (!USERNAME_PATTERN.test(username))
      throw new AppError(
        'bad-username',
        'a user name is 2–32 lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit',
      );
    if (!(HUB_ROLES as readonly string[]).includes(role))
      throw new AppError('bad-role', `role must be one of ${HUB_ROLES.join(', ')}`);
    const weak = weakPasswordReason(password, username);
    if (weak) throw new AppError('weak-password', `the password is too weak: ${weak}`);
    const user: HubUser = {
      username,
      role: role as HubRole,
      passwordHash: await hashPassword(password, this.#cost),
      createdAt: this.#clock.now().toISOString(),
    };
    if (!(await this.#store.addUser(user)))
      throw new AppError('user-exists', `there is already a hub user called ${username}`);
    return toAccount(user);
  }

  /** Removes the account and ends its sessions; false when there was none. */
  remove(username: string): Promise<boolean> {
    return this.#store.removeUser(username);
  }
}

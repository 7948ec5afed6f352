// Port: web accounts and the login throttle. Passwords are kept only as slow hashes.
export const ROLES = ['staff', 'manager', 'installer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Account {
  username: string;
  role: Role;
  createdAt: string;
  disabledAt: string | null;
}

export interface Accounts {
  /** The account when the password is right and the account enabled; undefined otherwise (no reason given). */
  authenticate(username: string, password: string): Promise<Account | undefined>;
  create(account: { username: string; role: Role; password: string }): Promise<Account>;
  get(username: string): Account | undefined;
  list(): Account[];
  disable(username: string): void;
}

/** Failed-login bookkeeping: after a few failures a name (or address) is locked for a growing time. */
export interface LoginThrottle {
  /** Milliseconds until the key may try again (0 when allowed). */
  retryAfterMs(key: string): number;
  failed(key: string): { lockedMs: number; failures: number };
  succeeded(key: string): void;
}

/** Each account's chosen language for the web pages (a code such as "en" or "cy"). */
export interface LanguageChoices {
  get(username: string): string | undefined;
  set(username: string, lang: string): void;
}

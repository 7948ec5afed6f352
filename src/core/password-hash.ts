// Web account passwords, hashed with scrypt (memory-hard, in node:crypto, no native addon) into a self-describing
// string "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (base64, PHC style), so the cost can be raised later without
// breaking old hashes.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

const KEY_BYTES = 32;

export interface ScryptCost {
  ln: number;
  r: number;
  p: number;
}

export const DEFAULT_COST: ScryptCost = { ln: 15, r: 8, p: 1 };

const maxmem = (c: ScryptCost) => 256 * 2 ** c.ln * c.r;

/** Async so that a login does not block the web server's event loop for the ~100 ms scrypt takes. */
export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_COST,
  salt = randomBytes(16),
): Promise<string> {
  const hash = await scryptAsync(password.normalize('NFC'), salt, KEY_BYTES, {
    N: 2 ** cost.ln,
    r: cost.r,
    p: cost.p,
    maxmem: maxmem(cost),
  });
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const HASH_FORMAT = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** Whether `stored` is a hash in the format above (for accounts imported from a users file). */
export function isPasswordHash(stored: string): boolean {
  return HASH_FORMAT.test(stored);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = HASH_FORMAT.exec(stored);
  if (!m) return false;
  const cost = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (cost.ln > 20 || cost.r > 32 || cost.p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const actual = await scryptAsync(password.normalize('NFC'), Buffer.from(m[4]!, 'base64'), expected.length, {
    N: 2 ** cost.ln,
    r: cost.r,
    p: cost.p,
    maxmem: maxmem(cost),
  });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The one minimum length for every account password, whether `provision` or the web UI sets it. */
export const MIN_PASSWORD_LENGTH = 12;

/** What a manager's password must be; returns the reason it is refused, or undefined. */
export function weakPasswordReason(password: string, username: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.toLowerCase().includes(username.toLowerCase())) return 'must not contain the user name';
  if (/^(.)\1+$/.test(password)) return 'must not be one repeated character';
  return undefined;
}

// Access to ../shared (models and media) when it sits beside the checkout. Tests that need it call
// sharedOrSkip(), which prints a clear "skipped: ../shared/... not present" line and skips when it is absent.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export const SHARED = process.env['BCRP_SHARED_DIR'] ?? join(ROOT, '..', 'shared');

export function sharedPath(...parts: string[]): string | undefined {
  const p = join(SHARED, ...parts);
  return existsSync(p) ? p : undefined;
}

/** Returns the path, or undefined after printing why the caller will skip. */
export function sharedOrSkip(...parts: string[]): string | undefined {
  const p = sharedPath(...parts);
  if (!p) console.log(`skipped: ../shared/${parts.join('/')} not present`);
  return p;
}

// Temporary directories that are removed after the test file, unless KEEP_TMP=1. The cleanup hook is registered
// once at file level: vitest ignores afterAll hooks registered from inside a test or another hook.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  if (process.env['KEEP_TMP'] === '1') return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'bcrp-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

// Temporary directories that are removed after the test file, unless KEEP_TMP=1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function tempDir(prefix = 'bcrp-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => {
    if (process.env['KEEP_TMP'] !== '1') rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

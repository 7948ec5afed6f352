// Writes a minimal valid configuration (plus a password file) for tests; callers override sections.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export function writeConfig(dir: string, overrides: Record<string, unknown> = {}, name = 'config.yaml'): string {
  const pw = join(dir, 'nvr-password');
  writeFileSync(pw, 'Passw0rd!\n', { mode: 0o600 });
  const base: Record<string, unknown> = {
    site: { id: 'shop-001', name: 'Test Shop' },
    nvr: { host: '127.0.0.1', port: 8080, passwordFile: pw, channels: [{ id: 1, name: 'Till' }] },
  };
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    const b = base[k];
    merged[k] = b && typeof b === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...b, ...v } : v;
  }
  const file = join(dir, name);
  writeFileSync(file, stringify(merged));
  return file;
}

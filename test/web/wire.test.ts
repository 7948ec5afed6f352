// Wiring the web's foundation dependencies from a running app: metrics token file, users file import, and
// clear errors for bad files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/adapters/store/sqlite-accounts.js';
import { createApp } from '../../src/app/create-app.js';
import { loadConfigFile } from '../../src/config/load.js';
import { silentLogger } from '../../src/observability/logger.js';
import { foundationWebDeps, importUsersFile } from '../../src/web/wire.js';
import { writeConfig } from '../support/config.js';
import { tempDir } from '../support/tmp.js';

describe('foundationWebDeps', () => {
  it('reads the metrics token, imports the users file once and keeps the session secret', async () => {
    const dir = tempDir('bcrp-wire-');
    const token = join(dir, 'metrics-token');
    writeFileSync(token, 'a-long-metrics-token-0123\n', { mode: 0o600 });
    const users = join(dir, 'users.yaml');
    const hash = await hashPassword('manager-password', { ln: 10, r: 8, p: 1 });
    writeFileSync(users, `- username: mia\n  role: manager\n  passwordHash: "${hash}"\n`);
    const cfg = writeConfig(dir, { web: { metricsTokenFile: token, fourEyes: true }, users: { file: users } });
    const app = createApp({ loaded: loadConfigFile(cfg), dataDir: join(dir, 'data'), log: silentLogger() });
    try {
      const deps = foundationWebDeps(app);
      expect(deps.metricsToken).toBe('a-long-metrics-token-0123');
      expect(deps.fourEyes).toBe(true);
      expect(deps.site).toEqual({ id: 'shop-001', name: 'Test Shop' });
      expect(await deps.accounts.authenticate('mia', 'manager-password')).toMatchObject({ role: 'manager' });
      expect(foundationWebDeps(app).sessionSecret).toBe(deps.sessionSecret);
      expect(importUsersFile(deps.accounts, users)).toBe(0);
    } finally {
      app.db.close();
    }
  });

  it('names the problem in a bad users file', () => {
    const dir = tempDir('bcrp-wire-bad-');
    const app = createApp({
      loaded: loadConfigFile(writeConfig(dir)),
      dataDir: join(dir, 'data'),
      log: silentLogger(),
    });
    try {
      const accounts = foundationWebDeps(app).accounts;
      const bad = join(dir, 'users.yaml');
      writeFileSync(bad, '- username: x1\n  role: admin\n  passwordHash: nope\n');
      expect(() => importUsersFile(accounts, bad)).toThrow(/entry 1 has role admin/);
      writeFileSync(bad, '- username: x1\n  role: staff\n  passwordHash: plain-text-password\n');
      expect(() => importUsersFile(accounts, bad)).toThrow(/not a scrypt hash/);
      expect(() => importUsersFile(accounts, join(dir, 'missing.yaml'))).toThrow(/cannot read the users file/);
    } finally {
      app.db.close();
    }
  });
});

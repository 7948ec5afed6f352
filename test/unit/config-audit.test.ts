// Configuration changes are audited as a difference of non-secret keys: the first record keeps the whole
// configuration, an unchanged start writes nothing, a switched model or camera shows as from/to, a secret never
// reaches the log.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteConfigHistory } from '../../src/adapters/store/sqlite-config-history.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { auditConfigChange } from '../../src/services/config-audit.js';
import { tempDir } from '../support/tmp.js';

describe('config-change audit entries', () => {
  it('records the first configuration, then only what changed, without secrets', () => {
    const clock = new FixedClock('2026-05-01T09:00:00Z');
    const db = openDatabase(join(tempDir('bcrp-config-audit-'), 'data'), { clock });
    const audit = new SqliteAuditLog(db, clock);
    const deps = { audit, history: new SqliteConfigHistory(db) };
    const who = { actor: 'installer', reason: 'provision', subject: 'shop-001' };
    const base = {
      site: { id: 'shop-001' },
      redaction: { model: 'yunet', margin: 0.25 },
      nvr: { channels: [{ id: 1, enabled: true }], password: 'hunter2-secret' },
    };
    const first = auditConfigChange(deps, base, who);
    expect(first?.action).toBe('config-change');
    expect(first?.details).toMatchObject({ first: true, config: { 'redaction.model': 'yunet' } });
    expect(auditConfigChange(deps, structuredClone(base), { ...who, actor: 'system' })).toBeUndefined();

    const changed = {
      ...base,
      redaction: { model: 'blazeface', margin: 0.25 },
      nvr: {
        channels: [
          { id: 1, enabled: true },
          { id: 2, enabled: true },
        ],
        password: 'another-secret',
      },
    };
    const second = auditConfigChange(deps, changed, { ...who, actor: 'system', reason: 'start-up' });
    expect(second?.details['changes']).toEqual({
      'redaction.model': { from: 'yunet', to: 'blazeface' },
      'nvr.channels': {
        from: [{ id: 1, enabled: true }],
        to: [
          { id: 1, enabled: true },
          { id: 2, enabled: true },
        ],
      },
    });
    const log = JSON.stringify([...audit.entries()]);
    expect(log).not.toMatch(/hunter2|another-secret/);
    expect(log).toContain('"nvr.password":"[secret]"');
    expect(audit.verify().ok).toBe(true);
    db.close();
  });
});

// The auditor's queries over the audit chain.
import { describe, expect, it } from 'vitest';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { AuditChainQueries } from '../../src/services/audit-queries.js';
import { tempDir } from '../support/tmp.js';

describe('AuditChainQueries', () => {
  it('gives the timeline newest first with filters and paging, the retention register, and export', () => {
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    const log = new SqliteAuditLog(openDatabase(tempDir('bcrp-aq-'), { clock }), clock);
    for (let i = 0; i < 600; i++) {
      log.append({ actor: i % 2 ? 'sam' : 'system', action: i % 100 === 0 ? 'delete' : 'view', subject: `s${i}` });
      clock.advance(1000);
    }
    log.append({ actor: 'system', action: 'retention-sweep', subject: 'sweep' });
    const q = new AuditChainQueries(log);
    expect(q.verify().ok).toBe(true);
    const latest = q.timeline({ limit: 3 });
    expect(latest.map((e) => e.seq)).toEqual([601, 600, 599]);
    expect(q.timeline({ beforeSeq: 599, limit: 2 }).map((e) => e.seq)).toEqual([598, 597]);
    expect(q.timeline({ actor: 'sam', limit: 2 }).every((e) => e.actor === 'sam')).toBe(true);
    const retention = q.retention(100);
    expect(retention[0]?.action).toBe('retention-sweep');
    expect(retention.filter((e) => e.action === 'delete')).toHaveLength(6);
    expect([...q.export({ from: '2026-11-23T10:00:05Z', to: '2026-11-23T10:00:09Z' })].map((e) => e.seq)).toEqual([
      6, 7, 8, 9, 10,
    ]);
  });
});

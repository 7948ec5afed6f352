// Runs the HoldService contract against the SQLite implementation.
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { tempDir } from '../support/tmp.js';
import { holdServiceContract } from './hold-service.contract.js';

holdServiceContract('SqliteHolds', async () => {
  const clock = new FixedClock(Date.now());
  const db = openDatabase(tempDir('bcrp-holds-'), { clock });
  const audit = new SqliteAuditLog(db, clock);
  db.prepare(
    `INSERT INTO incidents (id, site_id, camera, trigger_time, source, status, created_at, updated_at)
     VALUES ('inc-1', 'shop', 1, ?, 'web', 'in-review', ?, ?)`,
  ).run(clock.now().toISOString(), clock.now().toISOString(), clock.now().toISOString());
  return {
    holds: new SqliteHolds({ db, audit, clock, ids: counterIds('hold') }),
    incidentId: 'inc-1',
    advance: (ms) => clock.advance(ms),
    auditTail: (n) => [...audit.entries()].slice(-n),
  };
});

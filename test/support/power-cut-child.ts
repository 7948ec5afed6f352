// A store writer in its own process for the power-cut test (run with node --import tsx): each transaction records
// an incident and its 'trigger' audit entry together, then prints "committed <n>". In "stall" mode it opens one
// more transaction, writes an incident and 20 audit entries, prints "mid", and waits inside it to be killed.
import { writeSync } from 'node:fs';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { systemClock } from '../../src/core/ports/clock.js';

const [dataDir, mode, countText] = process.argv.slice(2);
const db = openDatabase(dataDir!, { clock: systemClock });
const audit = new SqliteAuditLog(db, systemClock);
const insert = db.prepare(
  `INSERT INTO incidents (id, site_id, camera, trigger_time, source, status, created_at, updated_at)
   VALUES (?, 'shop-001', 1, ?, 'button', 'captured', ?, ?)`,
);
const say = (line: string) => writeSync(1, `${line}\n`);
let n = (db.prepare('SELECT COUNT(*) AS c FROM incidents').get() as { c: number }).c;

const record = db.transaction((id: string, extra: number) => {
  const now = new Date().toISOString();
  insert.run(id, now, now, now);
  audit.appendInTransaction({ actor: 'button', action: 'trigger', subject: id, details: { camera: 1 } });
  for (let i = 0; i < extra; i++)
    audit.appendInTransaction({ actor: 'button', action: 'note', subject: id, details: { i } });
  if (mode === 'stall' && extra > 0) {
    say('mid');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  }
});

const target = Number(countText ?? 1_000_000);
while (n < target) {
  record.immediate(`inc-${process.pid}-${n}`, 0);
  n++;
  say(`committed ${n}`);
}
if (mode === 'stall') record.immediate(`inc-${process.pid}-torn`, 20);
db.close();

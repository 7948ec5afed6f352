// Measures the retention sweep and checkpoint verification on this machine: seeds a temporary store with
// N incidents of 5 original stills (150 KB each, encrypted), then times a sweep that deletes them all, and the
// checkpoint check of the resulting chain. Usage: npx tsx scripts/bench-retention.ts [N]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JoseSigner, joseVerifier } from '../src/adapters/crypto/checkpoint-signer.js';
import { EncryptedFiles } from '../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../src/adapters/store/sqlite-audit-log.js';
import { SqliteCheckpoints } from '../src/adapters/store/sqlite-checkpoints.js';
import { SqliteRetentionStore } from '../src/adapters/store/sqlite-retention.js';
import { openDatabase } from '../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../src/core/ports/clock.js';
import { counterIds } from '../src/core/ports/ids.js';
import { Checkpointer } from '../src/services/audit/checkpoints.js';
import { verifyAgainstCheckpoints } from '../src/services/audit/verify-checkpoints.js';
import { RetentionSweeper } from '../src/services/retention/sweeper.js';

const n = Number(process.argv[2] ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'bcrp-bench-retention-'));
try {
  const clock = new FixedClock('2026-01-01T00:00:00.000Z');
  const db = openDatabase(dir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, dir, { clock, ids: counterIds('k') });
  const image = randomBytes(150 * 1024);
  const insert = db.prepare(
    'INSERT INTO stills (id, incident_id, kind, captured_at, bytes, sha256, file, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (let i = 0; i < n; i++) {
    const id = `inc-${i}`;
    const at = clock.now().toISOString();
    db.prepare(
      'INSERT INTO incidents (id, site_id, camera, trigger_time, source, status, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?)',
    ).run(id, 'bench', at, 'button', 'captured', at, at);
    for (let s = 0; s < 5; s++) {
      const f = files.put(`incidents/${id}`, `s${s}`, image);
      insert.run(`${id}-s${s}`, id, 'original', at, f.bytes, f.sha256, f.file, f.keyId, at);
      audit.append({ actor: 'system', action: 'capture', subject: `${id}-s${s}`, details: { incidentId: id } });
    }
  }
  clock.set('2026-02-15T00:00:00.000Z');
  const sweeper = new RetentionSweeper({
    store: new SqliteRetentionStore(db),
    files,
    audit,
    clock,
    policy: { originalsDays: 30, draftsDays: 7, sentDays: 30, failedCapturesDays: 7 },
  });
  let t = performance.now();
  const r = await sweeper.sweep();
  const sweepMs = performance.now() - t;
  const signer = await JoseSigner.loadOrCreate(dir);
  const cp = new Checkpointer({
    store: new SqliteCheckpoints(db),
    audit,
    signer,
    queue: { enqueue: () => {} },
    clock,
    options: { siteId: 'bench', everyRows: 1, everyMinutes: 1 },
  });
  for (let i = 0; i < 20; i++) {
    audit.append({ actor: 'x', action: 'note', subject: '-', details: { i } });
    await cp.checkpoint();
  }
  t = performance.now();
  const v = await verifyAgainstCheckpoints(
    audit,
    cp.all().map((c) => c.jws),
    signer.publicKeyPem(),
    joseVerifier,
  );
  const verifyMs = performance.now() - t;
  console.log(
    `sweep: ${r.deleted.length} items (${n * 5} stills of 150 KB + ${n} records) in ${sweepMs.toFixed(0)} ms = ${(sweepMs / (n * 5)).toFixed(2)} ms per still`,
  );
  console.log(
    `audit verify --checkpoints: ${v.chain.entries} entries, ${v.checkpoints} checkpoints, ok=${v.ok} in ${verifyMs.toFixed(0)} ms`,
  );
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// The service modules the lead wires into `run`: a sweep at start-up (after ending expired holds), the next one
// scheduled for the configured hour, and checkpoints signed on start and stop.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JoseSigner } from '../../src/adapters/crypto/checkpoint-signer.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteCheckpoints } from '../../src/adapters/store/sqlite-checkpoints.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { SqliteRetentionStore } from '../../src/adapters/store/sqlite-retention.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { createApp } from '../../src/app/create-app.js';
import { retentionModules } from '../../src/app/retention-modules.js';
import { loadConfigFile } from '../../src/config/load.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { createLogger } from '../../src/observability/logger.js';
import { Checkpointer, type SignedCheckpoint } from '../../src/services/audit/checkpoints.js';
import { HoldService } from '../../src/services/holds/holds.js';
import { createCheckpointModule, createRetentionModule, msUntilHour } from '../../src/services/retention/module.js';
import { RetentionSweeper } from '../../src/services/retention/sweeper.js';
import { writeConfig } from '../support/config.js';
import { seedIncident } from '../support/retention-fixtures.js';
import { tempDir } from '../support/tmp.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('retention and checkpoint modules', () => {
  it('computes the wait until the next sweep hour (local time)', () => {
    const now = new Date(2026, 0, 1, 2, 30);
    expect(msUntilHour(now, 3)).toBe(30 * 60_000);
    expect(msUntilHour(new Date(2026, 0, 1, 3, 0), 3)).toBe(24 * 3_600_000);
  });

  it('sweeps at start-up, ending an expired hold first, and signs checkpoints at start and stop', async () => {
    const dir = join(tempDir('bcrp-module-'), 'data');
    const clock = new FixedClock('2026-01-01T10:00:00.000Z');
    const db = openDatabase(dir, { clock });
    const audit = new SqliteAuditLog(db, clock);
    const files = new EncryptedFiles(db, dir, { clock, ids: counterIds('k') });
    const holds = new HoldService({ holds: new SqliteHolds(db), audit, clock, ids: counterIds('h') });
    seedIncident(db, files, audit, {
      id: 'inc-1',
      at: clock.now().toISOString(),
      stills: [{ id: 'o1', kind: 'original' }],
    });
    holds.place({
      incidentId: 'inc-1',
      reason: 'r',
      expiresAt: new Date('2026-02-15T00:00:00Z'),
      actor: { name: 'mina', role: 'manager' },
    });
    clock.set('2026-03-01T00:00:00Z');
    const sweeper = new RetentionSweeper({
      store: new SqliteRetentionStore(db),
      files,
      audit,
      clock,
      policy: { originalsDays: 30, draftsDays: 7, sentDays: 30, failedCapturesDays: 7 },
    });
    const seen: number[] = [];
    const retention = createRetentionModule({
      sweeper,
      holds,
      clock,
      log: quiet,
      sweepHour: 3,
      onSweep: (r) => seen.push(r.deleted.length),
    });
    const hub: SignedCheckpoint[] = [];
    const checkpoints = createCheckpointModule({
      checkpointer: new Checkpointer({
        store: new SqliteCheckpoints(db),
        audit,
        signer: await JoseSigner.loadOrCreate(dir),
        queue: { enqueue: (c) => hub.push(c) },
        clock,
        options: { siteId: 's', everyRows: 1, everyMinutes: 60 },
      }),
      log: quiet,
    });
    await retention.start();
    await retention.whenIdle();
    await checkpoints.start();
    expect(seen).toEqual([2]);
    expect(hub).toHaveLength(1);
    audit.append({ actor: 'system', action: 'service-stop', subject: 's' });
    await checkpoints.stop();
    await retention.stop();
    expect(hub).toHaveLength(2);
    const actions = [...audit.entries()].map((e) => e.action);
    expect(actions.indexOf('hold-release')).toBeLessThan(actions.indexOf('delete'));
    expect(audit.verify().ok).toBe(true);
    db.close();
  });
});

describe('retentionModules(app)', () => {
  it('wires into the real app: start-up sweeps and signs a checkpoint, handed to the queue', async () => {
    const root = tempDir('bcrp-wire-');
    const loaded = loadConfigFile(writeConfig(root));
    const clock = new FixedClock('2026-04-01T00:00:00.000Z');
    const app = createApp({
      loaded,
      dataDir: join(root, 'data'),
      log: createLogger({ level: 'silent', pretty: false }),
      clock,
    });
    const queued: number[] = [];
    for (const m of retentionModules(app, { checkpointQueue: { enqueue: (c) => queued.push(c.seq) } }))
      app.lifecycle.add(m);
    await app.lifecycle.start();
    expect(app.lifecycle.status().every((s) => s.state === 'running')).toBe(true);
    const actions = [...app.audit.entries()].map((e) => e.action);
    // The first start records the configuration (config-change) before the modules run.
    expect(actions).toEqual(['service-start', 'config-change', 'retention-sweep', 'checkpoint']);
    await app.lifecycle.stop(5000);
    expect(queued).toEqual([3]);
  });
});

// Wiring for the service: builds the retention sweeper (daily + start-up sweep, holds expiry) and the audit
// checkpointer modules from the running app. `addRetention` is what the running appliance adds.
import { JoseSigner } from '../adapters/crypto/checkpoint-signer.js';
import { SqliteCheckpoints } from '../adapters/store/sqlite-checkpoints.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteRetentionStore } from '../adapters/store/sqlite-retention.js';
import { Checkpointer, type CheckpointQueue, localOnlyQueue } from '../services/audit/checkpoints.js';
import { HoldService } from '../services/holds/holds.js';
import { createCheckpointModule, createRetentionModule } from '../services/retention/module.js';
import { RetentionSweeper } from '../services/retention/sweeper.js';
import type { App } from './create-app.js';
import type { Module } from './lifecycle.js';
import type { Wiring } from './wiring.js';

export function retentionModules(app: App, options: { checkpointQueue?: CheckpointQueue } = {}): Module[] {
  const log = app.log.child({ module: 'retention' });
  const holds = new HoldService({ holds: new SqliteHolds(app.db), audit: app.audit, clock: app.clock, ids: app.ids });
  const sweeper = new RetentionSweeper({
    store: new SqliteRetentionStore(app.db),
    files: app.files,
    audit: app.audit,
    clock: app.clock,
    policy: app.config.retention,
    log,
  });
  const retention = createRetentionModule({
    sweeper,
    holds,
    clock: app.clock,
    log,
    sweepHour: app.config.retention.sweepHour,
  });
  let inner: Module | undefined;
  // The signing key is loaded asynchronously, so the checkpoint module is built when it starts.
  const checkpoints: Module = {
    name: 'audit-checkpoints',
    async start() {
      const checkpointer = new Checkpointer({
        store: new SqliteCheckpoints(app.db),
        audit: app.audit,
        signer: await JoseSigner.loadOrCreate(app.dataDir),
        queue: options.checkpointQueue ?? localOnlyQueue,
        clock: app.clock,
        options: {
          siteId: app.config.site.id,
          everyRows: app.config.retention.checkpointRows,
          everyMinutes: app.config.retention.checkpointMinutes,
        },
      });
      inner = createCheckpointModule({ checkpointer, log: app.log.child({ module: 'audit-checkpoints' }) });
      await inner.start();
    },
    async stop() {
      await inner?.stop();
    },
  };
  return [retention, checkpoints];
}

/** The retention sweeper, and the local checkpointer only when nothing is published (the publisher's are signed
 * for the hub and are then the one checkpoint path). */
export function addRetention(w: Wiring, p: { publishing: boolean }): void {
  for (const m of retentionModules(w.app)) {
    if (p.publishing && m.name === 'audit-checkpoints') continue;
    w.app.lifecycle.add(m);
  }
}

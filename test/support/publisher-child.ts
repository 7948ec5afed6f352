// A device publisher in its own process, for the crash test: loads the appliance configuration, opens the data
// dir and drains the outbox until killed. Prints "sent <id>" / "acked <id>" per row. Run with node --import tsx.

import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { createPublishModule } from '../../src/app/publish-module.js';
import { loadConfigFile } from '../../src/config/load.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';

const [configFile, dataDir, batch, interval] = process.argv.slice(2);
const loaded = loadConfigFile(configFile!);
const db = openDatabase(dataDir!, { clock: systemClock });
const mod = createPublishModule({
  config: loaded.config,
  db,
  clock: systemClock,
  ids: uuidV7Source(systemClock),
  log: { info: () => {}, warn: () => {} },
  version: 'test',
  reconnectPeriodMs: 300,
  tuning: {
    batch: Number(batch ?? 5),
    intervalMs: Number(interval ?? 50),
    ackTimeoutMs: 3000,
    baseBackoffMs: 200,
    maxBackoffMs: 2000,
    onEvent: (e) => process.stdout.write(`${e.type} ${e.id}\n`),
  },
});
await mod.start();
process.stdout.write('started\n');
process.on('SIGTERM', () => {
  void mod.stop().then(() => {
    db.close();
    process.exit(0);
  });
});

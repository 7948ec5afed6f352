// A police-master acquisition over a data dir and a running emulator, without the rest of the appliance: for the
// kill -9 child and the test that resumes after it. No vitest import (a plain node child runs it).
import { IsapiClient } from '../../src/adapters/nvr/isapi/client.js';
import { IsapiFootage } from '../../src/adapters/nvr/isapi/footage.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteEvidenceMasters } from '../../src/adapters/store/sqlite-evidence-masters.js';
import { type Db, openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import { MasterAcquisition } from '../../src/services/evidence/master-acquisition.js';

export interface Acquirer {
  db: Db;
  audit: SqliteAuditLog;
  masters: SqliteEvidenceMasters;
  incidents: SqliteIncidents;
  acquisition: MasterAcquisition;
  close(): Promise<void>;
}

export function acquirer(
  dataDir: string,
  emu: { httpPort: number; rtspPort: number; username: string; password: string },
  window = { pre: 6, post: 2 },
): Acquirer {
  const clock = systemClock;
  const ids = uuidV7Source(clock);
  const db = openDatabase(dataDir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, dataDir, { clock, ids });
  const masters = new SqliteEvidenceMasters(db, { audit, clock, ids, files });
  const incidents = new SqliteIncidents(db, { clock, ids, audit });
  const isapi = new IsapiClient({
    scheme: 'http',
    host: '127.0.0.1',
    port: emu.httpPort,
    username: emu.username,
    password: emu.password,
    timeoutMs: 10_000,
  });
  const acquisition = new MasterAcquisition({
    masters,
    footage: new IsapiFootage(isapi, {
      host: '127.0.0.1',
      rtspPort: emu.rtspPort,
      username: emu.username,
      password: emu.password,
      stallMs: 10_000,
    }),
    files,
    clock,
    incident: (id) => incidents.get(id),
    settings: {
      clipPreSeconds: window.pre,
      clipPostSeconds: window.post,
      waitSeconds: 0,
      pollSeconds: 1,
      settleSeconds: 0,
      retryMinutes: 1,
      maxAttempts: 3,
    },
  });
  return {
    db,
    audit,
    masters,
    incidents,
    acquisition,
    close: async () => {
      await acquisition.stop();
      await isapi.close();
      db.close();
    },
  };
}

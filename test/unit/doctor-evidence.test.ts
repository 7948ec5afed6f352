// doctor's police-master line over a real store: the disk the sealed masters use against evidence.maxBytes and how
// much is held, a warning when held masters fill the limit, and one when the recorder's clock was over 2 s out.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evidenceCheck } from '../../src/adapters/doctor/evidence-check.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteEvidenceMasters } from '../../src/adapters/store/sqlite-evidence-masters.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { parseConfig } from '../../src/config/load.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import type { DoctorContext } from '../../src/services/doctor.js';
import { HoldService } from '../../src/services/holds/holds.js';
import { tempDir } from '../support/tmp.js';

const NOW = new Date('2026-11-23T10:00:00Z');

async function store(sizes: { bytes: number; held: boolean; offsetMs: number }[]): Promise<string> {
  const dir = tempDir();
  const clock = new FixedClock(NOW);
  const ids = counterIds('id');
  const db = openDatabase(dir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, dir, { clock, ids });
  const masters = new SqliteEvidenceMasters(db, { audit, clock, ids, files });
  const incidents = new SqliteIncidents(db, { clock, ids, audit });
  const holds = new HoldService({ holds: new SqliteHolds(db), audit, clock, ids });
  for (const s of sizes) {
    const incidentId = incidents.create({ siteId: 'shop-1', camera: 1, triggerTime: NOW, source: 'button' }).id;
    const m = masters.begin({ incidentId, camera: 1, windowFrom: NOW.toISOString(), windowTo: NOW.toISOString() });
    const stored = await files.putStream(
      `masters/${incidentId}`,
      m.id,
      (async function* () {
        yield Buffer.alloc(16);
      })(),
    );
    masters.seal(
      m.id,
      {
        method: 'isapi-download',
        recorderName: 'ch01.mp4',
        container: 'mp4',
        sha256: stored.sha256,
        bytes: s.bytes,
        file: stored.file,
        keyId: stored.keyId,
        recorderFrom: NOW.toISOString(),
        recorderTo: NOW.toISOString(),
        recorderEnd: null,
        complete: true,
        clockOffsetMs: s.offsetMs,
        clockSource: 'isapi',
        clockReadAt: NOW.toISOString(),
        recorder: null,
      },
      'system',
      {},
    );
    clock.advance(1000);
    if (s.held) holds.place({ incidentId, reason: 'police investigation', actor: { name: 'mina', role: 'manager' } });
  }
  db.close();
  return dir;
}

function ctx(dataDir: string, maxBytes: number): DoctorContext {
  const file = join(dataDir, 'config.yaml');
  writeFileSync(join(dataDir, 'pw'), 'x');
  return {
    configFile: file,
    loaded: parseConfig(`site: {id: shop-001}\nnvr: {passwordFile: pw}\nevidence: {maxBytes: ${maxBytes}}\n`, file),
    configProblems: [],
    dataDir,
    env: {},
    clock: new FixedClock(NOW),
    packageRoot: dataDir,
    exec: async () => ({ code: 0, stdout: '', stderr: '' }),
  };
}

describe('doctor: police masters', () => {
  it('shows the use against evidence.maxBytes and how much is held', async () => {
    const dir = await store([
      { bytes: 300_000_000, held: true, offsetMs: 400 },
      { bytes: 200_000_000, held: false, offsetMs: -300 },
    ]);
    const r = await evidenceCheck.run(ctx(dir, 1_000_000_000));
    expect(r).toEqual({
      status: 'ok',
      detail:
        '2 sealed master(s) use 0.50 GB of evidence.maxBytes 1.00 GB (50%), 1 under a hold (0.30 GB); recorder clock -0.3 s at the last one',
    });
  });

  it('warns when held masters fill the limit, and when the recorder clock was over 2 s out', async () => {
    const full = await store([{ bytes: 950_000_000, held: true, offsetMs: 0 }]);
    const r = await evidenceCheck.run(ctx(full, 1_000_000_000));
    expect(r.status).toBe('warn');
    expect(r.fix).toMatch(/Release holds the police no longer need, or raise evidence\.maxBytes/);
    const skewed = await store([{ bytes: 1000, held: false, offsetMs: 3200 }]);
    const s = await evidenceCheck.run(ctx(skewed, 1_000_000_000));
    expect(s.status).toBe('warn');
    expect(s.detail).toMatch(/recorder clock \+3\.2 s at the last one$/);
    expect(s.fix).toMatch(/more than 2 s out/);
  });
});

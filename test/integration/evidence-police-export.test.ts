// `police export` of a held incident with its police master, end to end: the master acquired from the NVR emulator
// (real ISAPI download, SQLite, encrypted files), then the real CLI writes master, working copy, hashes, continuity
// and the witness statement; `sha256sum -c` passes; the master's bytes are the recorder's. Retention then keeps the
// master while the hold lasts and shreds it with a tombstone once it ends.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteDrafts } from '../../src/adapters/store/sqlite-drafts.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { SqliteRetentionStore } from '../../src/adapters/store/sqlite-retention.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { masterReader } from '../../src/app/evidence-module.js';
import type { MasterRecord } from '../../src/core/evidence.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { HoldService } from '../../src/services/holds/holds.js';
import { RetentionSweeper } from '../../src/services/retention/sweeper.js';
import { runCli } from '../support/cli.js';
import { type EvidenceRig, evidenceRig, probe } from '../support/evidence.js';
import { seedUser } from '../support/retention-fixtures.js';

const run = promisify(execFile);
let rig: EvidenceRig;
let incidentId: string;
let master: MasterRecord;
let holdId: string;
let out: string;
const manager = { name: 'mina', role: 'manager' as const };

beforeAll(async () => {
  rig = await evidenceRig({ emulator: { quirks: ['clock-skew'], clockSkewMs: 3000 } });
  const incident = rig.capture.trigger({ camera: 1, source: 'button', actor: 'test' });
  incidentId = incident.id;
  expect(await rig.settled(incidentId)).toEqual({ sealed: true });
  await rig.capture.whenIdle();
  master = masterReader(rig.app).sealedMaster(incidentId)!;
  const { app } = rig;
  seedUser(app.db, 'mina', 'manager');
  new SqliteDrafts(app.db, app.clock).set(
    incidentId,
    {
      subject: { stillId: 'none', face: 0 },
      extraBoxes: [],
      category: 'theft',
      contextStills: [],
      description: 'Man in a red coat takes two bottles',
    },
    'sam',
  );
  holdId = new HoldService({ holds: new SqliteHolds(app.db), audit: app.audit, clock: app.clock, ids: app.ids }).place({
    incidentId,
    reason: 'police investigation',
    reference: 'CR/17/26',
    actor: manager,
  }).id;
  await rig.stop();
  out = join(rig.dir, 'police-1');
}, 90_000);

const cli = (...args: string[]) => runCli([...args, '--data-dir', join(rig.dir, 'data'), '--config', rig.configFile]);

describe('evidence show', () => {
  it("says where the incident's master stands: method, hash, recorder clock", async () => {
    const text = await cli('evidence', 'show', incidentId);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`police master of ${incidentId}: sealed`);
    expect(text.stdout).toContain(`sha256      ${master.sha256}`);
    expect(text.stdout).toMatch(/recorder {4}clock \+\d\.\d s against the appliance/);
    const json = JSON.parse((await cli('evidence', 'show', incidentId, '--json')).stdout);
    expect(json).toMatchObject({ state: 'sealed', method: 'isapi-download', sha256: master.sha256 });
    const none = await cli('evidence', 'show', 'no-such-incident');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no police master');
  });
});

describe('police export with the recorder footage', () => {
  it('writes master, working copy, hashes, continuity and a pre-filled witness statement that sha256sum -c accepts', async () => {
    const r = await cli(
      'police',
      'export',
      incidentId,
      '--officer',
      'PC 1234 Jones',
      '--reference',
      'CR/17/26',
      '--actor',
      'mina',
      '-o',
      out,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.footage).toMatchObject({ sha256: master.sha256, method: 'isapi-download' });
    // Every file listed checks out, with the standard tool.
    const check = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out });
    expect(check.stdout).toContain(`master/${master.recorderName}: OK`);
    expect(check.stdout).toMatch(/working\/ch01_.*-WORKING-COPY\.mp4: OK/);
    // The master is the recorder's own file: same bytes (hash) as the emulator served, its name kept.
    const served = rig.emu.downloads[0]!;
    // Asked for in the recorder's own time (its clock runs ahead), and it had all of it.
    const hik = (iso: string) => iso.slice(0, 19).replace(/[-:]/g, '');
    expect(served.name).toBe(`ch01_${hik(master.recorderFrom!)}_${hik(master.recorderTo!)}.mp4`);
    expect(master.complete).toBe(true);
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toContain(`${served.sha256}  master/${served.name}`);
    // The working copy is an H.264 MP4 of about the window's length.
    const working = readdirSync(join(out, 'working')).find((f) => f.endsWith('-WORKING-COPY.mp4'))!;
    const p = await probe(join(out, 'working', working));
    expect(p.codec).toBe('h264');
    expect(p.format).toContain('mp4');
    expect(Math.abs(p.duration - 8)).toBeLessThan(1.5);
    // Continuity: method, recorder, clock offset, and the acquisition row among the custody lines.
    const continuity = JSON.parse(readFileSync(join(out, 'continuity.json'), 'utf8'));
    expect(continuity.master).toMatchObject({
      sha256: master.sha256,
      method: 'isapi-download',
      recorder: { make: 'Hikvision', model: 'DS-7608NI-EMU' },
      recorderClock: { offsetMs: master.clockOffsetMs, source: 'isapi' },
    });
    expect(continuity.custody.some((c: { action: string }) => c.action === 'evidence-acquire')).toBe(true);
    // The statement: the offset, the exhibit, the hashes, the reviewer's description, blanks for the person.
    const text = readFileSync(join(out, 'witness-statement.txt'), 'utf8');
    const offset = (master.clockOffsetMs! / 1000).toFixed(1);
    expect(text).toContain(`the recorder's clock was ${offset} s ahead of the appliance's NTP-synchronised clock`);
    expect(text).toContain(`Exhibit reference (master): ${result.footage.exhibit}`);
    expect(text).toContain(master.sha256!);
    expect(text).toContain(result.workingCopy.sha256);
    expect(text).toContain('DS-7608NI-EMU');
    expect(text).toContain('Man in a red coat takes two bottles');
    expect(text).toContain('Handed to (officer, number): PC 1234 Jones');
    expect(text).toMatch(/^Name: _{10,}$/m);
    expect(text).toMatch(/^Signature: _{10,}$/m);
    const html = readFileSync(join(out, 'witness-statement.html'), 'utf8');
    expect(html).toContain(`${offset} s ahead`);
    expect(html).toContain(master.sha256!);
    // The export is in the disclosure register, with the master's hash, and the chain verifies.
    const verify = await runCli(['audit', 'verify', '--data-dir', join(rig.dir, 'data'), '--json']);
    expect(verify.code).toBe(0);
    const db = openDatabase(join(rig.dir, 'data'), { clock: new FixedClock(new Date()) });
    try {
      const row = [...new SqliteAuditLog(db, new FixedClock(new Date())).entries()].find(
        (e) => e.action === 'police-export',
      );
      expect(row?.details).toMatchObject({ recipient: 'PC 1234 Jones', master: { sha256: master.sha256 } });
    } finally {
      db.close();
    }
  }, 60_000);

  it('retention keeps the master under the hold, then shreds it with a tombstone once the hold ends', async () => {
    const dataDir = join(rig.dir, 'data');
    const later = new FixedClock(new Date(new Date(master.windowFrom).getTime() + 31 * 86_400_000));
    const db = openDatabase(dataDir, { clock: later });
    try {
      const audit = new SqliteAuditLog(db, later);
      const files = new EncryptedFiles(db, dataDir, { clock: later, ids: counterIds('t') });
      const sweeper = new RetentionSweeper({
        store: new SqliteRetentionStore(db),
        files,
        audit,
        clock: later,
        policy: { originalsDays: 30, draftsDays: 30, sentDays: 30, failedCapturesDays: 7 },
      });
      const held = await sweeper.sweep();
      expect(held.held.map((h) => h.incidentId)).toEqual([incidentId]);
      expect(existsSync(join(dataDir, master.file!))).toBe(true);
      new HoldService({ holds: new SqliteHolds(db), audit, clock: later, ids: counterIds('h') }).release({
        holdId,
        actor: manager,
      });
      const swept = await sweeper.sweep();
      expect(swept.failures).toEqual([]);
      expect(swept.deleted.find((d) => d.target === 'master')).toMatchObject({ id: master.id, incidentId });
      expect(existsSync(join(dataDir, master.file!))).toBe(false);
      const tomb = [...audit.entries()].find((e) => e.action === 'delete' && e.details['target'] === 'master');
      expect(tomb?.details).toMatchObject({ sha256: master.sha256, bytes: master.bytes, keyDiscarded: true });
      // The incident record went too: nothing of it is left but the chain, which verifies.
      expect(db.prepare('SELECT COUNT(*) AS n FROM evidence_masters').get()).toEqual({ n: 0 });
      expect(audit.verify().ok).toBe(true);
    } finally {
      db.close();
    }
  });
});

// The compliance report as an auditor gets it: every principle and BCRP rule, live evidence from the store, and
// problems flagged (no sweep yet, items overdue) until the appliance has done its work.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { seedIncident, seedUser } from '../support/retention-fixtures.js';
import { tempDir } from '../support/tmp.js';

const root = tempDir('bcrp-compliance-');
const config = writeConfig(root, { mqtt: { url: 'mqtts://127.0.0.1:8883' } });
const data = join(root, 'data');
const cli = (...args: string[]) => runCli([...args, '--data-dir', data, '--config', config]);

beforeAll(() => {
  const clock = new FixedClock('2026-01-01T10:00:00.000Z');
  const db = openDatabase(data, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, data, { clock, ids: counterIds('k') });
  seedUser(db, 'mina', 'manager');
  seedIncident(db, files, audit, {
    id: 'inc-<1>',
    at: '2026-01-01T10:00:00.000Z',
    stills: [{ id: 'o1', kind: 'original' }],
  });
  db.close();
});

describe('bcrp-edge compliance report', () => {
  it('covers the 12 principles and the BCRP rules and flags an overdue original before any sweep', async () => {
    const out = join(root, 'before.html');
    const r = await cli('compliance', 'report', '-o', out, '--now', '2026-03-01T00:00:00Z');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/needs attention: .*P6/);
    const html = readFileSync(out, 'utf8');
    for (let i = 1; i <= 12; i++) expect(html).toContain(`id="P${i}"`);
    for (const b of ['B1', 'B2', 'B3', 'B4', 'B5', 'B6']) expect(html).toContain(`id="${b}"`);
    expect(html).toMatch(/No retention sweep has run yet/);
    expect(html).toMatch(/1 item\(s\) are past their retention period|2 item\(s\) are past their retention period/);
    expect(html).toMatch(/Display CCTV signage/);
    expect(html).toMatch(/docs\/dpia-template.md/);
    expect(html).not.toMatch(/<script/);
  });

  it('shows the sweep, the checkpoint and the hold as evidence once they exist, escaping what it prints', async () => {
    expect((await cli('retention', 'sweep', '--now', '2026-03-01T00:00:00Z')).code).toBe(0);
    expect((await cli('audit', 'checkpoint')).code).toBe(0);
    const out = join(root, 'after.html');
    const r = await cli('compliance', 'report', '-o', out, '--now', '2026-03-01T01:00:00Z', '--json');
    const json = JSON.parse(r.stdout);
    expect(json.principles.find((p: { id: string }) => p.id === 'P6').status).toBe('ok');
    expect(json.principles.find((p: { id: string }) => p.id === 'P10').status).toBe('ok');
    expect(json.evidence.lastSweep).toMatchObject({ outcome: 'done', deleted: 2 });
    expect(json.evidence.chain.ok).toBe(true);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/Last sweep 2026-03-01T00:00:00.000Z \(done\): 2 deleted/);
    // No hub in this configuration: the checkpoint is called local, never "for the hub".
    expect(html).toMatch(
      /No hub is configured: signed checkpoints are kept on this appliance only \(the last at entry \d+/,
    );
    expect(html).not.toMatch(/checkpoints? (for|sent to) the hub/);
    expect(html).toMatch(/No hub is configured: nothing is published/);
    // The hub's retention statements are the hub code's own (HUB_RETENTION_STATEMENTS, checked against the rule).
    expect(html).toMatch(/The hub computes this from the reports it holds about the same subject reference/);
    expect(html).toMatch(
      /linked while the subject is shared extends sharing of everything about the subject to 24 months/,
    );
    expect(html).not.toContain('inc-<1>');
    const byId = (id: string) =>
      [...json.principles, ...json.bcrp].find((p: { id: string }) => p.id === id) as {
        evidence: string[];
        status: string;
        operator: string[];
      };
    expect(byId('P4').evidence.join('\n')).toMatch(
      /Checked now: each of the \d+ incident\(s\), 0 packet\(s\) and 0 hold/,
    );
    expect(byId('P4').status).toBe('operator');
    expect(byId('P11').evidence.join('\n')).toMatch(/No police export in the last 90 days/);
    expect(byId('B1').evidence.join('\n')).toMatch(/No packet was queued in the last 90 days/);
    expect(byId('P12').evidence.join('\n')).toMatch(/Face model in use: .*a face detector/);
    // What people must do is worded as such, in every finding.
    for (const f of [...json.principles, ...json.bcrp] as { operator: string[] }[])
      for (const line of f.operator) expect(line).toMatch(/^(The operator must|The partnership must|Until the hub)/);
  });

  it('names a stored incident that has no audit entry (P4), rather than claiming every action is audited', async () => {
    const db = openDatabase(data, { clock: new FixedClock('2026-03-01T04:00:00.000Z') });
    db.prepare(
      `INSERT INTO incidents (id, site_id, camera, trigger_time, source, status, category, created_at, updated_at)
       VALUES ('inc-unlogged', 'shop-001', 1, ?, 'button', 'captured', 'theft', ?, ?)`,
    ).run('2026-03-01T04:00:00.000Z', '2026-03-01T04:00:00.000Z', '2026-03-01T04:00:00.000Z');
    db.close();
    const r = await cli('compliance', 'report', '--json', '--now', '2026-03-01T05:00:00Z');
    const p4 = (
      JSON.parse(r.stdout) as { principles: { id: string; evidence: string[]; status: string }[] }
    ).principles.find((p) => p.id === 'P4')!;
    expect(p4.status).toBe('attention');
    expect(p4.evidence.join('\n')).toMatch(/CHECK FAILED: .*incident inc-unlogged has no trigger entry/);
  });

  it('checks the stored files when it is made: a readable JPEG on disk is flagged, not asserted away', async () => {
    const clock = new FixedClock('2026-03-01T02:00:00.000Z');
    const db = openDatabase(data, { clock });
    const files = new EncryptedFiles(db, data, { clock, ids: counterIds('plain') });
    seedIncident(db, files, new SqliteAuditLog(db, clock), {
      id: 'inc-plain',
      at: '2026-03-01T02:00:00.000Z',
      stills: [{ id: 'p1', kind: 'original' }],
    });
    const file = (db.prepare("SELECT file FROM stills WHERE id = 'p1'").get() as { file: string }).file;
    db.close();
    writeFileSync(join(data, file), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
    const r = await cli('compliance', 'report', '--json', '--now', '2026-03-01T03:00:00Z');
    const p7 = (
      JSON.parse(r.stdout) as { principles: { id: string; evidence: string[]; status: string }[] }
    ).principles.find((p) => p.id === 'P7')!;
    expect(p7.status).toBe('attention');
    expect(p7.evidence.join('\n')).toMatch(/CHECK FAILED: of 1 stored image file\(s\), 1 are readable JPEGs/);
  });

  it('needs -o or --json', async () => {
    expect((await cli('compliance', 'report')).code).toBe(2);
  });
});

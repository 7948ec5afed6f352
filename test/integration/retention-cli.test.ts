// The retention and hold commands as an operator runs them: time travel with --now, dry runs, a clock that went
// backwards, holds placed and released by a manager, and the registers exported as CSV.
import { existsSync, readFileSync } from 'node:fs';
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

const root = tempDir('bcrp-retention-cli-');
const config = writeConfig(root);
const data = join(root, 'data');
const T0 = '2026-05-01T09:00:00.000Z';
const cli = (...args: string[]) => runCli([...args, '--data-dir', data, '--config', config]);
const cliNoConfig = (...args: string[]) => runCli([...args, '--data-dir', data]);

beforeAll(() => {
  const clock = new FixedClock(T0);
  const db = openDatabase(data, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, data, { clock, ids: counterIds('k') });
  seedUser(db, 'mina', 'manager');
  seedUser(db, 'sam', 'staff');
  seedIncident(db, files, audit, { id: 'inc-1', at: T0, stills: [{ id: 's1-orig', kind: 'original' }] });
  seedIncident(db, files, audit, { id: 'inc-2', at: T0, stills: [{ id: 's2-orig', kind: 'original' }] });
  db.close();
});

describe('bcrp-edge retention sweep and hold', () => {
  it('a dry run on day 31 lists both originals and deletes nothing', async () => {
    const r = await cli('retention', 'sweep', '--now', '2026-06-01T09:00:00Z', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 item\(s\) due \(dry run, nothing deleted\)/);
    expect(r.stdout).toMatch(/still s1-orig: original still .* \[retention.originalsDays=30\]/);
    expect(existsSync(join(data, 'files', 'incidents', 'inc-1', 's1-orig.enc'))).toBe(true);
  });

  it('only a manager account may place a hold; the hold keeps inc-2 past day 30', async () => {
    const staff = await cliNoConfig(
      'hold',
      'place',
      'inc-2',
      '--reason',
      'police',
      '--actor',
      'sam',
      '--now',
      '2026-05-02T09:00:00Z',
    );
    expect(staff.code).toBe(1);
    expect(staff.stderr).toMatch(/only a manager may place an evidence hold/);
    const nobody = await cliNoConfig('hold', 'place', 'inc-2', '--reason', 'police', '--actor', 'ghost');
    expect(nobody.stderr).toMatch(/no web account named ghost/);
    const placed = await cliNoConfig(
      'hold',
      'place',
      'inc-2',
      '--reason',
      'police investigation',
      '--reference',
      'CR/77/26',
      '--expires',
      '2026-09-01T00:00:00Z',
      '--actor',
      'mina',
      '--now',
      '2026-05-02T09:00:00Z',
      '--json',
    );
    expect(placed.code).toBe(0);
    expect(JSON.parse(placed.stdout)).toMatchObject({ incidentId: 'inc-2', reference: 'CR/77/26', active: true });
    const list = await cliNoConfig('hold', 'list', '--now', '2026-05-03T00:00:00Z');
    expect(list.stdout).toMatch(/inc-2 {2}active {2}by mina/);
  });

  it('the sweep on day 31 deletes inc-1 and keeps the held inc-2, saying why', async () => {
    const r = await cli('retention', 'sweep', '--now', '2026-06-01T09:00:00Z', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.deleted.map((d: { id: string }) => d.id)).toEqual(['s1-orig', 'inc-1']);
    expect(out.held[0]).toMatchObject({ incidentId: 'inc-2' });
    expect(out.held[0].reason).toMatch(/CR\/77\/26/);
    expect(existsSync(join(data, 'files', 'incidents', 'inc-1', 's1-orig.enc'))).toBe(false);
    expect(existsSync(join(data, 'files', 'incidents', 'inc-2', 's2-orig.enc'))).toBe(true);
  });

  it('refuses to sweep with a clock two days behind the last sweep, unless told to trust it', async () => {
    const r = await cli('retention', 'sweep', '--now', '2026-05-30T09:00:00Z');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/warning: .*jumped backwards, so nothing was deleted/);
    const whatIf = await cli('retention', 'sweep', '--now', '2026-05-30T09:00:00Z', '--dry-run');
    expect(whatIf.code).toBe(0);
    expect(whatIf.stderr).toMatch(/warning: .*jumped backwards/);
    const forced = await cli('retention', 'sweep', '--now', '2026-05-30T09:00:00Z', '--trust-clock');
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/ran with --trust-clock/);
  });

  it('the hold expires by itself on 1 September and the next sweep deletes inc-2', async () => {
    const r = await cli('retention', 'sweep', '--now', '2026-09-01T03:00:00Z');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hold .* on inc-2 expired/);
    expect(r.stdout).toMatch(/still s2-orig/);
    // The incident is gone and its ended hold with it; the hold's history stays in the audit chain.
    const list = await cliNoConfig('hold', 'list', '--all', '--json');
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('every deletion is in the media register CSV and the chain still verifies', async () => {
    const file = join(root, 'media.csv');
    const r = await cliNoConfig('audit', 'register', 'media', '-o', file);
    expect(r.code).toBe(0);
    const csv = readFileSync(file, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('seq,time,action,by,media,incident,remarks');
    const deletes = lines.filter((l) => l.includes(',delete,'));
    expect(deletes.map((l) => l.split(',')[4])).toEqual(['s1-orig', 'inc-1', 's2-orig', 'inc-2']);
    expect(deletes[0]).toMatch(
      /,retention \(--now 2026-06-01T09:00:00Z\),s1-orig,inc-1,"original still \(unredacted, encrypted\): recorded on 2026-05-01/,
    );
    expect(lines.some((l) => l.includes(',hold-place,mina,'))).toBe(true);
    expect(lines.some((l) => l.includes(',hold-release,system,') && l.includes('why=expired'))).toBe(true);
    const again = await cliNoConfig('audit', 'register', 'media', '-o', file);
    expect(again.stderr).toMatch(/already exists/);
    const v = await cliNoConfig('audit', 'verify');
    expect(v.code).toBe(0);
  });

  it('refuses a --now in the future for anything but a dry run', async () => {
    const future = new Date(Date.now() + 400 * 86_400_000).toISOString();
    const real = await cli('retention', 'sweep', '--now', future);
    expect(real.code).toBe(2);
    expect(real.stderr).toMatch(/is in the future: that would act early/);
    expect((await cli('retention', 'sweep', '--now', future, '--dry-run')).code).toBe(0);
    expect(
      (await cliNoConfig('hold', 'place', 'inc-2', '--reason', 'r', '--actor', 'mina', '--now', future)).code,
    ).toBe(2);
  });

  it('rejects bad input with a usage error', async () => {
    expect((await cli('retention', 'sweep', '--now', 'yesterday')).code).toBe(2);
    expect((await cliNoConfig('audit', 'register', 'visitors', '-o', 'x.csv')).stderr).toMatch(/media or disclosure/);
    expect((await cliNoConfig('hold', 'place', 'inc-9', '--actor', 'mina')).stderr).toMatch(/--reason is required/);
  });
});

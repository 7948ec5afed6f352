// Subject access and police exports: the requester's stills go through the Redactor (a recording fake here) with
// only their own face kept, the folder holds a manifest and a signed cover sheet, failures leave nothing behind,
// and every export lands in the disclosure register. Police exports need a hold and a manager.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joseVerifier } from '../../src/adapters/crypto/checkpoint-signer.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteStillChecks } from '../../src/adapters/store/sqlite-still-checks.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { setRedactorFactory } from '../../src/cli/sar.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { sha256 } from '../../src/services/sar/export-folder.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { RecordingRedactor } from '../support/recording-redactor.js';
import { seedIncident, seedUser } from '../support/retention-fixtures.js';
import { tempDir } from '../support/tmp.js';

const root = tempDir('bcrp-sar-');
const config = writeConfig(root);
const data = join(root, 'data');
const cli = (...args: string[]) => runCli([...args, '--data-dir', data, '--config', config]);
const redactor = new RecordingRedactor();
const original = (id: string) => Buffer.from(`JPEG original ${id}`);
/** o5's stored face check: not what the detector would say now, so a result taken from it is recognisable. */
const storedFaces = [
  { box: [30, 20, 12, 12] as [number, number, number, number], score: 0.95 },
  { box: [2, 30, 8, 8] as [number, number, number, number], score: 0.7 },
];

beforeAll(() => {
  setRedactorFactory(async () => redactor);
  const clock = new FixedClock('2026-08-01T12:00:00.000Z');
  const db = openDatabase(data, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, data, { clock, ids: counterIds('k') });
  seedUser(db, 'mina', 'manager');
  seedUser(db, 'sam', 'staff');
  seedIncident(db, files, audit, {
    id: 'inc-1',
    at: '2026-08-01T11:00:00.000Z',
    camera: 2,
    stills: [
      { id: 'o1', kind: 'original', bytes: original('o1') },
      { id: 'o2', kind: 'original', bytes: original('o2') },
      { id: 'r1', kind: 'redacted' },
    ],
  });
  seedIncident(db, files, audit, {
    id: 'inc-2',
    at: '2026-08-01T11:30:00.000Z',
    camera: 2,
    stills: [{ id: 'o3', kind: 'original', bytes: original('o3') }],
  });
  seedIncident(db, files, audit, {
    id: 'inc-3',
    at: '2026-08-01T11:40:00.000Z',
    camera: 1,
    stills: [{ id: 'o4', kind: 'original', bytes: original('o4') }],
  });
  // Capture checked o5's faces and stored them (as the incident desk does); o6 predates stored checks.
  seedIncident(db, files, audit, {
    id: 'inc-5',
    at: '2026-08-01T11:50:00.000Z',
    camera: 3,
    stills: [
      { id: 'o5', kind: 'original', bytes: original('o5') },
      { id: 'o6', kind: 'original', bytes: original('o6') },
    ],
  });
  new SqliteStillChecks(db, files, { ids: counterIds('c'), clock }).save('inc-5', 'o5', {
    width: 64,
    height: 48,
    faces: storedFaces,
  });
  db.close();
});

afterAll(() => {
  setRedactorFactory(async () => {
    throw new Error('no redactor');
  });
});

describe('bcrp-edge sar export', () => {
  it("redacts every original through the Redactor, keeping only the requester's face, with a signed cover sheet", async () => {
    const out = join(root, 'sar-1');
    const r = await cli(
      'sar',
      'export',
      '--incident',
      'inc-1',
      '--keep',
      'o1=10,20,30,40',
      '--reference',
      'SAR-2026-007',
      '--actor',
      'mina',
      '-o',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote 2 redacted image\(s\) from 1 incident/);
    expect(r.stdout).toMatch(/1 image\(s\) have every face obscured/);
    // The redactor saw the decrypted originals (never the derived redacted still), with the keep box only for o1.
    expect(redactor.calls.map((c) => c.image.toString())).toEqual(['JPEG original o1', 'JPEG original o2']);
    expect(redactor.calls[0]?.keep).toEqual([[10, 20, 30, 40]]);
    expect(redactor.calls[1]?.keep).toBeUndefined();
    // Only redactor output is in the folder.
    const images = readdirSync(join(out, 'images')).sort();
    expect(images).toEqual(['inc-1-o1.jpg', 'inc-1-o2.jpg']);
    for (const f of images)
      expect(
        readFileSync(join(out, 'images', f))
          .subarray(0, 9)
          .toString(),
      ).toBe('REDACTED:');
    const manifestText = readFileSync(join(out, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText);
    expect(manifest).toMatchObject({ type: 'bcrp-sar-export', reference: 'SAR-2026-007', createdBy: 'mina' });
    expect(manifest.items[0]).toMatchObject({
      stillId: 'o1',
      requesterShown: true,
      sha256: sha256(readFileSync(join(out, 'images', 'inc-1-o1.jpg'))),
    });
    const cover = await joseVerifier.verify(
      readFileSync(join(out, 'cover-sheet.jws'), 'utf8').trim(),
      readFileSync(join(out, 'signing-key.pub.pem'), 'utf8'),
    );
    expect(cover.payload).toMatchObject({
      type: 'bcrp-sar-cover-sheet',
      reference: 'SAR-2026-007',
      images: 2,
      manifestSha256: sha256(manifestText),
    });
    expect(readFileSync(join(out, 'cover-sheet.txt'), 'utf8')).toMatch(/within 30 days/);
  });

  it('lists faces numbered left to right, and --keep STILL=#N keeps that face', async () => {
    const list = await cli('sar', 'faces', '--incident', 'inc-1', '--actor', 'mina');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /o1 {2}\(incident inc-1, .*\): 2 face\(s\)\n {2}#1 {2}x=1 y=1 10x10 {2}score 0.90\n {2}#2 {2}x=40 y=5/,
    );
    // Decrypting originals to find faces is a view of them: audited with who, which stills and why.
    const audit = await cli('audit', 'export', '-o', join(root, 'after-faces.jsonl'));
    expect(audit.code).toBe(0);
    const views = readFileSync(join(root, 'after-faces.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { actor: string; action: string; details: Record<string, unknown> })
      .filter((e) => e.action === 'view' && e.details['purpose'] === 'sar-faces');
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ actor: 'mina', details: { stills: ['o1', 'o2'], originals: true } });
    expect(views[0]?.details['why']).toMatch(/subject access request/);
    redactor.calls.length = 0;
    const r = await cli(
      'sar',
      'export',
      '--incident',
      'inc-1',
      '--keep',
      'o2=#2',
      '--reference',
      'SAR-10',
      '--actor',
      'mina',
      '-o',
      join(root, 'sar-face'),
    );
    expect(r.code).toBe(0);
    expect(redactor.calls.map((c) => c.keep)).toEqual([undefined, [[40, 5, 10, 10]]]);
    const bad = await cli(
      'sar',
      'export',
      '--incident',
      'inc-1',
      '--keep',
      'o2=#5',
      '--reference',
      'SAR-11',
      '--actor',
      'mina',
      '-o',
      join(root, 'sar-face-bad'),
    );
    expect(bad.stderr).toMatch(/still o2 has 2 detected face\(s\); there is no face 5/);
    expect(existsSync(join(root, 'sar-face-bad'))).toBe(false);
  });

  it('uses the face check capture stored with a still, detecting only a still that has none', async () => {
    redactor.calls.length = 0;
    redactor.detected.length = 0;
    const list = await cli('sar', 'faces', '--incident', 'inc-5', '--actor', 'mina');
    expect(list.code).toBe(0);
    // o5's faces are the stored ones (numbered left to right); only o6 went through the detector.
    expect(list.stdout).toMatch(
      /o5 {2}\(incident inc-5, .*\): 2 face\(s\)\n {2}#1 {2}x=2 y=30 8x8 {2}score 0.70\n {2}#2 {2}x=30 y=20/,
    );
    expect(list.stdout).toMatch(/o6 {2}\(incident inc-5, .*\): 2 face\(s\)\n {2}#1 {2}x=1 y=1 10x10/);
    expect(redactor.detected.map((b) => b.toString())).toEqual(['JPEG original o6']);
    redactor.detected.length = 0;
    const r = await cli(
      'sar',
      'export',
      '--incident',
      'inc-5',
      '--keep',
      'o5=#2',
      '--keep',
      'o6=#1',
      '--reference',
      'SAR-12',
      '--actor',
      'mina',
      '-o',
      join(root, 'sar-stored'),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // One detection in the whole export: o6's, shared by its keep and its redaction. o5 is redacted from its
    // stored faces, keeping stored face #2.
    expect(redactor.detected.map((b) => b.toString())).toEqual(['JPEG original o6']);
    expect(redactor.calls.map((c) => [c.image.toString(), c.keep, c.faces])).toEqual([
      ['JPEG original o5', [[30, 20, 12, 12]], storedFaces],
      ['JPEG original o6', [[1, 1, 10, 10]], (await redactor.detect(Buffer.alloc(0))).faces],
    ]);
  });

  it('selects by camera and time window', async () => {
    redactor.calls.length = 0;
    const out = join(root, 'sar-2');
    const r = await cli(
      'sar',
      'export',
      '--camera',
      '2',
      '--from',
      '2026-08-01T11:15:00Z',
      '--to',
      '2026-08-01T12:00:00Z',
      '--reference',
      'SAR-8',
      '--actor',
      'mina',
      '-o',
      out,
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).incidents).toEqual(['inc-2']);
    expect(redactor.calls.map((c) => c.image.toString())).toEqual(['JPEG original o3']);
  });

  it('fails closed: a redactor failure or a missing detector leaves no folder and no disclosure', async () => {
    const before = (await runCli(['audit', 'verify', '--data-dir', data, '--json'])).stdout;
    redactor.calls.length = 0;
    redactor.failOn = 2;
    const out = join(root, 'sar-fail');
    const r = await cli('sar', 'export', '--incident', 'inc-1', '--reference', 'SAR-9', '--actor', 'mina', '-o', out);
    redactor.failOn = undefined;
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('partial'))).toEqual([]);
    setRedactorFactory(async () => {
      throw new Error('the face detector is not available');
    });
    const r2 = await cli('sar', 'export', '--incident', 'inc-1', '--reference', 'SAR-9', '--actor', 'mina', '-o', out);
    setRedactorFactory(async () => redactor);
    expect(r2.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(JSON.parse((await runCli(['audit', 'verify', '--data-dir', data, '--json'])).stdout).entries).toBe(
      JSON.parse(before).entries,
    );
  });

  it('refuses staff, unknown incidents, keep boxes for other stills and an existing folder', async () => {
    const staff = await cli(
      'sar',
      'export',
      '--incident',
      'inc-1',
      '--reference',
      'S',
      '--actor',
      'sam',
      '-o',
      join(root, 'x1'),
    );
    expect(staff.stderr).toMatch(/only a manager may answer a subject access request/);
    const unknown = await cli(
      'sar',
      'export',
      '--incident',
      'inc-404',
      '--reference',
      'S',
      '--actor',
      'mina',
      '-o',
      join(root, 'x2'),
    );
    expect(unknown.stderr).toMatch(/no incident inc-404/);
    const keep = await cli(
      'sar',
      'export',
      '--incident',
      'inc-1',
      '--keep',
      'o3=1,1,5,5',
      '--reference',
      'S',
      '--actor',
      'mina',
      '-o',
      join(root, 'x3'),
    );
    expect(keep.stderr).toMatch(/--keep names still o3, which is not in this export/);
    const exists = await cli(
      'sar',
      'export',
      '--incident',
      'inc-1',
      '--reference',
      'S',
      '--actor',
      'mina',
      '-o',
      join(root, 'sar-1'),
    );
    expect(exists.stderr).toMatch(/already exists and is not empty/);
    expect((await cli('sar', 'export', '--reference', 'S', '--actor', 'mina', '-o', 'y')).code).toBe(2);
    expect(
      (await cli('sar', 'export', '--incident', 'inc-1', '--keep', 'o1=1,2', '--reference', 'S', '-o', 'y')).code,
    ).toBe(2);
  });
});

describe('bcrp-edge police export', () => {
  it('refuses an incident without a hold, and a non-manager', async () => {
    const r = await cli(
      'police',
      'export',
      'inc-3',
      '--officer',
      'PC 1234 Jones',
      '--reference',
      'CR/1/26',
      '--actor',
      'mina',
      '-o',
      join(root, 'p0'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not under an evidence hold/);
    const staff = await cli(
      'police',
      'export',
      'inc-3',
      '--officer',
      'PC',
      '--reference',
      'CR',
      '--actor',
      'sam',
      '-o',
      join(root, 'p0'),
    );
    expect(staff.stderr).toMatch(/only a manager may export evidence/);
  });

  it('exports master and working copies identical to the originals, hashes, a signed continuity record, and registers it', async () => {
    await runCli([
      'hold',
      'place',
      'inc-3',
      '--reason',
      'police request',
      '--reference',
      'CR/99/26',
      '--actor',
      'mina',
      '--data-dir',
      data,
    ]);
    const out = join(root, 'police-1');
    const r = await cli(
      'police',
      'export',
      'inc-3',
      '--officer',
      'PC 1234 Jones',
      '--reference',
      'CR/99/26',
      '--actor',
      'mina',
      '-o',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'master', 'o4.jpg'))).toEqual(original('o4'));
    expect(readFileSync(join(out, 'working', 'o4.jpg'))).toEqual(original('o4'));
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toContain(`${sha256(original('o4'))}  master/o4.jpg`);
    const continuityText = readFileSync(join(out, 'continuity.json'), 'utf8');
    const continuity = JSON.parse(continuityText);
    expect(continuity).toMatchObject({
      handedTo: 'PC 1234 Jones',
      reference: 'CR/99/26',
      hold: { reference: 'CR/99/26' },
    });
    expect(continuity.custody.map((c: { action: string }) => c.action)).toEqual(['trigger', 'capture', 'hold-place']);
    const seal = await joseVerifier.verify(
      readFileSync(join(out, 'continuity.jws'), 'utf8').trim(),
      readFileSync(join(out, 'signing-key.pub.pem'), 'utf8'),
    );
    expect(seal.payload).toMatchObject({
      continuitySha256: sha256(continuityText),
      items: [['o4', sha256(original('o4'))]],
    });

    const csv = join(root, 'disclosures.csv');
    expect((await runCli(['audit', 'register', 'disclosure', '-o', csv, '--data-dir', data])).code).toBe(0);
    const lines = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('seq,time,action,by,recipient,reference,incidents,items,remarks');
    expect(lines.filter((l) => l.includes(',sar-export,mina,data subject (SAR),'))).toHaveLength(4);
    expect(lines.some((l) => l.includes(',police-export,mina,PC 1234 Jones,CR/99/26,inc-3,1,'))).toBe(true);
    expect((await runCli(['audit', 'verify', '--data-dir', data])).code).toBe(0);
  });
});

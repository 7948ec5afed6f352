// Time travel over a real store: originals go on day 30, drafts on day 7, sent copies 30 days after the ack,
// holds protect until released or expired, every deletion is a tombstone in the registers and the chain verifies.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteDrafts } from '../../src/adapters/store/sqlite-drafts.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { INCIDENT_CHILD_TABLES, SqliteRetentionStore } from '../../src/adapters/store/sqlite-retention.js';
import { type Db, openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { StoreError } from '../../src/core/errors.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { mediaRegister } from '../../src/core/registers.js';
import { DAY_MS } from '../../src/core/retention/policy.js';
import { HoldService } from '../../src/services/holds/holds.js';
import { RetentionSweeper } from '../../src/services/retention/sweeper.js';
import { seedIncident } from '../support/retention-fixtures.js';
import { tempDir } from '../support/tmp.js';

const T0 = '2026-03-01T10:00:00.000Z';
const policy = { originalsDays: 30, draftsDays: 7, sentDays: 30, failedCapturesDays: 7 };
const manager = { name: 'mina', role: 'manager' as const };

let dir: string;
let db: Db;
let clock: FixedClock;
let audit: SqliteAuditLog;
let files: EncryptedFiles;
let sweeper: RetentionSweeper;
let holds: HoldService;
const root = tempDir('bcrp-retention-');
let n = 0;

beforeEach(() => {
  dir = join(root, `case-${++n}`);
  clock = new FixedClock(T0);
  db = openDatabase(dir, { clock });
  audit = new SqliteAuditLog(db, clock);
  files = new EncryptedFiles(db, dir, { clock, ids: counterIds('key') });
  sweeper = new RetentionSweeper({ store: new SqliteRetentionStore(db), files, audit, clock, policy });
  holds = new HoldService({ holds: new SqliteHolds(db), audit, clock, ids: counterIds('hold') });
  return () => db.close();
});

const day = (d: number) => clock.set(new Date(T0).getTime() + d * DAY_MS);
const stillPath = (incident: string, still: string) => join(dir, 'files', 'incidents', incident, `${still}.enc`);

describe('retention sweep over time', async () => {
  it('deletes an original on day 30 only: file overwritten and gone, key discarded, tombstone audited', async () => {
    seedIncident(db, files, audit, {
      id: 'inc-a',
      at: T0,
      stills: [
        { id: 'a-orig', kind: 'original' },
        { id: 'a-red', kind: 'redacted' },
      ],
      outbox: [{ id: 'pkt-a', state: 'acked', ackedAt: T0 }],
    });
    const keyId = (db.prepare("SELECT key_id FROM stills WHERE id = 'a-orig'").get() as { key_id: string }).key_id;
    day(29.9);
    expect((await sweeper.sweep()).deleted).toEqual([]);
    expect(existsSync(stillPath('inc-a', 'a-orig'))).toBe(true);

    day(30);
    const r = await sweeper.sweep();
    expect(r.deleted.map((d) => d.id)).toEqual(['a-orig', 'a-red', 'pkt-a', 'inc-a']);
    expect(existsSync(stillPath('inc-a', 'a-orig'))).toBe(false);
    expect(db.prepare('SELECT COUNT(*) AS c FROM file_keys WHERE id = ?').get(keyId)).toEqual({ c: 0 });
    expect(() => files.get('files/incidents/inc-a/a-orig.enc', keyId)).toThrow(StoreError);
    expect(db.prepare('SELECT COUNT(*) AS c FROM incidents').get()).toEqual({ c: 0 });

    const deletes = [...audit.entries()].filter((e) => e.action === 'delete');
    expect(deletes).toHaveLength(4);
    expect(deletes[0]?.details).toMatchObject({
      what: 'original still (unredacted, encrypted)',
      when: new Date(new Date(T0).getTime() + 30 * DAY_MS).toISOString(),
      policy: 'retention.originalsDays=30',
      keyDiscarded: true,
    });
    expect(String(deletes[0]?.details['why'])).toMatch(/originals are kept 30 days/);
    expect(audit.verify().ok).toBe(true);

    // The media register shows the still's whole life: captured, then deleted with the reason.
    const life = mediaRegister(audit.entries()).filter((row) => row.media === 'a-orig');
    expect(life.map((row) => row.action)).toEqual(['capture', 'delete']);
    expect(life[1]?.remarks).toMatch(/originals are kept 30 days \[retention.originalsDays=30\]/);
  });

  it('deletes unsent drafts on day 7 and keeps the original until day 30', async () => {
    seedIncident(db, files, audit, {
      id: 'inc-b',
      at: T0,
      stills: [
        { id: 'b-orig', kind: 'original' },
        { id: 'b-red', kind: 'redacted' },
      ],
    });
    day(7);
    expect((await sweeper.sweep()).deleted.map((d) => d.id)).toEqual(['b-red']);
    expect(existsSync(stillPath('inc-b', 'b-orig'))).toBe(true);
    day(30);
    expect((await sweeper.sweep()).deleted.map((d) => d.id)).toEqual(['b-orig', 'inc-b']);
  });

  it('never deletes a held incident; deletes it at the first sweep after the hold expires, auditing the expiry', async () => {
    seedIncident(db, files, audit, { id: 'inc-c', at: T0, stills: [{ id: 'c-orig', kind: 'original' }] });
    day(2);
    const hold = holds.place({
      incidentId: 'inc-c',
      reason: 'police investigation',
      reference: 'CR/0042/26',
      expiresAt: new Date(new Date(T0).getTime() + 90 * DAY_MS),
      actor: manager,
    });
    day(60);
    const r = await sweeper.sweep();
    expect(r.deleted).toEqual([]);
    expect(r.held).toEqual([expect.objectContaining({ incidentId: 'inc-c', holdId: hold.id, items: 2 })]);
    expect(existsSync(stillPath('inc-c', 'c-orig'))).toBe(true);
    day(91);
    expect(holds.expireDue().map((h) => h.id)).toEqual([hold.id]);
    expect((await sweeper.sweep()).deleted.map((d) => d.id)).toEqual(['c-orig', 'inc-c']);
    const actions = [...audit.entries()].map((e) => e.action);
    expect(actions).toContain('hold-place');
    expect(actions).toContain('hold-release');
    expect(audit.verify().ok).toBe(true);
  });

  it('also clears still rows another module marked deleted, so the incident record can go', async () => {
    seedIncident(db, files, audit, {
      id: 'inc-s',
      at: T0,
      stills: [
        { id: 's-orig', kind: 'original' },
        { id: 's-red', kind: 'redacted' },
      ],
    });
    db.prepare("UPDATE stills SET deleted_at = ? WHERE id = 's-red'").run(T0);
    day(30);
    expect((await sweeper.sweep()).deleted.map((d) => d.id)).toEqual(['s-orig', 'inc-s']);
    expect(existsSync(stillPath('inc-s', 's-red'))).toBe(false);
    expect(db.prepare('SELECT COUNT(*) AS c FROM stills').get()).toEqual({ c: 0 });
  });

  it('a released hold lets normal retention resume at once', async () => {
    seedIncident(db, files, audit, { id: 'inc-d', at: T0, stills: [{ id: 'd-orig', kind: 'original' }] });
    const hold = holds.place({ incidentId: 'inc-d', reason: 'insurance claim', actor: manager });
    day(45);
    expect((await sweeper.sweep()).deleted).toEqual([]);
    holds.release({ holdId: hold.id, actor: manager });
    expect((await sweeper.sweep()).deleted.map((d) => d.id)).toEqual(['d-orig', 'inc-d']);
  });

  it('lists a hold as active until it is released; a second release and an expiry in the past are refused', () => {
    seedIncident(db, files, audit, { id: 'inc-h', at: T0 });
    const hold = holds.place({ incidentId: 'inc-h', reason: 'police case', reference: 'C-1', actor: manager });
    expect(holds.list({ activeOnly: true })).toEqual([
      expect.objectContaining({ id: hold.id, reference: 'C-1', placedBy: manager.name, active: true }),
    ]);
    holds.release({ holdId: hold.id, actor: manager });
    expect(holds.list({ activeOnly: true })).toEqual([]);
    expect(holds.list()).toEqual([expect.objectContaining({ id: hold.id, active: false, releasedBy: manager.name })]);
    expect(() => holds.release({ holdId: hold.id, actor: manager })).toThrow(/already ended/);
    expect(() => holds.release({ holdId: 'no-such', actor: manager })).toThrow(/no hold no-such/);
    expect(() =>
      holds.place({ incidentId: 'inc-h', reason: 'x', expiresAt: new Date('2000-01-01T00:00:00Z'), actor: manager }),
    ).toThrow(/not in the future/);
  });

  it('only a manager may place or release a hold', async () => {
    seedIncident(db, files, audit, { id: 'inc-e', at: T0 });
    expect(() => holds.place({ incidentId: 'inc-e', reason: 'x', actor: { name: 'sam', role: 'staff' } })).toThrow(
      /only a manager/,
    );
    expect(() => holds.place({ incidentId: 'nope', reason: 'x', actor: manager })).toThrow(/no incident nope/);
  });

  it('refuses to sweep, and says so in the log and audit, when the clock jumped back more than a day', async () => {
    seedIncident(db, files, audit, { id: 'inc-f', at: T0, stills: [{ id: 'f-orig', kind: 'original' }] });
    day(40);
    await sweeper.sweep();
    seedIncident(db, files, audit, { id: 'inc-g', at: T0, stills: [{ id: 'g-orig', kind: 'original' }] });
    const warnings: string[] = [];
    const s2 = new RetentionSweeper({
      store: new SqliteRetentionStore(db),
      files,
      audit,
      clock,
      policy,
      log: { info: () => {}, error: () => {}, warn: (_o, m) => warnings.push(m) },
    });
    day(38);
    const r = await s2.sweep();
    expect(r.outcome).toBe('refused');
    expect(r.deleted).toEqual([]);
    expect(existsSync(stillPath('inc-g', 'g-orig'))).toBe(true);
    expect(warnings[0]).toMatch(/jumped backwards/);
    const last = [...audit.entries()].at(-1);
    expect(last).toMatchObject({ action: 'retention-sweep', details: { outcome: 'refused' } });
    // 23 hours back is within tolerance
    day(39.1);
    expect((await s2.sweep()).outcome).toBe('done');
  });

  it('two sweeps at once (service and CLI) delete each item once, with one tombstone each', async () => {
    for (const id of ['p', 'q', 'r'])
      seedIncident(db, files, audit, { id: `inc-${id}`, at: T0, stills: [{ id: `${id}-orig`, kind: 'original' }] });
    day(31);
    const other = new RetentionSweeper({ store: new SqliteRetentionStore(db), files, audit, clock, policy });
    const [a, b] = await Promise.all([sweeper.sweep(), other.sweep()]);
    expect(a.deleted.length + b.deleted.length).toBe(6);
    expect([...audit.entries()].filter((e) => e.action === 'delete')).toHaveLength(6);
    expect(audit.verify().ok).toBe(true);
  });

  it('a dry run reports what is due and changes nothing', async () => {
    seedIncident(db, files, audit, { id: 'inc-h', at: T0, stills: [{ id: 'h-orig', kind: 'original' }] });
    day(31);
    const before = audit.head();
    const r = await sweeper.sweep({ dryRun: true });
    expect(r.deleted.map((d) => d.id)).toEqual(['h-orig', 'inc-h']);
    expect(audit.head()).toEqual(before);
    expect(existsSync(stillPath('inc-h', 'h-orig'))).toBe(true);
  });
});

describe('retention of reviewed, sent and failed incidents', async () => {
  const left = (id: string) =>
    Object.fromEntries(
      Object.keys({ incidents: 1, ...INCIDENT_CHILD_TABLES }).map((t) => [
        t,
        (
          db
            .prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE ${t === 'incidents' ? 'id' : 'incident_id'} = ?`)
            .get(id) as {
            n: number;
          }
        ).n,
      ]),
    );

  it('sweeps a reviewed, sent and acknowledged incident completely: the review draft goes with the record', async () => {
    seedIncident(db, files, audit, {
      id: 'inc-r',
      at: T0,
      stills: [
        { id: 'r-orig', kind: 'original' },
        { id: 'r-crop', kind: 'subject-crop' },
      ],
      outbox: [{ id: 'pkt-r', state: 'acked', ackedAt: T0 }],
    });
    new SqliteDrafts(db, clock).set(
      'inc-r',
      {
        subject: { stillId: 'r-orig', face: 0 },
        extraBoxes: [],
        category: 'theft',
        contextStills: [],
        description: 'red coat',
      },
      'alice',
    );
    // A redacted clip made for it (no file: the render's record is what must go with the incident).
    db.prepare('INSERT INTO clips (incident_id, clip, analysis, made_at) VALUES (?, ?, ?, ?)').run(
      'inc-r',
      JSON.stringify({ file: null, keyId: null }),
      '{}',
      T0,
    );
    day(400);
    const r = await sweeper.sweep();
    expect(r.outcome).toBe('done');
    expect(r.failures).toEqual([]);
    expect(left('inc-r')).toEqual({
      incidents: 0,
      stills: 0,
      outbox: 0,
      holds: 0,
      review_drafts: 0,
      recorder_clock: 0,
      evidence_masters: 0,
      clips: 0,
    });
    const tomb = [...audit.entries()].find((e) => e.action === 'delete' && e.subject === 'inc-r');
    expect(tomb?.details).toMatchObject({ target: 'incident', removed: { review_drafts: 1, clips: 1 } });
    expect(JSON.stringify([...audit.entries()])).not.toContain('red coat');
  });

  it('sweeps a failed capture and an unsent reviewed draft completely', async () => {
    seedIncident(db, files, audit, { id: 'inc-fail', at: T0, status: 'capture-failed' });
    seedIncident(db, files, audit, {
      id: 'inc-unsent',
      at: T0,
      stills: [{ id: 'u-red', kind: 'redacted' }],
      outbox: [{ id: 'pkt-u', state: 'failed' }],
    });
    new SqliteDrafts(db, clock).set(
      'inc-unsent',
      { subject: { stillId: 'u-red', face: 0 }, extraBoxes: [], category: 'theft', contextStills: [], description: '' },
      'alice',
    );
    day(31);
    const r = await sweeper.sweep();
    expect(r.failures).toEqual([]);
    expect(left('inc-fail')).toEqual({
      incidents: 0,
      stills: 0,
      outbox: 0,
      holds: 0,
      review_drafts: 0,
      recorder_clock: 0,
      evidence_masters: 0,
      clips: 0,
    });
    expect(left('inc-unsent')).toEqual({
      incidents: 0,
      stills: 0,
      outbox: 0,
      holds: 0,
      review_drafts: 0,
      recorder_clock: 0,
      evidence_masters: 0,
      clips: 0,
    });
  });

  it('knows a rule for every table that refers to incidents (a new one must get a rule here first)', () => {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
      .filter((t) =>
        (db.prepare(`PRAGMA foreign_key_list("${t.name}")`).all() as { table: string }[]).some(
          (fk) => fk.table === 'incidents',
        ),
      )
      .map((t) => t.name)
      .sort();
    expect(tables).toEqual(Object.keys(INCIDENT_CHILD_TABLES).sort());
  });
});

describe('retention with tables it does not know', async () => {
  it('names the table that still refers to an incident and carries on with the rest', async () => {
    const d = join(root, 'foreign');
    const c = new FixedClock(T0);
    const db2 = openDatabase(d, { clock: c });
    const a = new SqliteAuditLog(db2, c);
    const f = new EncryptedFiles(db2, d, { clock: c, ids: counterIds('key') });
    db2.exec('CREATE TABLE review_notes (id TEXT PRIMARY KEY, incident_id TEXT REFERENCES incidents(id))');
    seedIncident(db2, f, a, { id: 'inc-x', at: T0, stills: [{ id: 'x-orig', kind: 'original' }] });
    seedIncident(db2, f, a, { id: 'inc-y', at: T0 });
    db2.prepare("INSERT INTO review_notes VALUES ('n1', 'inc-x')").run();
    c.set(new Date(T0).getTime() + 31 * DAY_MS);
    const r = await new RetentionSweeper({
      store: new SqliteRetentionStore(db2),
      files: f,
      audit: a,
      clock: c,
      policy,
    }).sweep();
    expect(r.outcome).toBe('partial');
    expect(r.deleted.map((x) => x.id)).toEqual(['x-orig', 'inc-y']);
    expect(r.failures).toEqual([
      expect.objectContaining({ id: 'inc-x', message: expect.stringMatching(/still referenced by review_notes/) }),
    ]);
    expect(a.verify().ok).toBe(true);
    db2.close();
  });
});

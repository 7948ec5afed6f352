// Tampering behind the tool's back: edit the SQLite file directly (dropping the append-only triggers first, as an
// attacker would) and check that `bcrp-edge audit verify` names the first bad entry and exits 1.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqliteAuditLog } from '../../../src/adapters/store/sqlite-audit-log.js';
import { DB_FILE, openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../../src/core/ports/clock.js';
import { runCli } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

const root = tempDir();
const pristine = join(root, 'pristine');

beforeAll(() => {
  const clock = new FixedClock('2026-11-23T09:00:00Z');
  const db = openDatabase(pristine, { clock });
  const audit = new SqliteAuditLog(db, clock);
  for (let i = 1; i <= 10; i++) {
    clock.advance(60_000);
    audit.append({
      actor: i % 2 ? 'staff:amy' : 'system',
      action: i % 3 ? 'view' : 'capture',
      subject: `incident-${i}`,
      details: { n: i },
    });
  }
  db.close();
});

let n = 0;
function tamper(sql: string): string {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir);
  cpSync(join(pristine, DB_FILE), join(dir, DB_FILE));
  const db = new Database(join(dir, DB_FILE));
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  db.exec(sql);
  db.close();
  return dir;
}

async function verify(dir: string) {
  return runCli(['audit', 'verify', '--data-dir', dir, '--json']);
}

describe('audit verify on a tampered store', () => {
  it('passes an untouched store', async () => {
    const r = await verify(pristine);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, entries: 10, lastSeq: 10 });
    const text = await runCli(['audit', 'verify', '--data-dir', pristine]);
    expect(text.stdout).toMatch(/^ok: 10 entries, 1…10, head [0-9a-f]{64}$/);
  });

  it.each([
    ['actor', "UPDATE audit_log SET actor = 'manager:bob' WHERE seq = 4", 4, 'edited'],
    ['action', "UPDATE audit_log SET action = 'note' WHERE seq = 7", 7, 'edited'],
    ['subject', "UPDATE audit_log SET subject = 'incident-x' WHERE seq = 2", 2, 'edited'],
    ['time', "UPDATE audit_log SET time = '2026-01-01T00:00:00.000Z' WHERE seq = 5", 5, 'edited'],
    ['details', `UPDATE audit_log SET details = '{"n":99}' WHERE seq = 3`, 3, 'edited'],
    ['prev_hash', 'UPDATE audit_log SET prev_hash = hash WHERE seq = 6', 6, 'inserted'],
    ['hash', 'UPDATE audit_log SET hash = prev_hash WHERE seq = 8', 8, 'edited'],
  ])('detects an edited %s column', async (_col, sql, seq, fault) => {
    const r = await verify(tamper(sql));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).failure).toMatchObject({ seq, fault });
  });

  it('detects a deleted row in the middle', async () => {
    const r = await verify(tamper('DELETE FROM audit_log WHERE seq = 5'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).failure).toMatchObject({ seq: 5, fault: 'missing' });
  });

  it('detects rows deleted from the end', async () => {
    const r = await verify(tamper('DELETE FROM audit_log WHERE seq >= 9'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).failure).toMatchObject({ seq: 9, fault: 'truncated' });
  });

  it('detects an inserted row', async () => {
    const dir = tamper(
      `UPDATE audit_log SET seq = seq + 100 WHERE seq > 3; UPDATE audit_log SET seq = seq - 99 WHERE seq > 100;
       INSERT INTO audit_log (seq, time, actor, action, subject, details, prev_hash, hash)
       SELECT 4, time, 'intruder', 'note', '-', '{}', hash, hash FROM audit_log WHERE seq = 3;`,
    );
    const r = await verify(dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).failure.seq).toBe(4);
  });

  it('detects reordered rows', async () => {
    const dir = tamper(
      `UPDATE audit_log SET seq = 100 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 100;`,
    );
    const r = await verify(dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).failure.seq).toBe(3);
    const text = await runCli(['audit', 'verify', '--data-dir', dir]);
    expect(text.stdout).toMatch(/^FAILED at entry 3: /);
  });

  it('refuses to edit the chain through SQL while the triggers are in place', () => {
    const db = new Database(join(pristine, DB_FILE));
    expect(() => db.exec("UPDATE audit_log SET actor = 'x' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_log WHERE seq = 1')).toThrow(/append-only/);
    db.close();
  });
});

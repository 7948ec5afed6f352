// Signed audit checkpoints: made every N entries or M minutes, and `audit verify --checkpoints` tells a genuine
// local log from one rebuilt or truncated after the hub received its checkpoints.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JoseSigner } from '../../src/adapters/crypto/checkpoint-signer.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteCheckpoints } from '../../src/adapters/store/sqlite-checkpoints.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { Checkpointer, type SignedCheckpoint } from '../../src/services/audit/checkpoints.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { tempDir } from '../support/tmp.js';

const root = tempDir('bcrp-checkpoints-');

async function setup(name: string, options = { everyRows: 5, everyMinutes: 60 }) {
  const dir = join(root, name);
  const clock = new FixedClock('2026-07-01T08:00:00.000Z');
  const db = openDatabase(dir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const hub: SignedCheckpoint[] = [];
  const cp = new Checkpointer({
    store: new SqliteCheckpoints(db),
    audit,
    signer: await JoseSigner.loadOrCreate(dir),
    queue: { enqueue: (c) => hub.push(c) },
    clock,
    options: { siteId: 'shop-001', ...options },
  });
  const note = (text: string) => audit.append({ actor: 'alice', action: 'note', subject: '-', details: { text } });
  return { dir, clock, db, audit, cp, hub, note };
}

describe('audit checkpoints', () => {
  it('signs one every N new entries, not counting its own checkpoint entry', async () => {
    const { cp, hub, note, db } = await setup('rows');
    note('1');
    expect((await cp.checkpoint())?.seq).toBe(1); // first entry ever: checkpoint at once
    for (let i = 0; i < 4; i++) note(`n${i}`);
    expect(await cp.checkpoint()).toBeUndefined(); // 4 new entries < 5
    note('5th');
    expect((await cp.checkpoint())?.seq).toBe(7);
    expect(await cp.checkpoint()).toBeUndefined(); // only the checkpoint row itself since
    expect(hub.map((c) => c.seq)).toEqual([1, 7]);
    db.close();
  });

  it('each local checkpoint after the first names the one before and its hash as the log has it (prev)', async () => {
    const { cp, hub, note, db, audit } = await setup('prev');
    note('1');
    await cp.checkpoint();
    for (let i = 0; i < 5; i++) note(`n${i}`);
    await cp.checkpoint();
    const payload = (jws: string) =>
      JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        seq: number;
        prev?: { seq: number; hash: string };
      };
    const [first, second] = hub.map((c) => payload(c.jws));
    expect(first?.prev).toBeUndefined();
    const [entry1] = [...audit.entries({ fromSeq: 1, toSeq: 1 })];
    expect(second).toMatchObject({ seq: 7, prev: { seq: 1, hash: entry1?.hash } });
    db.close();
  });

  it('signs one after M minutes when fewer than N entries were added', async () => {
    const { cp, clock, note, db } = await setup('minutes', { everyRows: 1000, everyMinutes: 60 });
    note('a');
    await cp.checkpoint();
    note('b');
    clock.advance(59 * 60_000);
    expect(await cp.checkpoint()).toBeUndefined();
    clock.advance(60_000);
    expect((await cp.checkpoint())?.seq).toBe(3);
    db.close();
  });

  it('audit verify --checkpoints passes for the genuine log and fails for a rebuilt or truncated one', async () => {
    const { dir, cp, hub, note, db } = await setup('rebuild');
    for (let i = 0; i < 12; i++) {
      note(`event ${i}`);
      await cp.checkpoint();
    }
    db.close();
    // What the hub received, as the hub exports it.
    const hubFile = join(root, 'hub-checkpoints.jsonl');
    writeFileSync(hubFile, hub.map((c) => `${JSON.stringify({ seq: c.seq, jws: c.jws })}\n`).join(''));
    const ok = await runCli(['audit', 'verify', '--checkpoints', hubFile, '--data-dir', dir]);
    expect(ok.stdout).toMatch(/^ok: .* match 3 checkpoint\(s\)/);
    expect(ok.code).toBe(0);

    // Someone drops the triggers and rebuilds the log without the entry they want gone: internally consistent.
    const evil = openDatabase(dir, { clock: new FixedClock('2026-07-01T08:00:00.000Z') });
    const rows = evil.prepare('SELECT actor, action, subject, details FROM audit_log ORDER BY seq').all() as {
      actor: string;
      action: 'note';
      subject: string;
      details: string;
    }[];
    evil.exec('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log; DELETE FROM audit_head;');
    const forged = new SqliteAuditLog(evil, new FixedClock('2026-07-01T08:00:00.000Z'));
    for (const r of rows.filter((r) => !r.details.includes('event 3')))
      forged.append({ actor: r.actor, action: r.action, subject: r.subject, details: JSON.parse(r.details) });
    evil.close();
    expect((await runCli(['audit', 'verify', '--data-dir', dir])).code).toBe(0); // the plain check cannot tell
    const caught = await runCli(['audit', 'verify', '--checkpoints', hubFile, '--data-dir', dir, '--json']);
    expect(caught.code).toBe(1);
    expect(JSON.parse(caught.stdout).failure).toMatchObject({ fault: 'rebuilt' });

    // The genuine log cut short after entry 5 (rebuilt identically up to there): the first checkpoint still
    // matches, the next one names an entry that is no longer there.
    const cut = openDatabase(dir, { clock: new FixedClock('2026-07-01T08:00:00.000Z') });
    cut.exec('DELETE FROM audit_log; DELETE FROM audit_head;');
    const redo = new SqliteAuditLog(cut, new FixedClock('2026-07-01T08:00:00.000Z'));
    for (const r of rows.slice(0, 5))
      redo.append({ actor: r.actor, action: r.action, subject: r.subject, details: JSON.parse(r.details) });
    cut.close();
    expect((await runCli(['audit', 'verify', '--data-dir', dir])).code).toBe(0);
    const truncated = await runCli(['audit', 'verify', '--checkpoints', hubFile, '--data-dir', dir]);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(
      /FAILED \(truncated\): the hub holds a checkpoint at entry 7 .* the local chain ends at 5/,
    );
  });

  it('rejects a checkpoint file that was not signed by this device, or is not checkpoints at all', async () => {
    const { dir, cp, note, db } = await setup('forged');
    note('x');
    const genuine = await cp.checkpoint();
    db.close();
    const other = await JoseSigner.loadOrCreate(join(root, 'other-device'));
    const fake = await other.sign({
      type: 'bcrp-audit-checkpoint',
      site: 'shop-001',
      seq: 1,
      hash: genuine?.hash,
      time: genuine?.time,
    });
    const file = join(root, 'forged.jsonl');
    writeFileSync(file, `${JSON.stringify(fake)}\n`);
    const r = await runCli(['audit', 'verify', '--checkpoints', file, '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad-signature/);
    writeFileSync(file, 'not json at all\n');
    const bad = await runCli(['audit', 'verify', '--checkpoints', file, '--data-dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a signed checkpoint/);
    const missing = await runCli(['audit', 'verify', '--checkpoints', join(root, 'nope.jsonl'), '--data-dir', dir]);
    expect(missing.stderr).toMatch(/cannot read the checkpoint file/);
  });

  it('bcrp-edge audit checkpoint signs now and exports what the hub should hold', async () => {
    const dir = join(root, 'cli');
    const config = writeConfig(root, {}, 'cp-config.yaml');
    await runCli(['audit', 'note', 'hello', '--data-dir', dir]);
    const made = await runCli(['audit', 'checkpoint', '--data-dir', dir, '--config', config, '--json']);
    expect(JSON.parse(made.stdout)).toMatchObject({ seq: 1, site: 'shop-001' });
    const out = join(root, 'cli-export.jsonl');
    await runCli(['audit', 'checkpoint', '-o', out, '--data-dir', dir, '--config', config]);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);
    expect((await runCli(['audit', 'verify', '--checkpoints', out, '--data-dir', dir])).code).toBe(0);
  });
});

// The compliance statements against a real run: the appliance (`bcrp-edge run`, dist/main.js) captures from the NVR
// emulator, staff review and send over the web API, the packet goes over mutual TLS through mosquitto to the
// reference hub, which acknowledges it and keeps the device's signed checkpoints. Then, as an auditor would: the hub
// exports the checkpoints and `audit verify --checkpoints` checks the device against them; the store is swept at
// shifted dates and nothing of the incident is left but tombstones and audit rows (no wrapped key, no draft text in
// the SQLite file's bytes); a manager places a hold, exports the evidence for the police, releases the hold and
// answers a subject access request; the compliance report states what the run showed (redaction and class of the
// packet as the hub received it, the police export under its hold, the SAR with its signed cover sheet). A statement
// that disagrees with what happened fails here.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteHubStore } from '../../src/adapters/hub-store/sqlite-hub-store.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAccounts } from '../../src/adapters/store/sqlite-accounts.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteRetentionStore } from '../../src/adapters/store/sqlite-retention.js';
import { DB_FILE, openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { loadConfigFile } from '../../src/config/load.js';
import { FixedClock, systemClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { DAY_MS } from '../../src/core/retention/policy.js';
import { RetentionSweeper } from '../../src/services/retention/sweeper.js';
import { type ApplianceStack, STACK_SITE, startApplianceStack, type WebClient } from '../support/appliance-stack.js';
import { runCli } from '../support/cli.js';
import { captureChildOutput } from '../support/log-capture.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('bcrp-claims-');
const MARKER = 'claims-marker-red-coat-7f3a';
let stack: ApplianceStack;
let incidentId = '';
let ackedAt = 0;
const wrappedKeys: Buffer[] = [];

function readDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(stack.dataDir, DB_FILE), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

async function until<T>(what: string, probe: () => T | undefined | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopAppliance(p: Awaited<ReturnType<ApplianceStack['start']>>): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exited;
}

/** Reviews with a description only this test knows, so its bytes can be looked for after the sweep. */
async function reviewAndSend(web: WebClient, id: string): Promise<void> {
  const inc = await web.call<{ stills: { id: string }[] }>('GET', `/api/incidents/${id}`);
  for (const s of inc.body.stills) {
    const f = await web.call<{ faces: { index: number }[] }>('GET', `/api/incidents/${id}/stills/${s.id}/faces`);
    const face = f.body.faces?.[0];
    if (!face) continue;
    const draft = {
      subject: { stillId: s.id, face: face.index },
      extraBoxes: [],
      category: 'theft',
      contextStills: [],
      description: MARKER,
    };
    const put = await web.call('PUT', `/api/incidents/${id}/review`, draft);
    expect(put.status).toBe(200);
    const send = await web.call('POST', `/api/incidents/${id}/send`);
    expect(send.status, JSON.stringify(send.body)).toBe(200);
    return;
  }
  throw new Error('the detector found no face in the demo stills');
}

const report = async (now: Date) => {
  const r = await runCli([
    'compliance',
    'report',
    '--json',
    '--now',
    now.toISOString(),
    '--config',
    stack.configFile,
    '--data-dir',
    stack.dataDir,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as {
    principles: { id: string; does: string[]; evidence: string[]; status: string }[];
    bcrp: { id: string; does: string[]; evidence: string[]; status: string }[];
    evidence: { stored: { incidents: number; originals: number }; overdue: number };
  };
};
const finding = (r: Awaited<ReturnType<typeof report>>, id: string) =>
  [...r.principles, ...r.bcrp].find((f) => f.id === id)!;

beforeAll(async () => {
  stack = await startApplianceStack(dir, { onOutput: captureChildOutput });
  const run = await stack.start();
  const web = await stack.web();
  incidentId = await web.trigger();
  await until('the capture', () =>
    readDb((db) => db.prepare('SELECT status FROM incidents WHERE id = ?').get(incidentId) as { status: string })
      ?.status === 'in-review'
      ? true
      : undefined,
  );
  await reviewAndSend(web, incidentId);
  ackedAt = await until('the hub acknowledgement', () =>
    readDb(
      (db) =>
        db.prepare("SELECT acked_at FROM outbox WHERE incident_id = ? AND state = 'acked'").get(incidentId) as
          | { acked_at: string }
          | undefined,
    )
      ? Date.now()
      : undefined,
  );
  await stopAppliance(run);
  // A restart connects again and sends a checkpoint of the head, which now covers the acknowledgement.
  const again = await stack.start();
  const ackSeq = readDb(
    (db) => (db.prepare("SELECT MAX(seq) AS s FROM audit_log WHERE action = 'ack'").get() as { s: number }).s,
  );
  await until('a checkpoint sent to the hub after the ack', () =>
    readDb((db) =>
      db.prepare("SELECT seq FROM audit_checkpoints WHERE sent_to = 'hub' AND seq > ?").get(ackSeq) ? true : undefined,
    ),
  );
  await until('the hub to keep it', () =>
    readHub((db) =>
      db.prepare('SELECT 1 FROM checkpoints WHERE seq > ? AND jws IS NOT NULL').get(ackSeq) ? true : undefined,
    ),
  );
  await stopAppliance(again);
  for (const r of readDb(
    (db) =>
      db
        .prepare('SELECT k.wrapped_key FROM stills s JOIN file_keys k ON k.id = s.key_id WHERE s.incident_id = ?')
        .all(incidentId) as { wrapped_key: Buffer }[],
  ))
    wrappedKeys.push(r.wrapped_key);
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

function readHub<T>(fn: (db: Database.Database) => T): T {
  // The rig's hub keeps its store beside hub.yaml.
  const db = new Database(join(stack.dir, 'hub.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('the compliance statements, against a real run', () => {
  it('the auditor verifies the appliance against the hub’s export of its checkpoints (the documented commands)', async () => {
    const file = join(dir, 'hub-checkpoints.jsonl');
    const exported = await runCli([
      'hub',
      'checkpoints',
      '--site',
      STACK_SITE,
      '-o',
      file,
      '--config',
      join(stack.dir, 'hub.yaml'),
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/wrote [1-9]\d* checkpoint\(s\)/);
    const verify = await runCli([
      'audit',
      'verify',
      '--checkpoints',
      file,
      '--config',
      stack.configFile,
      '--data-dir',
      stack.dataDir,
    ]);
    expect(verify.stdout).toMatch(/^ok: \d+ entries verify and match [1-9]\d* checkpoint\(s\)/);
    expect(verify.code).toBe(0);
  });

  it('the report lists the checkpoints sent to the hub and claims mutual TLS because the broker accepted them', async () => {
    const r = await report(new Date());
    const p10 = finding(r, 'P10');
    expect(p10.evidence.join('\n')).toMatch(/Signed checkpoints sent to the hub: [1-9]/);
    expect(p10.status).toBe('ok');
    const p9 = finding(r, 'P9');
    expect(p9.evidence.join('\n')).toMatch(/Mutual TLS: yes \(client certificate configured; the broker accepted/);
    expect(p9.status).toBe('ok');
    expect(finding(r, 'B2').does.join(' ')).toMatch(
      /hub computes this from the reports it holds about the same subject/,
    );
    // Checked as the report was made, against the files and the database.
    const p7 = finding(r, 'P7').evidence.join('\n');
    expect(p7).toMatch(/Checked now: all [1-9]\d* stored image file\(s\) are sealed/);
    expect(p7).toMatch(/SQLite secure_delete\): yes/);
    expect(finding(r, 'P6').evidence.join('\n')).toMatch(/Packets awaiting the hub's answer: 0\./);
  });

  it('the service audited its configuration at start-up (config-change, non-secret keys only)', () => {
    const row = readDb(
      (db) =>
        db.prepare("SELECT actor, details FROM audit_log WHERE action = 'config-change' ORDER BY seq LIMIT 1").get() as
          | { actor: string; details: string }
          | undefined,
    );
    expect(row?.actor).toBe('system');
    const config = (JSON.parse(row!.details) as { config: Record<string, unknown> }).config;
    expect(config['site.id']).toBe(STACK_SITE);
    expect(config['web.metricsTokenFile']).toBe('[secret]');
  });

  it('the report states the packet’s redaction and class as the hub received them (P2, B1) and every record audited (P4)', async () => {
    const hub = new SqliteHubStore(join(stack.dir, 'hub.sqlite'), systemClock, { readonly: true });
    const [packet] = (await hub.list({ siteId: STACK_SITE, includeRestricted: true })).filter((p) => p.manifest);
    await hub.close();
    const manifest = packet!.manifest!;
    const r = await report(new Date());
    const p2 = finding(r, 'P2').evidence.join('\n');
    const red = manifest.redaction;
    expect(red.facesFound).toBeGreaterThan(0);
    expect(p2).toContain(
      `${red.facesFound} face(s) found, ${red.facesRedacted} redacted, ${red.facesKept} left visible (the chosen subject); mode ${red.mode}; model ${red.model.id}.`,
    );
    expect(p2).toMatch(/No packet left more faces visible than its subject/);
    expect(p2).toMatch(/No image in those packets carried metadata/);
    expect(finding(r, 'P2').status).toBe('operator');
    expect(finding(r, 'B1').evidence.join('\n')).toMatch(new RegExp(`: 1 ${manifest.retentionClass}\\.`));
    expect(finding(r, 'B1').status).toBe('ok');
    expect(finding(r, 'P4').evidence.join('\n')).toMatch(
      /Checked now: each of the 1 incident\(s\), 1 packet\(s\) and 0 hold\(s\) stored has the audit entry/,
    );
    expect(finding(r, 'P4').status).toBe('operator');
    expect(finding(r, 'P8').evidence.join('\n')).toMatch(
      /all [1-9]\d* stored image file\(s\) have their SHA-256 on record/,
    );
  });

  it('a police export is made under a hold with hashes that match the files, and a SAR answer has a signed cover sheet (P3, P11, B5)', async () => {
    const db = openDatabase(stack.dataDir, { clock: systemClock });
    try {
      await new SqliteAccounts(db, systemClock).create({
        username: 'mia',
        role: 'manager',
        password: 'manager-pass-9000',
      });
    } finally {
      db.close();
    }
    const cli = (...args: string[]) =>
      runCli([...args, '--actor', 'mia', '--config', stack.configFile, '--data-dir', stack.dataDir]);
    const held = await cli(
      'hold',
      'place',
      incidentId,
      '--reason',
      'police investigation',
      '--reference',
      'CR/77',
      '--json',
    );
    expect(held.code, held.stderr).toBe(0);
    const holdId = (JSON.parse(held.stdout) as { id: string }).id;
    const policeDir = join(dir, 'police');
    const police = await cli(
      'police',
      'export',
      incidentId,
      '--officer',
      'PC Jones, 4521',
      '--reference',
      'CR/77',
      '-o',
      policeDir,
    );
    expect(police.code, police.stderr).toBe(0);
    // "Hashes evidence with SHA-256": every master file hashes to what SHA256SUMS says.
    const sums = readFileSync(join(policeDir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.length).toBeGreaterThan(0);
    for (const line of sums) {
      const [hash, file] = line.split(/\s+/);
      expect(
        createHash('sha256')
          .update(readFileSync(join(policeDir, file!)))
          .digest('hex'),
      ).toBe(hash);
    }
    expect((await cli('hold', 'release', holdId, '--why', 'case closed')).code).toBe(0);

    const faces = await cli('sar', 'faces', '--incident', incidentId, '--json');
    expect(faces.code, faces.stderr).toBe(0);
    const still = (JSON.parse(faces.stdout) as { stillId: string; faces: unknown[] }[]).find(
      (f) => f.faces.length > 0,
    )!;
    const sarDir = join(dir, 'sar');
    const sar = await cli(
      'sar',
      'export',
      '--incident',
      incidentId,
      '--reference',
      'SAR/5',
      '--keep',
      `${still.stillId}=#1`,
      '-o',
      sarDir,
      '--json',
    );
    expect(sar.code, sar.stderr).toBe(0);
    const answer = JSON.parse(sar.stdout) as { items: { requesterShown: boolean }[] };
    expect(answer.items.filter((i) => i.requesterShown)).toHaveLength(1);
    expect(readFileSync(join(sarDir, 'cover-sheet.jws'), 'utf8').split('.')).toHaveLength(3);

    const r = await report(new Date());
    const p11 = finding(r, 'P11');
    expect(p11.evidence.join('\n')).toMatch(
      /Checked now: each of the 1 police export\(s\) in the last 90 days was made while its incident was under an active evidence hold/,
    );
    expect(p11.status).toBe('ok');
    expect(finding(r, 'P3').evidence.join('\n')).toMatch(/SAR exports in the last 90 days: 1\./);
    expect(finding(r, 'B5').evidence.join('\n')).toMatch(/SAR exports in the last 90 days: 1\./);
    expect(finding(r, 'P4').evidence.join('\n')).toMatch(
      /each of the 1 incident\(s\), 1 packet\(s\) and 1 hold\(s\) stored has the audit entry/,
    );
    expect(finding(r, 'P4').status).toBe('operator');
  });

  it('sweeps at shifted dates until nothing of the incident is left but tombstones and audit rows', async () => {
    const config = loadConfigFile(stack.configFile).config;
    const sweepAt = async (days: number) => {
      const clock = new FixedClock(ackedAt + days * DAY_MS);
      const db = openDatabase(stack.dataDir, { clock });
      try {
        const audit = new SqliteAuditLog(db, clock);
        const files = new EncryptedFiles(db, stack.dataDir, { clock, ids: counterIds(`k${days}`) });
        const sweeper = new RetentionSweeper({
          store: new SqliteRetentionStore(db),
          files,
          audit,
          clock,
          policy: config.retention,
        });
        const result = await sweeper.sweep();
        db.pragma('wal_checkpoint(TRUNCATE)');
        return result;
      } finally {
        db.close();
      }
    };
    const rows = (table: string, column = 'incident_id') =>
      readDb(
        (db) =>
          (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`).get(incidentId) as { n: number }).n,
      );

    const day10 = await sweepAt(10);
    expect(day10.outcome).toBe('done');
    expect(rows('stills')).toBeGreaterThan(0);

    const day31 = await sweepAt(config.retention.originalsDays + 1);
    expect(day31.failures).toEqual([]);
    const originals = readDb(
      (db) =>
        (
          db
            .prepare("SELECT COUNT(*) AS n FROM stills WHERE incident_id = ? AND kind = 'original'")
            .get(incidentId) as {
            n: number;
          }
        ).n,
    );
    expect(originals).toBe(0);

    const day400 = await sweepAt(400);
    expect(day400.outcome).toBe('done');
    expect(day400.failures).toEqual([]);
    expect({
      incidents: rows('incidents', 'id'),
      stills: rows('stills'),
      outbox: rows('outbox'),
      holds: rows('holds'),
      review_drafts: rows('review_drafts'),
    }).toEqual({ incidents: 0, stills: 0, outbox: 0, holds: 0, review_drafts: 0 });
    const incidentDir = join(stack.dataDir, 'files', 'incidents', incidentId);
    expect(readdirSafe(incidentDir)).toEqual([]);
    const tombstones = readDb(
      (db) =>
        db
          .prepare("SELECT details FROM audit_log WHERE action = 'delete' AND details LIKE ?")
          .all(`%${incidentId}%`) as { details: string }[],
    ).map((r) => JSON.parse(r.details) as { target: string });
    expect(tombstones.map((t) => t.target)).toContain('incident');

    // secure_delete: the deleted rows' bytes are gone from the file itself, not only from the tables.
    const bytes = readFileSync(join(stack.dataDir, DB_FILE));
    expect(wrappedKeys.length).toBeGreaterThan(0);
    for (const k of wrappedKeys) expect(bytes.indexOf(k)).toBe(-1);
    expect(bytes.indexOf(Buffer.from(MARKER))).toBe(-1);

    const verify = await runCli(['audit', 'verify', '--data-dir', stack.dataDir]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('the report after the sweep states nothing overdue and no incident held', async () => {
    const r = await report(new Date(ackedAt + 400 * DAY_MS + 3_600_000));
    expect(r.evidence.overdue).toBe(0);
    expect(r.evidence.stored).toMatchObject({ incidents: 0, originals: 0 });
    expect(finding(r, 'P6').evidence.join('\n')).toMatch(/Nothing is past its retention period/);
  });
});

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

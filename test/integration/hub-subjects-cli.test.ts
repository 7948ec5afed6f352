// `bcrp-edge hub ingest | subject | retention` on a real SQLite hub store: packets sealed by a device key are taken in
// through the receiver's path without MQTT, linked to a subject, and retention is computed from the linked reports.
// Every time comes from `--now`, counted from this test's clock.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateKeys, KEY_FILES, loadPrivateKey, loadPublicKey } from '../../src/adapters/crypto/keys.js';
import { sealPacket } from '../../src/adapters/crypto/packet-codec.js';
import { SqliteHubStore } from '../../src/adapters/hub-store/sqlite-hub-store.js';
import { verifyChain } from '../../src/core/audit-chain.js';
import { buildPacketContents } from '../../src/core/packet/build.js';
import { addMonths } from '../../src/core/packet/retention.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { runCli } from '../support/cli.js';
import { redactedImage } from '../support/packets.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const config = join(dir, 'hub.yaml');
const hub = (...args: string[]) => runCli(['hub', ...args, '--config', config], { USER: 'ann' });
const clock = new FixedClock('2026-03-10T09:00:00Z');
const T0 = clock.now();
const at = (months: number) => addMonths(T0.toISOString(), months).toISOString();
const ids = {
  a: '019a8a6e-bbbb-7000-8000-00000000000a',
  b: '019a8a6e-bbbb-7000-8000-00000000000b',
  c: '019a8a6e-bbbb-7000-8000-00000000000c',
};
const files: Record<string, string> = {};
let stranger = '';

beforeAll(async () => {
  const dev = generateKeys(join(dir, 'dev'));
  const other = generateKeys(join(dir, 'other'));
  generateKeys(join(dir, 'hubkeys'));
  writeFileSync(
    config,
    stringify({
      mqtt: { url: 'mqtts://127.0.0.1:1' },
      store: 'hub.sqlite',
      signingKey: 'hubkeys/signing.key',
      encryptionKey: 'hubkeys/encryption.key',
      devices: [{ site: 'shop-001', publicKey: 'dev/signing.pub' }],
    }),
  );
  const seal = async (id: string, key: string, fingerprint: string, seed: number) =>
    sealPacket(
      buildPacketContents(
        {
          id,
          siteId: 'shop-001',
          deviceId: fingerprint,
          createdAt: T0,
          incidentTime: T0,
          category: 'theft',
          // What the device asserts; the hub decides from the reports it links.
          retentionClass: 'shared-24m-second-report',
        },
        [{ image: await redactedImage(seed), role: 'subject' }],
      ),
      {
        signingKey: loadPrivateKey(join(dir, key, KEY_FILES.signingPrivate), 'ed25519'),
        encryptTo: loadPublicKey(join(dir, 'hubkeys', KEY_FILES.encryptionPublic), 'x25519'),
      },
    );
  for (const [i, [name, id]] of Object.entries(ids).entries()) {
    files[name] = join(dir, `${name}.jwe`);
    writeFileSync(files[name]!, await seal(id, 'dev', dev.signingFingerprint, i));
  }
  stranger = join(dir, 'stranger.jwe');
  writeFileSync(stranger, await seal('019a8a6e-bbbb-7000-8000-0000000000ff', 'other', other.signingFingerprint, 9));
});

describe('hub ingest, subject and retention', () => {
  let subject = '';

  it('ingest runs the receive path: stored once, a resend is a duplicate, an unknown device is refused and logged', async () => {
    const first = await hub('ingest', files['a']!, '--now', at(0), '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).results[0]).toMatchObject({
      outcome: 'stored',
      packetId: ids.a,
      siteId: 'shop-001',
    });
    expect((await hub('ingest', files['b']!, '--now', at(6))).stdout).toMatch(/stored .*b\.jwe/);
    expect((await hub('ingest', files['c']!, '--now', at(20))).code).toBe(0);
    const again = await hub('ingest', files['a']!, '--now', at(1));
    expect(again.stdout).toMatch(/duplicate/);
    const bad = await hub('ingest', stranger, '--now', at(1));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/REJECTED .*unknown-device/);
    expect((await hub('rejections')).stdout).toMatch(/unknown-device/);
    expect((await hub('ingest', join(dir, 'missing.jwe'))).stderr).toMatch(/cannot read .*missing\.jwe: ENOENT/);
    // The resend did not move the receipt time.
    const shown = JSON.parse((await hub('show', ids.a, '--json')).stdout);
    expect(shown.receivedAt).toBe(at(0));
  });

  it('an unlinked packet follows the single-report rule whatever class the device asserted', async () => {
    const r = JSON.parse((await hub('retention', '--now', at(13), '--dry-run', '--json')).stdout);
    const a = r.packets.find((p: { id: string }) => p.id === ids.a);
    expect(a).toMatchObject({
      subjectRef: null,
      phase: 'admin-only',
      storedPhase: 'shared',
      shareUntil: at(12),
      deleteAt: at(24),
      rule: 'first-report',
      deviceClass: 'shared-24m-second-report',
      action: 'withdraw',
    });
    expect(r.dryRun).toBe(true);
    expect(r.applied).toBeNull();
    // A dry run changes nothing: the list still shows it as stored.
    expect(JSON.parse((await hub('show', ids.a, '--json')).stdout).phase).toBe('shared');
    // hub list judges the phase now, not at the last sweep.
    const listed = JSON.parse((await hub('list', '--now', at(13), '--json')).stdout).map((p: { id: string }) => p.id);
    expect(listed).toEqual([ids.c, ids.b]);
  });

  it('subject create and link relate the reports; retention then follows the second and third reports', async () => {
    const created = await hub('subject', 'create', ids.a, '--alias', 'grey hoodie', '--json', '--now', at(7));
    expect(created.code, created.stderr).toBe(0);
    subject = JSON.parse(created.stdout).ref;
    expect(subject).toMatch(/^S-[0-9a-f]{10}$/);
    expect((await hub('subject', 'link', subject, ids.b, '--now', at(7))).stdout).toMatch(/linked to/);
    expect((await hub('subject', 'link', subject, ids.b)).stdout).toMatch(/already linked/);
    expect((await hub('subject', 'link', subject, '019a8a6e-0000-7000-8000-000000000000')).stderr).toMatch(/no packet/);
    let r = JSON.parse((await hub('retention', '--now', at(13), '--dry-run', '--json')).stdout);
    const line = (id: string) => r.packets.find((p: { id: string }) => p.id === id);
    expect(line(ids.a)).toMatchObject({ phase: 'shared', shareUntil: at(30), rule: 'further-report', action: 'none' });
    expect(line(ids.a).why).toContain(ids.b);
    expect(r.subjects).toEqual([
      {
        ref: subject,
        reports: 2,
        firstReport: at(0),
        lastReport: at(6),
        shareUntil: at(30),
        deleteAt: at(42),
        phase: 'shared',
      },
    ]);
    // The third report, inside the 24 months: shared 24 months from it.
    await hub('subject', 'link', subject, ids.c, '--now', at(21));
    r = JSON.parse((await hub('retention', '--now', at(31), '--json')).stdout);
    expect(line(ids.a)).toMatchObject({ phase: 'shared', shareUntil: at(44) });
    expect(r.applied).toEqual({ adminOnly: 0, deleted: 0, subjectsDeleted: 0 });
    const shown = JSON.parse((await hub('subject', 'show', subject, '--json')).stdout);
    expect(shown).toMatchObject({ ref: subject, alias: 'grey hoodie', name: null, packetIds: [ids.a, ids.b, ids.c] });
    expect(shown.retention.map((x: { deleteAt: string }) => x.deleteAt)).toEqual([at(56), at(56), at(56)]);
  });

  it('exclusions: offered only after a second report, up to 24 months, a printable notice, served once, dropping off when ended', async () => {
    const lonely = JSON.parse((await hub('subject', 'create', '--json', '--now', at(21))).stdout).ref;
    const refused = await hub('exclusion', 'add', lonely, '--months', '6', '--grounds', 'one report of theft');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/only after a second report while the subject is shared/);
    expect(
      (await hub('exclusion', 'add', subject, '--months', '25', '--grounds', 'three reports of theft')).stderr,
    ).toMatch(/1 to 24 months/);
    expect(
      (await hub('exclusion', 'add', subject, '--months', '6', '--grounds', 'three reports', '--premises', 'shop-999'))
        .stderr,
    ).toMatch(/no member premises shop-999/);
    const added = await hub(
      'exclusion',
      'add',
      subject,
      '--months',
      '24',
      '--now',
      at(21),
      '--json',
      '--grounds',
      'Three reports of theft from members <shops> in 2026–2027.',
    );
    expect(added.code, added.stderr).toBe(0);
    const ex = JSON.parse(added.stdout);
    expect(ex).toMatchObject({
      subjectRef: subject,
      scope: 'scheme',
      startsAt: at(21),
      endsAt: at(45),
      servedAt: null,
    });
    const file = join(dir, 'notice.html');
    expect((await hub('exclusion', 'notice', ex.id, '-o', file)).code).toBe(0);
    const notice = readFileSync(file, 'utf8');
    expect(notice).toContain('all premises of all members of the scheme');
    expect(notice).toContain('(24 months)');
    // The grounds are the administrator's words, escaped; the appeal route and the short privacy notice are printed.
    expect(notice).toContain('members &lt;shops&gt;');
    expect(notice).toMatch(/How to appeal<\/h2>\s*<p>Write to the scheme administrator/);
    expect(notice).toMatch(/within 30 days/);
    expect((await hub('exclusion', 'served', ex.id, '--now', at(21))).stdout).toMatch(/served at/);
    expect((await hub('exclusion', 'served', ex.id)).stderr).toMatch(/served already/);
    const list = async (now: string) =>
      JSON.parse((await hub('exclusion', 'list', '--active', '--now', now, '--json')).stdout).map(
        (e: { id: string }) => e.id,
      );
    expect(await list(at(30))).toEqual([ex.id]);
    expect(await list(at(45))).toEqual([]);
  });

  it('corrections and unlinks are audited with the previous value; the chain verifies', async () => {
    expect((await hub('subject', 'edit', subject, '--alias', 'green hoodie', '--now', at(22))).code).toBe(0);
    expect((await hub('subject', 'edit', subject)).stderr).toMatch(/nothing to change/);
    expect((await hub('subject', 'unlink', subject, ids.c, '--now', at(22))).stdout).toMatch(/single-report rule/);
    const store = new SqliteHubStore(join(dir, 'hub.sqlite'), clock);
    const chain = await store.auditEntries();
    await store.close();
    expect(verifyChain(chain).ok).toBe(true);
    const changes = chain.filter((e) => e.action === 'subject-change').map((e) => [e.actor, e.details['change']]);
    expect(changes).toEqual([
      ['cli:ann', 'created'],
      ['cli:ann', 'linked'],
      ['cli:ann', 'linked'],
      ['cli:ann', 'linked'],
      ['cli:ann', 'created'],
      ['cli:ann', 'excluded'],
      ['cli:ann', 'notice-served'],
      ['cli:ann', 'edited'],
      ['cli:ann', 'unlinked'],
    ]);
    const edit = chain.find((e) => e.details['change'] === 'edited')!;
    expect(edit.details).toMatchObject({ previous: { alias: 'grey hoodie' }, now: { alias: 'green hoodie' } });
    expect(chain.filter((e) => e.action === 'ingest').map((e) => e.details['outcome'])).toEqual([
      'stored',
      'stored',
      'stored',
      'duplicate',
      'rejected',
    ]);
  });

  it('subject export answers a subject access request: everything held, the 30-day deadline, a disclosure entry', async () => {
    const out = join(dir, 'sar');
    const r = await hub('subject', 'export', subject, '--request-date', at(21), '-o', out, '--now', at(22), '--json');
    expect(r.code, r.stderr).toBe(0);
    const due = new Date(Date.parse(at(21)) + 30 * 86_400_000).toISOString();
    expect(JSON.parse(r.stdout)).toMatchObject({ reports: 2, images: 2, deadline: due });
    const answer = JSON.parse(readFileSync(join(out, 'answer.json'), 'utf8'));
    expect(answer).toMatchObject({
      subjectReference: subject,
      requestReceived: at(21),
      answerDue: due,
      record: { alias: 'green hoodie', status: 'active' },
    });
    expect(answer.reports.map((x: { packetId: string }) => x.packetId)).toEqual([ids.a, ids.b]);
    expect(answer.reports[0].retention.why).toMatch(/further report/);
    expect(answer.exclusions).toHaveLength(1);
    expect(answer.processing.retention.join(' ')).toMatch(/24 months from that report/);
    // The images exactly as the device signed them (verified on the way out).
    expect(readdirSync(join(out, 'images')).sort()).toEqual([`${ids.a}-subject-1.jpg`, `${ids.b}-subject-1.jpg`]);
    // A second answer never overwrites the first.
    expect((await hub('subject', 'export', subject, '--request-date', at(21), '-o', out)).stderr).toMatch(/not empty/);
    expect((await hub('subject', 'export', subject, '-o', join(dir, 'x'))).code).toBe(2);
    const store = new SqliteHubStore(join(dir, 'hub.sqlite'), clock);
    const entry = (await store.auditEntries({ limit: 10_000 })).filter((e) => e.action === 'sar-export');
    await store.close();
    expect(entry).toHaveLength(1);
    expect(entry[0]).toMatchObject({ subject: subject, details: { answerDue: due, images: 2 } });
  });

  it('the sweep withdraws, deletes with a tombstone and then deletes the subject', async () => {
    let r = JSON.parse((await hub('retention', '--now', at(30), '--json')).stdout);
    expect(r.applied).toMatchObject({ adminOnly: 2 });
    expect(JSON.parse((await hub('list', '--now', at(30), '--json')).stdout).map((p: { id: string }) => p.id)).toEqual([
      ids.c,
    ]);
    r = JSON.parse((await hub('retention', '--now', at(42), '--json')).stdout);
    expect(r.applied).toEqual({ adminOnly: 1, deleted: 2, subjectsDeleted: 1 });
    const s = JSON.parse((await hub('subject', 'show', subject, '--json')).stdout);
    expect(s).toMatchObject({ status: 'deleted', alias: null, deletedAt: at(42) });
    expect((await hub('subject', 'link', subject, ids.c)).stderr).toMatch(/deleted under retention/);
    expect(JSON.parse((await hub('show', ids.a, '--json')).stdout)).toMatchObject({ phase: 'deleted', manifest: null });
  });
});

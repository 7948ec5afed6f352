// `bcrp-edge hub list | show | verify | rejections | sweep | withdraw | devices` on a hub store filled by the receiver.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateKeys, KEY_FILES, loadPrivateKey, loadPublicKey } from '../../src/adapters/crypto/keys.js';
import { ACK_TYP, sealPacket, signJson } from '../../src/adapters/crypto/packet-codec.js';
import { SqliteHubStore } from '../../src/adapters/hub-store/sqlite-hub-store.js';
import { FakeBrokerNetwork } from '../../src/adapters/mqtt/fake-broker.js';
import { buildPacketContents } from '../../src/core/packet/build.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { loadHubConfig } from '../../src/hub/config.js';
import { enrolFromConfig } from '../../src/hub/create-hub.js';
import { HubReceiver } from '../../src/hub/receiver.js';
import { runCli } from '../support/cli.js';
import { redactedImage } from '../support/packets.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const config = join(dir, 'hub.yaml');
const ids = ['019a8a6e-aaaa-7000-8000-000000000001', '019a8a6e-aaaa-7000-8000-000000000002'];
const hub = (...args: string[]) => runCli(['hub', ...args, '--config', config]);
// The hub store's clock: packets are received at this time, and sweeps are run at times counted from it.
const RECEIVED = '2026-11-23T10:00:00Z';

beforeAll(async () => {
  const dev = generateKeys(join(dir, 'dev'));
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
  const cfg = loadHubConfig(config);
  const clock = new FixedClock(RECEIVED);
  const store = new SqliteHubStore(cfg.store as string, clock);
  await enrolFromConfig(store, cfg, clock);
  const hubSign = loadPrivateKey(join(dir, 'hubkeys', KEY_FILES.signingPrivate), 'ed25519');
  const receiver = new HubReceiver({
    broker: new FakeBrokerNetwork().client(),
    store,
    clock,
    topicPrefix: 'bcrp',
    encryptionKey: loadPrivateKey(join(dir, 'hubkeys', KEY_FILES.encryptionPrivate), 'x25519'),
    // The fixture stores one encrypted and some signed-only packets, to show how `hub list` marks each.
    requireEncryption: false,
    signAck: (a) => signJson(a, hubSign, ACK_TYP, 'hub'),
    log: { info: () => {}, warn: () => {} },
  });
  const signingKey = loadPrivateKey(join(dir, 'dev', KEY_FILES.signingPrivate), 'ed25519');
  for (const [i, id] of ids.entries()) {
    const c = buildPacketContents(
      {
        id,
        siteId: 'shop-001',
        deviceId: dev.signingFingerprint,
        createdAt: clock.now(),
        incidentTime: clock.now(),
        category: 'theft',
        retentionClass: 'shared-12m',
      },
      [{ image: await redactedImage(i), role: 'subject' }],
    );
    const payload = await sealPacket(c, {
      signingKey,
      encryptTo: i === 0 ? loadPublicKey(join(dir, 'hubkeys', KEY_FILES.encryptionPublic), 'x25519') : undefined,
    });
    const r = await receiver.receive({ topic: `bcrp/shop-001/incidents/${id}`, payload, retain: false });
    expect(r.outcome).toBe('stored');
  }
  await receiver.receive({ topic: 'bcrp/shop-001/incidents/nope', payload: Buffer.from('x'), retain: false });
  await store.close();
});

describe('hub operator commands', () => {
  it('list shows what is shared; show prints the manifest and extracts the images', async () => {
    // Judged a day after receipt (the packets were received at the store's clock, not today).
    const list = await hub('list', '--now', new Date(Date.parse(RECEIVED) + 86_400_000).toISOString(), '--json');
    expect(list.code).toBe(0);
    expect(
      JSON.parse(list.stdout)
        .map((p: { id: string }) => p.id)
        .sort(),
    ).toEqual(ids);
    const show = await hub('show', ids[0]!, '--images', join(dir, 'out'), '--json');
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout).manifest.images[0].name).toBe('subject-1.jpg');
    const missing = await hub('show', '019a8a6e-ffff-7000-8000-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no packet/);
  });

  it('verify re-checks every stored packet, encrypted or not', async () => {
    const r = await hub('verify');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 of 2 packet\(s\) verify/);
  });

  it('rejections lists what was refused and why', async () => {
    const r = await hub('rejections');
    expect(r.stdout).toMatch(/malformed-topic/);
  });

  it('withdraw and sweep apply the retention classes at a given time', async () => {
    const later = (s: number) => new Date(Date.parse(RECEIVED) + s * 1000).toISOString();
    expect((await hub('withdraw', ids[0]!, '--now', later(1))).code).toBe(0);
    const s1 = await hub('sweep', '--now', later(2), '--json');
    expect(JSON.parse(s1.stdout)).toEqual({ adminOnly: 1, deleted: 0, subjectsDeleted: 0 });
    expect(
      JSON.parse((await hub('list', '--now', later(3), '--json')).stdout).map((p: { id: string }) => p.id),
    ).toEqual([ids[1]]);
    const s2 = await hub('sweep', '--now', '2029-01-01T00:00:00Z', '--json');
    expect(JSON.parse(s2.stdout)).toEqual({ adminOnly: 0, deleted: 2, subjectsDeleted: 0 });
    const all = JSON.parse((await hub('list', '--all', '--json')).stdout);
    expect(all.map((p: { phase: string }) => p.phase)).toEqual(['deleted', 'deleted']);
    expect((await hub('verify')).stdout).toMatch(/2 of 2/);
  });

  it('devices lists the registry; revoke and reinstate change a device state, with clear errors', async () => {
    const list = JSON.parse((await hub('devices', '--json')).stdout) as { deviceId: string; state: string }[];
    expect(list).toHaveLength(1);
    expect(list[0]!.state).toBe('enrolled');
    const id = list[0]!.deviceId;
    const r = await hub('devices', 'revoke', id, '--reason', 'reported stolen');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/revoked/);
    expect(JSON.parse((await hub('devices', '--json')).stdout)[0]).toMatchObject({
      state: 'revoked',
      revokedReason: 'reported stolen',
    });
    expect((await hub('devices', 'revoke', id)).stderr).toMatch(/already revoked/);
    expect((await hub('devices', 'revoke', 'f'.repeat(64))).stderr).toMatch(/no device/);
    expect((await hub('devices', 'revoke')).code).toBe(2);
    expect((await hub('devices', 'reinstate', id)).code).toBe(0);
    expect(JSON.parse((await hub('devices', '--json')).stdout)[0].state).toBe('enrolled');
  });

  it('a config with both a SQLite store and postgres, or neither, is refused', async () => {
    const both = join(dir, 'both.yaml');
    writeFileSync(
      both,
      stringify({
        mqtt: { url: 'mqtts://127.0.0.1:1' },
        store: 'x.sqlite',
        postgres: { url: 'postgresql://hub:pw@/db' },
        signingKey: 'k',
      }),
    );
    const r = await runCli(['hub', 'list', '--config', both]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/exactly one of store .* or postgres/);
    expect(r.stderr).not.toContain('pw');
  });

  it('hub run refuses to start when it requires encryption but has no key to open packets with', async () => {
    const keyless = join(dir, 'keyless.yaml');
    writeFileSync(
      keyless,
      stringify({
        mqtt: { url: 'mqtts://127.0.0.1:1' },
        store: 'keyless.sqlite',
        signingKey: 'hubkeys/signing.key',
      }),
    );
    const r = await runCli(['hub', 'run', '--config', keyless]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/requireEncryption is on but encryptionKey is not set/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack
  });

  it('a bad config names every problem; an unknown subcommand is a usage error', async () => {
    writeFileSync(join(dir, 'bad.yaml'), stringify({ mqtt: { url: 'http://x' }, extra: 1 }));
    const r = await runCli(['hub', 'list', '--config', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(78);
    expect(r.stderr + r.stdout).toMatch(/store/);
    expect((await hub('frobnicate')).code).toBe(2);
  });
});

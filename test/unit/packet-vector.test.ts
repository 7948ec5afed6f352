// The shipped test vector and JSON Schemas match what the code produces today.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, loadPrivateKey, loadPublicKey } from '../../src/adapters/crypto/keys.js';
import { openPacket } from '../../src/adapters/crypto/packet-codec.js';
import { runCli } from '../support/cli.js';
import { schemaFiles, VECTOR_DIR, vectorPacket, vectorV2Packet } from '../support/packet-vector.js';

const file = (name: string) => join(VECTOR_DIR, name);
const deviceKey = loadPublicKey(file('device-signing.pub'), 'ed25519');
const opts = {
  deviceKey: (kid: string) => (kid === fingerprint(deviceKey) ? deviceKey : undefined),
  hubKey: loadPrivateKey(file('hub-encryption.key'), 'x25519'),
};

describe('docs/packet-vector', () => {
  it('rebuilding the vector from its keys and image gives the same packet.jws, byte for byte', async () => {
    const committed = readFileSync(file('packet.jws'));
    expect((await vectorPacket(VECTOR_DIR)).equals(committed)).toBe(true);
    expect(readFileSync(file('packet.jws.sha256'), 'utf8').split(' ')[0]).toBe(
      createHash('sha256').update(committed).digest('hex'),
    );
  });

  it('packet.jws and packet.jwe verify and carry manifest.json', async () => {
    const manifest = JSON.parse(readFileSync(file('manifest.json'), 'utf8'));
    for (const name of ['packet.jws', 'packet.jwe']) {
      const r = await openPacket(readFileSync(file(name)), opts);
      expect(r.ok, name).toBe(true);
      expect(r.manifest).toEqual(manifest);
      expect(r.files?.[0]?.bytes.equals(readFileSync(file('subject-1.jpg')))).toBe(true);
    }
  });

  it('`packet verify` accepts the encrypted vector and runs every check', async () => {
    const ok = await runCli([
      'packet',
      'verify',
      file('packet.jwe'),
      '--device-key',
      file('device-signing.pub'),
      '--hub-key',
      file('hub-encryption.key'),
      '--json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).checks.map((c: { check: string }) => c.check)).toEqual([
      'size',
      'decrypt',
      'format',
      'signature',
      'schema',
      'hashes',
    ]);
  });

  it('the JSON Schemas in docs/ are the ones generated from the TypeBox schemas', () => {
    for (const [name, text] of Object.entries(schemaFiles()))
      expect(
        JSON.parse(readFileSync(join(VECTOR_DIR, '..', name), 'utf8')),
        `${name}: regenerate with test/support/packet-vector.ts`,
      ).toEqual(JSON.parse(text));
  });
});

describe('docs/packet-vector, bcrp-packet/2 (with a clip)', () => {
  it('rebuilds packet-v2.jws byte for byte; it verifies and carries manifest-v2.json and clip.mp4', async () => {
    const committed = readFileSync(file('packet-v2.jws'));
    expect((await vectorV2Packet(VECTOR_DIR)).equals(committed)).toBe(true);
    expect(readFileSync(file('packet-v2.jws.sha256'), 'utf8').split(' ')[0]).toBe(
      createHash('sha256').update(committed).digest('hex'),
    );
    const r = await openPacket(committed, opts);
    expect(r.ok).toBe(true);
    expect(r.manifest).toEqual(JSON.parse(readFileSync(file('manifest-v2.json'), 'utf8')));
    expect(r.manifest?.schema).toBe('bcrp-packet/2');
    expect(r.clip?.bytes.equals(readFileSync(file('clip.mp4')))).toBe(true);
  });

  it('a reader of bcrp-packet/1 only refuses it by name, never keeping the stills without the clip', async () => {
    const r = await openPacket(readFileSync(file('packet-v2.jws')), { ...opts, formats: ['bcrp-packet/1'] });
    expect(r.ok).toBe(false);
    expect(r.checks.at(-1)).toMatchObject({ check: 'schema', ok: false });
    expect(r.checks.at(-1)?.message).toMatch(/packet format bcrp-packet\/2 is not accepted here/);
    expect(r.files).toBeUndefined();
  });
});

// Contract for the Signer port, run against every implementation (today: the jose Ed25519 signer).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JoseSigner, joseVerifier } from '../../src/adapters/crypto/checkpoint-signer.js';
import type { Signer } from '../../src/core/ports/signer.js';
import { tempDir } from '../support/tmp.js';

const root = tempDir('bcrp-signer-');

const implementations: [string, () => Promise<Signer>][] = [
  ['JoseSigner (key made in the data dir)', () => JoseSigner.loadOrCreate(join(root, 'a'))],
];

describe.each(implementations)('Signer contract: %s', (_name, make) => {
  it('signs a payload that verifies with its own public key and returns it unchanged', async () => {
    const s = await make();
    const jws = await s.sign({ b: 2, a: [1, 'x'] });
    const { payload, keyId } = await joseVerifier.verify(jws, s.publicKeyPem());
    expect(payload).toEqual({ a: [1, 'x'], b: 2 });
    expect(keyId).toBe(s.keyId);
  });

  it('is stable across restarts: same key id, old signatures still verify', async () => {
    const s1 = await make();
    const jws = await s1.sign({ n: 1 });
    const s2 = await make();
    expect(s2.keyId).toBe(s1.keyId);
    await expect(joseVerifier.verify(jws, s2.publicKeyPem())).resolves.toBeTruthy();
  });

  it('a changed payload or another key does not verify', async () => {
    const s = await make();
    const [h, p, sig] = (await s.sign({ seq: 1 })).split('.');
    const forged = `${h}.${Buffer.from('{"seq":2}').toString('base64url')}.${sig}`;
    await expect(joseVerifier.verify(forged, s.publicKeyPem())).rejects.toThrow();
    const other = await JoseSigner.loadOrCreate(join(root, 'other'));
    await expect(joseVerifier.verify(`${h}.${p}.${sig}`, other.publicKeyPem())).rejects.toThrow();
  });
});

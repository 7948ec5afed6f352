// The hub's own JOSE opener against jose: it opens what jose seals, signs what jose signs byte for byte, refuses
// every header outside its one profile, and never accepts a token that jose would refuse.
import {
  createCipheriv,
  createHash,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import fc from 'fast-check';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  compactSegments,
  decryptX25519Jwe,
  JoseError,
  parseHeader,
  signEd25519Jws,
  verifyEd25519Jws,
} from '../../src/adapters/crypto/compact-jose.js';
import { FUZZ_RUNS } from '../support/fuzz.js';

const device = generateKeyPairSync('ed25519');
const hub = generateKeyPairSync('x25519');
const payload = Buffer.from(JSON.stringify({ manifest: { id: 'x' }, images: [{ name: 'a', data: 'QUJD' }] }));
const JWE_HEADER = { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'bcrp-packet+jws', kid: 'hub' };

const seg = (text: string) => {
  const s = compactSegments(Buffer.from(text, 'latin1'));
  if (!s) throw new JoseError('not canonical');
  return s;
};
const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

/** A JWE with any protected header, made the RFC 7516/7518 way, so a header alone decides acceptance. */
function handMadeJwe(header: Record<string, unknown>, to: KeyObject, plaintext: Buffer, epkOverride?: unknown): string {
  const eph = generateKeyPairSync('x25519');
  const epk = epkOverride ?? { kty: 'OKP', crv: 'X25519', x: eph.publicKey.export({ format: 'jwk' }).x };
  const alg = String(header['alg']);
  const z = diffieHellman({ privateKey: eph.privateKey, publicKey: to });
  const other = Buffer.concat([u32(alg.length), Buffer.from(alg), u32(0), u32(0), u32(256)]);
  const kek = createHash('sha256').update(u32(1)).update(z).update(other).digest();
  const cek = randomBytes(32);
  const wrap = createCipheriv('id-aes256-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
  const encryptedKey = Buffer.concat([wrap.update(cek), wrap.final()]);
  const h = Buffer.from(JSON.stringify({ ...header, epk })).toString('base64url');
  const iv = randomBytes(12);
  const gcm = createCipheriv('aes-256-gcm', cek, iv);
  gcm.setAAD(Buffer.from(h, 'ascii'));
  const ct = Buffer.concat([gcm.update(plaintext), gcm.final()]);
  return [h, encryptedKey, iv, ct, gcm.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

const joseOpens = async (jwe: string, key: KeyObject) =>
  compactDecrypt(jwe, key, {
    keyManagementAlgorithms: ['ECDH-ES+A256KW'],
    contentEncryptionAlgorithms: ['A256GCM'],
  }).then(
    (r) => Buffer.from(r.plaintext),
    () => undefined,
  );
const mineOpens = (jwe: string, key: KeyObject) => {
  try {
    return decryptX25519Jwe(seg(jwe), key).plaintext;
  } catch {
    return undefined;
  }
};

describe('compact JWS (EdDSA, Ed25519)', () => {
  it('signs byte for byte what jose signs, and each verifies the other', async () => {
    const header = { alg: 'EdDSA', typ: 'bcrp-ack+jws', kid: 'hub-1' };
    const mine = signEd25519Jws(payload, header, device.privateKey);
    const theirs = await new CompactSign(payload).setProtectedHeader(header).sign(device.privateKey);
    expect(mine).toBe(theirs);
    expect(Buffer.from((await compactVerify(mine, device.publicKey)).payload)).toEqual(payload);
    expect(verifyEd25519Jws(seg(theirs), device.publicKey).payload).toEqual(payload);
  });

  it('refuses another key, another key type, another alg, crit/b64 headers and a short signature', async () => {
    const good = signEd25519Jws(payload, { alg: 'EdDSA' }, device.privateKey);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(() => verifyEd25519Jws(seg(good), other)).toThrow('signature verification failed');
    expect(() => verifyEd25519Jws(seg(good), generateKeyPairSync('ed448').publicKey)).toThrow('not an Ed25519');
    expect(() => verifyEd25519Jws(seg(good), device.privateKey)).toThrow('not an Ed25519');
    for (const header of [{ alg: 'none' }, { alg: 'EdDSA', crit: ['b64'], b64: false }, { alg: 'EdDSA', b64: true }]) {
      const t = signEd25519Jws(payload, header, device.privateKey);
      expect(() => verifyEd25519Jws(seg(t), device.publicKey)).toThrow(JoseError);
    }
    const [h, p, s] = good.split('.') as [string, string, string];
    const short = `${h}.${p}.${Buffer.from(s, 'base64url').subarray(0, 63).toString('base64url')}`;
    expect(() => verifyEd25519Jws(seg(short), device.publicKey)).toThrow('64 bytes');
    // Only the one canonical spelling of each segment: no padding, other alphabet, stray bits or characters.
    for (const bad of ['YQ==', 'YR', 'Y Q', 'a+b_', 'a/b-', 'YQ\n', 'Y\u00e9'])
      expect(compactSegments(Buffer.from(`${h}.${bad}.${s}`))).toBeUndefined();
    expect(compactSegments(Buffer.from(`${h}.YQ.${s}`))?.bytes[1]).toEqual(Buffer.from('a'));
  });

  it(`never accepts a token jose refuses (${FUZZ_RUNS / 10} mutated tokens)`, async () => {
    const good = signEd25519Jws(payload, { alg: 'EdDSA', typ: 't' }, device.privateKey);
    await fc.assert(
      fc.asyncProperty(fc.nat(good.length - 1), fc.integer({ min: 1, max: 127 }), async (at, code) => {
        const t = good.slice(0, at) + String.fromCharCode(code) + good.slice(at + 1);
        let mine: Buffer | undefined;
        try {
          mine = verifyEd25519Jws(seg(t), device.publicKey).payload;
        } catch {
          mine = undefined;
        }
        if (mine === undefined) return;
        const theirs = await compactVerify(t, device.publicKey, { algorithms: ['EdDSA'] });
        expect(Buffer.from(theirs.payload)).toEqual(mine);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});

describe('compact JWE (ECDH-ES+A256KW, X25519, A256GCM)', () => {
  it('opens what jose seals, and jose opens the hand-made reference token, with the same plaintext', async () => {
    const sealed = await new CompactEncrypt(payload).setProtectedHeader(JWE_HEADER).encrypt(hub.publicKey);
    expect(mineOpens(sealed, hub.privateKey)).toEqual(payload);
    const hand = handMadeJwe(JWE_HEADER, hub.publicKey, payload);
    expect(await joseOpens(hand, hub.privateKey)).toEqual(payload);
    expect(mineOpens(hand, hub.privateKey)).toEqual(payload);
  });

  it('tells a profile refusal from a bad signature, and refuses a byte order mark before the header JSON', () => {
    const crit = signEd25519Jws(payload, { alg: 'EdDSA', crit: ['exp'], exp: 1 }, device.privateKey);
    const kind = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof JoseError ? e.kind : 'other';
      }
      return 'accepted';
    };
    expect(kind(() => verifyEd25519Jws(seg(crit), device.publicKey))).toBe('profile');
    const good = signEd25519Jws(payload, { alg: 'EdDSA' }, device.privateKey);
    expect(kind(() => verifyEd25519Jws(seg(good), generateKeyPairSync('ed25519').publicKey))).toBe('signature');
    expect(kind(() => verifyEd25519Jws(seg(good), device.publicKey))).toBe('accepted');

    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"alg":"EdDSA"}')]);
    expect(parseHeader(bom)).toBeUndefined();
    expect(parseHeader(Buffer.from('{"alg":"EdDSA"}'))).toEqual({ alg: 'EdDSA' });
    const input = `${bom.toString('base64url')}.${payload.toString('base64url')}`;
    const withBom = `${input}.${sign(null, Buffer.from(input), device.privateKey).toString('base64url')}`;
    expect(() => verifyEd25519Jws(seg(withBom), device.publicKey)).toThrow('not a JSON object');
  });

  it('takes epk.x only as exactly 32 bytes in canonical base64url', () => {
    const eph = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }).x!;
    // The same 32 bytes spelt differently (stray low bits, padding), and one byte more or less.
    const last = eph.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const stray = eph.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(stray, 'base64url')).toEqual(Buffer.from(eph, 'base64url'));
    for (const x of [
      stray,
      `${eph}=`,
      Buffer.concat([Buffer.from(eph, 'base64url'), Buffer.from([0])]).toString('base64url'),
      Buffer.from(eph, 'base64url').subarray(0, 31).toString('base64url'),
    ]) {
      const t = handMadeJwe(JWE_HEADER, hub.publicKey, payload, { kty: 'OKP', crv: 'X25519', x });
      expect(() => decryptX25519Jwe(seg(t), hub.privateKey), x).toThrow('epk.x is not 32 bytes');
    }
  });

  it('refuses headers outside the profile even when they are correctly encrypted', () => {
    const eph = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
    const cases: [Record<string, unknown>, unknown?][] = [
      [{ ...JWE_HEADER, zip: 'DEF' }],
      [{ ...JWE_HEADER, crit: ['exp'], exp: 1 }],
      [{ ...JWE_HEADER, apu: 'YQ', apv: 'Yg' }],
      [{ ...JWE_HEADER, enc: 'A128GCM' }],
      [{ ...JWE_HEADER, alg: 'ECDH-ES+A128KW' }],
      [JWE_HEADER, { ...eph, d: 'AAAA' }],
      [JWE_HEADER, { kty: 'EC', crv: 'P-256', x: eph.x, y: eph.x }],
      [JWE_HEADER, { kty: 'OKP', crv: 'X25519', x: Buffer.alloc(32).toString('base64url') }],
      [JWE_HEADER, { kty: 'OKP', crv: 'X25519', x: 'AAAA' }],
    ];
    for (const [header, epk] of cases) {
      const t = handMadeJwe(header, hub.publicKey, payload, epk);
      expect(() => decryptX25519Jwe(seg(t), hub.privateKey), JSON.stringify(header)).toThrow(JoseError);
    }
    const good = handMadeJwe(JWE_HEADER, hub.publicKey, payload);
    expect(() => decryptX25519Jwe(seg(good), generateKeyPairSync('x25519').privateKey)).toThrow('decryption failed');
    expect(() => decryptX25519Jwe(seg(good), hub.publicKey)).toThrow('not an X25519 private key');
    const parts = good.split('.');
    const shortTag = [...parts.slice(0, 4), Buffer.from(parts[4]!, 'base64url').subarray(0, 12).toString('base64url')];
    expect(() => decryptX25519Jwe(seg(shortTag.join('.')), hub.privateKey)).toThrow('wrong length');
  });

  it(`never accepts a token jose refuses (${FUZZ_RUNS / 10} mutated tokens)`, async () => {
    const good = await new CompactEncrypt(payload).setProtectedHeader(JWE_HEADER).encrypt(hub.publicKey);
    await fc.assert(
      fc.asyncProperty(fc.nat(good.length - 1), fc.integer({ min: 1, max: 127 }), async (at, code) => {
        const t = good.slice(0, at) + String.fromCharCode(code) + good.slice(at + 1);
        const mine = mineOpens(t, hub.privateKey);
        if (mine === undefined) return;
        expect(await joseOpens(t, hub.privateKey)).toEqual(mine);
      }),
      { numRuns: FUZZ_RUNS / 10 },
    );
  });
});

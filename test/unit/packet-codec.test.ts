// Packets: build from redacted images, seal (JWS, optional JWE), open and name what fails.
import { sign } from 'node:crypto';
import fc from 'fast-check';
import { CompactSign } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signEd25519Jws } from '../../src/adapters/crypto/compact-jose.js';
import { JWS_TYP, openPacket, PacketTooLarge, sealPacket } from '../../src/adapters/crypto/packet-codec.js';
import { buildPacketContents, type PacketContents, PacketInputError } from '../../src/core/packet/build.js';
import { manifestProblems } from '../../src/core/packet/manifest.js';
import { redactedImage, type TestKeys, testKeys } from '../support/packets.js';

const ID = '019a8a6e-1c2b-7d3e-8f40-123456789abc';
let keys: TestKeys;
let contents: PacketContents;
let packet: Buffer;

const fields = () => ({
  id: ID,
  siteId: 'shop-001',
  deviceId: keys.deviceId,
  createdAt: new Date('2026-11-23T10:05:00Z'),
  incidentTime: new Date('2026-11-23T10:00:00Z'),
  category: 'theft',
  retentionClass: 'shared-12m' as const,
  description: 'Two bottles of spirits taken from the aisle.',
});

const open = (b: Buffer, hubKey = keys.encryption.privateKey) =>
  openPacket(b, { deviceKey: (kid) => (kid === keys.deviceId ? keys.signing.publicKey : undefined), hubKey });

beforeAll(async () => {
  keys = testKeys();
  contents = buildPacketContents(fields(), [
    { image: await redactedImage(1), role: 'subject' },
    { image: await redactedImage(2, [80, 60]), role: 'context' },
  ]);
  packet = await sealPacket(contents, { signingKey: keys.signing.privateKey });
});

describe('building a packet from redaction outputs', () => {
  it('keeps only allow-listed fields and sums the redaction reports', () => {
    const m = contents.manifest;
    expect(Object.keys(m).sort()).toEqual(
      [
        'category',
        'createdAt',
        'description',
        'deviceId',
        'id',
        'images',
        'incidentTime',
        'redaction',
        'retentionClass',
        'schema',
        'siteId',
      ].sort(),
    );
    expect(m.redaction).toEqual({
      facesFound: 4,
      facesRedacted: 2,
      facesKept: 2,
      extraBoxes: 0,
      model: { id: 'blazeface-test', sha256: 'a'.repeat(64) },
      mode: 'solid',
    });
    expect(m.images.map((i) => [i.name, i.role, i.width, i.height])).toEqual([
      ['subject-1.jpg', 'subject', 64, 48],
      ['context-1.jpg', 'context', 80, 60],
    ]);
    expect(manifestProblems(m)).toEqual([]);
  });

  it('takes only RedactedImage values: a plain image does not type-check (tsc runs over tests)', async () => {
    const r = await redactedImage(6);
    const plain = {
      bytes: r.bytes,
      mime: r.mime,
      width: r.width,
      height: r.height,
      sha256: r.sha256,
      report: r.report,
    };
    // @ts-expect-error an image that did not come out of the redaction step is not a RedactedImage
    const build = () => buildPacketContents(fields(), [{ image: plain, role: 'subject' }]);
    expect(build().manifest.images).toHaveLength(1);
  });

  it('refuses a description over the cap instead of cutting it', async () => {
    const img = await redactedImage(5);
    expect(() =>
      buildPacketContents({ ...fields(), description: 'x'.repeat(281) }, [{ image: img, role: 'subject' }]),
    ).toThrow(/281 characters; the limit is 280/);
  });

  it('refuses an unknown category and an empty image list', async () => {
    const img = await redactedImage(3);
    expect(() =>
      buildPacketContents({ ...fields(), category: 'shoplifting' }, [{ image: img, role: 'subject' }]),
    ).toThrow(PacketInputError);
    expect(() => buildPacketContents(fields(), [])).toThrow(/at least one image/);
  });

  it('the schema rejects fields outside the allow-list (staff names, GPS, camera addresses)', () => {
    for (const extra of [{ staffName: 'Sam' }, { gps: [51.5, -0.1] }, { cameraIp: '192.168.1.64' }]) {
      expect(manifestProblems({ ...contents.manifest, ...extra }).length).toBeGreaterThan(0);
    }
  });
});

describe('sealing and opening', () => {
  it('a sealed packet verifies: size, format, signature, schema and hashes', async () => {
    const r = await open(packet);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.check)).toEqual(['size', 'format', 'signature', 'schema', 'hashes']);
    expect(r.manifest).toEqual(contents.manifest);
    expect(r.files?.map((f) => f.bytes.equals(contents.files.find((x) => x.name === f.name)!.bytes))).toEqual([
      true,
      true,
    ]);
  });

  it('an encrypted packet hides the manifest and opens only with the hub key', async () => {
    const enc = await sealPacket(contents, {
      signingKey: keys.signing.privateKey,
      encryptTo: keys.encryption.publicKey,
    });
    expect(enc.toString().split('.')).toHaveLength(5);
    expect(enc.toString()).not.toContain(Buffer.from('shop-001').toString('base64url').slice(0, 8));
    const r = await open(enc);
    expect(r.ok).toBe(true);
    expect(r.encrypted).toBe(true);
    expect(r.digest).toBe((await open(packet)).digest);
    const without = await openPacket(enc, { deviceKey: () => keys.signing.publicKey });
    expect(without.checks.at(-1)).toMatchObject({ check: 'decrypt', ok: false });
    const other = testKeys();
    const wrong = await open(enc, other.encryption.privateKey);
    expect(wrong.checks.at(-1)).toMatchObject({ check: 'decrypt', ok: false });
  });

  it('refuses to build a packet over the size limit, with the sizes in the message', async () => {
    const big = await redactedImage(4, [1200, 1000]);
    const c = buildPacketContents(fields(), [{ image: big, role: 'subject' }]);
    await expect(sealPacket(c, { signingKey: keys.signing.privateKey, maxBytes: 65536 })).rejects.toThrow(
      PacketTooLarge,
    );
    await expect(sealPacket(c, { signingKey: keys.signing.privateKey, maxBytes: 65536 })).rejects.toThrow(
      /limit is 65536 bytes/,
    );
    const r = await openPacket(await sealPacket(c, { signingKey: keys.signing.privateKey }), {
      deviceKey: () => keys.signing.publicKey,
      maxBytes: 65536,
    });
    expect(r.checks[0]).toMatchObject({ check: 'size', ok: false });
  });

  it('refuses to sign when an image does not match its manifest hash', async () => {
    const bad = {
      ...contents,
      files: [{ ...contents.files[0]!, bytes: Buffer.from('not the image') }, contents.files[1]!],
    };
    await expect(sealPacket(bad, { signingKey: keys.signing.privateKey })).rejects.toThrow(/do not match the SHA-256/);
  });

  it('names an unknown device key as a signature failure', async () => {
    const r = await openPacket(packet, { deviceKey: () => undefined });
    expect(r.checks.at(-1)).toMatchObject({ check: 'signature', ok: false });
    expect(r.checks.at(-1)!.message).toMatch(/device not known/);
  });

  it('fails the hashes check when a validly signed payload carries a changed image', async () => {
    const body = {
      manifest: contents.manifest,
      images: contents.files.map((f, i) => ({
        name: f.name,
        data: (i === 0 ? Buffer.concat([f.bytes, Buffer.from([0])]) : f.bytes).toString('base64'),
      })),
    };
    const jws = await new CompactSign(Buffer.from(JSON.stringify(body)))
      .setProtectedHeader({ alg: 'EdDSA', typ: JWS_TYP, kid: keys.deviceId })
      .sign(keys.signing.privateKey);
    const r = await open(Buffer.from(jws));
    expect(r.ok).toBe(false);
    expect(r.checks.at(-1)).toMatchObject({ check: 'hashes', ok: false });
    expect(r.checks.at(-1)!.message).toMatch(/subject-1.jpg/);
  });

  it('reports a crit header as outside the profile (format), not as a bad signature', async () => {
    const body = { manifest: contents.manifest, images: [] };
    // Validly signed by the enrolled device: only the header's crit puts it outside the one accepted profile.
    const jws = await new CompactSign(Buffer.from(JSON.stringify(body)))
      .setProtectedHeader({ alg: 'EdDSA', typ: JWS_TYP, kid: keys.deviceId, crit: ['exp'], exp: 1 } as never)
      .sign(keys.signing.privateKey)
      .catch(() => undefined);
    // jose will not make a crit token it does not understand, so the same header is signed by hand.
    const header = { alg: 'EdDSA', typ: JWS_TYP, kid: keys.deviceId, crit: ['exp'], exp: 1 };
    const token = jws ?? signEd25519Jws(Buffer.from(JSON.stringify(body)), header, keys.signing.privateKey);
    const r = await open(Buffer.from(token));
    expect(r.ok).toBe(false);
    expect(r.checks.at(-1)).toMatchObject({ check: 'format', ok: false });
    expect(r.checks.at(-1)!.message).toContain('outside the accepted JOSE profile');
    expect(r.checks.at(-1)!.message).toContain('crit');
    expect(r.checks.some((c) => c.check === 'signature')).toBe(false);
  });

  it('refuses a header with a UTF-8 byte order mark before its JSON', async () => {
    const body = { manifest: contents.manifest, images: [] };
    const h = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: JWS_TYP, kid: keys.deviceId })),
    ]).toString('base64url');
    const input = `${h}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
    const sig = sign(null, Buffer.from(input), keys.signing.privateKey).toString('base64url');
    const r = await open(Buffer.from(`${input}.${sig}`));
    expect(r.ok).toBe(false);
    expect(r.checks.at(-1)).toMatchObject({ check: 'format', ok: false });
    expect(r.checks.at(-1)!.message).toContain('byte order mark');
  });

  it('fails the schema check for a validly signed manifest with an extra field', async () => {
    const body = { manifest: { ...contents.manifest, staffName: 'Sam' }, images: [] };
    const jws = await new CompactSign(Buffer.from(JSON.stringify(body)))
      .setProtectedHeader({ alg: 'EdDSA', typ: JWS_TYP, kid: keys.deviceId })
      .sign(keys.signing.privateKey);
    const r = await open(Buffer.from(jws));
    expect(r.checks.at(-1)).toMatchObject({ check: 'schema', ok: false });
  });
});

describe('any flipped byte fails verification', () => {
  const segments = () => {
    const t = packet.toString();
    const a = t.indexOf('.');
    const b = t.lastIndexOf('.');
    return { header: [0, a], payload: [a + 1, b], signature: [b + 1, t.length] } as const;
  };
  const flipAt = (pos: number, mask: number) => {
    const copy = Buffer.from(packet);
    copy[pos] = copy[pos]! ^ mask;
    return copy;
  };

  it.each(['header', 'signature'] as const)('every byte of the %s, every bit', async (seg) => {
    const [from, to] = segments()[seg];
    for (let pos = from; pos < to; pos++)
      for (const mask of [1, 2, 4, 8, 16, 32, 64, 128]) {
        const r = await open(flipAt(pos, mask));
        if (r.ok) throw new Error(`flipping bit ${mask} at ${pos} (${seg}) still verified`);
      }
  });

  it('any byte of the payload or a separator, any flip (property)', async () => {
    const [from, to] = segments().payload;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: from - 1, max: to }), fc.integer({ min: 1, max: 255 }), async (pos, mask) => {
        expect((await open(flipAt(pos, mask))).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('any flipped byte of any image inside the payload fails', async () => {
    const [h, payload, sig] = packet.toString().split('.') as [string, string, string];
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString());
    for (const [i, img] of (body.images as { data: string }[]).entries()) {
      const bytes = Buffer.from(img.data, 'base64');
      for (const pos of [0, 1, Math.floor(bytes.length / 2), bytes.length - 1]) {
        const changed = Buffer.from(bytes);
        changed[pos] = changed[pos]! ^ 0x10;
        const copy = structuredClone(body);
        copy.images[i].data = changed.toString('base64');
        const text = `${h}.${Buffer.from(JSON.stringify(copy)).toString('base64url')}.${sig}`;
        const r = await open(Buffer.from(text));
        expect(r.ok).toBe(false);
        expect(r.checks.at(-1)).toMatchObject({ check: 'signature', ok: false });
      }
    }
  });

  it('flipped bytes in an encrypted packet fail too', async () => {
    const enc = await sealPacket(contents, {
      signingKey: keys.signing.privateKey,
      encryptTo: keys.encryption.publicKey,
    });
    for (const pos of [3, 200, Math.floor(enc.length / 2), enc.length - 30, enc.length - 1]) {
      const copy = Buffer.from(enc);
      copy[pos] = copy[pos]! ^ 0x04;
      expect((await open(copy)).ok).toBe(false);
    }
  });
});

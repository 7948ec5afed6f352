// The packet test vector in docs/packet-vector/: fixed keys, a fixed JPEG, fixed id and times, so the signed
// packet (Ed25519 signatures are deterministic) is the same bytes every time. Regenerate with
//   node --import tsx test/support/packet-vector.ts docs/packet-vector
// test/unit/packet-vector.test.ts rebuilds it in memory and checks it byte for byte.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fingerprint, loadPrivateKey, loadPublicKey } from '../../src/adapters/crypto/keys.js';
import { sealPacket } from '../../src/adapters/crypto/packet-codec.js';
import { PacketAckSchema } from '../../src/core/packet/ack.js';
import { buildOperatorPacketContents, type PacketContents } from '../../src/core/packet/build.js';
import { readJpegInfo } from '../../src/core/packet/jpeg.js';
import { PacketManifestSchema } from '../../src/core/packet/manifest.js';

export const VECTOR_DIR = resolve(import.meta.dirname, '..', '..', 'docs', 'packet-vector');
export const VECTOR_ID = '019ab0f2-4c00-7000-8000-00000000b0c7';

export function vectorContents(dir: string): PacketContents {
  const device = loadPublicKey(join(dir, 'device-signing.pub'), 'ed25519');
  const bytes = readFileSync(join(dir, 'subject-1.jpg'));
  const info = readJpegInfo(bytes)!;
  return buildOperatorPacketContents(
    {
      id: VECTOR_ID,
      siteId: 'shop-001',
      deviceId: fingerprint(device),
      createdAt: new Date('2026-11-23T10:05:00.000Z'),
      incidentTime: new Date('2026-11-23T10:00:00.000Z'),
      category: 'theft',
      retentionClass: 'shared-12m',
      description: 'Test vector: not a real incident.',
      recorderClock: { offsetMs: 2350, source: 'isapi', measuredAt: '2026-11-23T10:00:01.000Z' },
      evidenceMaster: {
        sha256: '5f2b8c0e9d4a71b3c6e8f0a2b4d6e8f0a1c3e5f7092b4d6f8a0c2e4f6a8b0c2d',
        windowFrom: '2026-11-23T09:59:30.000Z',
        windowTo: '2026-11-23T10:00:30.000Z',
      },
    },
    [
      {
        role: 'subject',
        image: {
          bytes,
          width: info.width,
          height: info.height,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        },
      },
    ],
  );
}

/** The JSON Schema files shipped in docs/, generated from the one TypeBox schema. */
export function schemaFiles(): Record<string, string> {
  const doc = (schema: object, title: string) =>
    `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title, ...schema }, null, 2)}\n`;
  return {
    'packet-manifest.schema.json': doc(PacketManifestSchema, 'BCRP Edge incident packet manifest (bcrp-packet/1)'),
    'packet-ack.schema.json': doc(PacketAckSchema, 'BCRP hub acknowledgement (bcrp-ack/1)'),
  };
}

export async function vectorPacket(dir: string): Promise<Buffer> {
  return sealPacket(vectorContents(dir), { signingKey: loadPrivateKey(join(dir, 'device-signing.key'), 'ed25519') });
}

async function main(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const pair = (name: string, kind: 'ed25519' | 'x25519') => {
    if (existsSync(join(dir, `${name}.key`))) return;
    const k = generateKeyPairSync(kind as 'ed25519');
    writeFileSync(join(dir, `${name}.key`), k.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, `${name}.pub`), k.publicKey.export({ type: 'spki', format: 'pem' }));
  };
  pair('device-signing', 'ed25519');
  pair('hub-encryption', 'x25519');
  if (!existsSync(join(dir, 'subject-1.jpg'))) {
    const { default: sharp } = await import('sharp');
    const raw = Buffer.alloc(32 * 24 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) % 251;
    writeFileSync(
      join(dir, 'subject-1.jpg'),
      await sharp(raw, { raw: { width: 32, height: 24, channels: 3 } })
        .jpeg({ quality: 70 })
        .toBuffer(),
    );
  }
  const jws = await vectorPacket(dir);
  writeFileSync(join(dir, 'packet.jws'), jws);
  // JWE uses a fresh ephemeral key each time: this file is checked by decryption, not byte for byte.
  const jwe = await sealPacket(vectorContents(dir), {
    signingKey: loadPrivateKey(join(dir, 'device-signing.key'), 'ed25519'),
    encryptTo: loadPublicKey(join(dir, 'hub-encryption.pub'), 'x25519'),
  });
  writeFileSync(join(dir, 'packet.jwe'), jwe);
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(vectorContents(dir).manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'packet.jws.sha256'), `${createHash('sha256').update(jws).digest('hex')}  packet.jws\n`);
  for (const [name, text] of Object.entries(schemaFiles())) writeFileSync(join(dir, '..', name), text);
  process.stdout.write(`wrote the packet test vector to ${dir} and the JSON Schemas beside it\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await main(resolve(process.argv[2] ?? VECTOR_DIR));
}

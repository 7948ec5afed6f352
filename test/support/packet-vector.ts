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
import { buildOperatorPacketContents, type PacketContents, withClip } from '../../src/core/packet/build.js';
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

/**
 * The bcrp-packet/2 vector: the same packet with a redacted clip (clip.mp4, a 1 s, 8 fps, 32×24 H.264 test pattern
 * with no audio and no metadata, made once by main() and kept) and a fixed redaction block.
 */
export function vectorV2Contents(dir: string): PacketContents {
  const bytes = readFileSync(join(dir, 'clip.mp4'));
  return withClip(vectorContents(dir), {
    bytes,
    entry: {
      width: 32,
      height: 24,
      fps: 8,
      durationSeconds: 1,
      startTime: '2026-11-23T09:59:55.000Z',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      redaction: {
        facesTracked: 3,
        facesFilled: 2,
        facesKept: 1,
        extraBoxes: 0,
        model: { id: 'yunet-2023mar', sha256: '8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4' },
        mode: 'solid',
        verification: { result: 'verified', framesChecked: 8, facesRepaired: 0 },
      },
    },
  });
}

export async function vectorV2Packet(dir: string): Promise<Buffer> {
  return sealPacket(vectorV2Contents(dir), {
    signingKey: loadPrivateKey(join(dir, 'device-signing.key'), 'ed25519'),
  });
}

/** The JSON Schema files shipped in docs/, generated from the one TypeBox schema. */
export function schemaFiles(): Record<string, string> {
  const doc = (schema: object, title: string) =>
    `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title, ...schema }, null, 2)}\n`;
  return {
    'packet-manifest.schema.json': doc(
      PacketManifestSchema,
      'BCRP Edge incident packet manifest (bcrp-packet/1, and bcrp-packet/2 with a clip)',
    ),
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
  if (!existsSync(join(dir, 'clip.mp4'))) {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=32x24:rate=8:duration=1'],
      ...['-an', '-map_metadata', '-1', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
      ...['-flags', '+bitexact', '-movflags', '+faststart', join(dir, 'clip.mp4')],
    ]);
    if (r.status !== 0) throw new Error(`ffmpeg could not make clip.mp4: ${r.stderr}`);
  }
  const v2 = await vectorV2Packet(dir);
  writeFileSync(join(dir, 'packet-v2.jws'), v2);
  writeFileSync(join(dir, 'manifest-v2.json'), `${JSON.stringify(vectorV2Contents(dir).manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'packet-v2.jws.sha256'), `${createHash('sha256').update(v2).digest('hex')}  packet-v2.jws\n`);
  for (const [name, text] of Object.entries(schemaFiles())) writeFileSync(join(dir, '..', name), text);
  process.stdout.write(`wrote the packet test vector to ${dir} and the JSON Schemas beside it\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await main(resolve(process.argv[2] ?? VECTOR_DIR));
}

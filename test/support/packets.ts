// Test data for packets: small JPEGs made with sharp, RedactedImage values, keys, and incidents in a store.
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import sharp from 'sharp';
import { fingerprint } from '../../src/adapters/crypto/keys.js';
import type { Db } from '../../src/adapters/store/sqlite-store.js';
import { markRedacted, type RedactedImage } from '../../src/core/redaction.js';

export async function testJpeg(width = 64, height = 48, seed = 0): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + seed * 13) % 251;
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

export async function redactedImage(seed = 0, size: [number, number] = [64, 48]): Promise<RedactedImage> {
  const bytes = await testJpeg(size[0], size[1], seed);
  return markRedacted({
    bytes,
    mime: 'image/jpeg',
    width: size[0],
    height: size[1],
    sha256: createHash('sha256').update(bytes).digest('hex'),
    report: {
      facesFound: 2,
      facesRedacted: 1,
      facesKept: 1,
      extraBoxes: 0,
      model: { id: 'blazeface-test', sha256: 'a'.repeat(64) },
      mode: 'solid',
      timingsMs: { decode: 1, detect: 1, redact: 1, encode: 1 },
    },
  });
}

export interface TestKeys {
  signing: { privateKey: KeyObject; publicKey: KeyObject };
  encryption: { privateKey: KeyObject; publicKey: KeyObject };
  deviceId: string;
}

export function testKeys(): TestKeys {
  const signing = generateKeyPairSync('ed25519');
  return { signing, encryption: generateKeyPairSync('x25519'), deviceId: fingerprint(signing.publicKey) };
}

/** Inserts an incident ready for sending (the incidents repository is another team's; tests write the row). */
export function insertIncident(db: Db, id: string, siteId: string, status = 'in-review'): void {
  const now = new Date('2026-11-23T10:00:00Z').toISOString();
  db.prepare(
    `INSERT INTO incidents (id, site_id, camera, trigger_time, source, status, category, created_at, updated_at)
     VALUES (?, ?, 1, ?, 'button', ?, 'theft', ?, ?)`,
  ).run(id, siteId, now, status, now, now);
}

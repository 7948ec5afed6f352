// A redacted clip in the packet (bcrp-packet/2): it travels when the sealed packet fits hub.maxPacketBytes, and
// otherwise the packet goes with the stills only (bcrp-packet/1) and the audit row says why the clip was left out.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JosePacketSealer, openPacket } from '../../src/adapters/crypto/packet-codec.js';
import type { AuditEvent } from '../../src/core/audit-chain.js';
import type { ClipInput } from '../../src/core/packet/build.js';
import { manifestProblems } from '../../src/core/packet/manifest.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import type { NewOutboxRow, Outbox } from '../../src/core/ports/outbox.js';
import { queuePacket } from '../../src/services/publish/queue-packet.js';
import { ROOT } from '../support/cli.js';
import { redactedImage, testKeys } from '../support/packets.js';

const mp4 = readFileSync(join(ROOT, 'docs/packet-vector/clip.mp4'));
const clip = (bytes: Buffer): ClipInput => ({
  bytes,
  entry: {
    width: 32,
    height: 24,
    fps: 8,
    durationSeconds: 1,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    redaction: {
      facesTracked: 1,
      facesFilled: 0,
      facesKept: 1,
      extraBoxes: 0,
      model: { id: 'blazeface', sha256: 'a'.repeat(64) },
      mode: 'solid',
      verification: { result: 'verified', framesChecked: 8, facesRepaired: 0 },
    },
  },
});

async function queueWith(c: ClipInput, maxBytes: number) {
  const keys = testKeys();
  const rows: { row: NewOutboxRow; audit: AuditEvent }[] = [];
  const outbox = { enqueue: (row: NewOutboxRow, audit: AuditEvent) => rows.push({ row, audit }) } as unknown as Outbox;
  const clock = new FixedClock('2026-11-23T10:05:00.000Z');
  const r = await queuePacket(
    {
      sealer: new JosePacketSealer({ signingKey: keys.signing.privateKey, maxBytes }),
      outbox,
      ids: uuidV7Source(clock),
      clock,
      siteId: 'shop-001',
      topicPrefix: 'bcrp',
    },
    {
      incidentId: 'inc-1',
      incidentTime: clock.now(),
      category: 'theft',
      images: [{ image: await redactedImage(3), role: 'subject' }],
      clip: c,
      actor: 'staff',
    },
  );
  const opened = await openPacket(rows[0]!.row.payload, {
    deviceKey: () => keys.signing.publicKey,
    maxBytes,
  });
  return { r, audit: rows[0]!.audit, opened };
}

describe('the clip in the packet', () => {
  it('travels as bcrp-packet/2 when the packet fits; the hub side gets the same bytes', async () => {
    const { r, audit, opened } = await queueWith(clip(mp4), 2 * 1024 * 1024);
    expect(r.clip).toBe('included');
    expect(opened.ok).toBe(true);
    expect(opened.manifest?.schema).toBe('bcrp-packet/2');
    expect(opened.clip?.bytes.equals(mp4)).toBe(true);
    expect(audit.details).toMatchObject({ clip: { durationSeconds: 1 } });
  });

  it('is left out, never cut, when the packet with it is over the limit: the stills go as bcrp-packet/1', async () => {
    const big = Buffer.concat([mp4, Buffer.alloc(300_000, 7)]);
    const { r, audit, opened } = await queueWith(clip(big), 200_000);
    expect(r.clip).toBe('left-out');
    expect(opened.ok).toBe(true);
    expect(opened.manifest?.schema).toBe('bcrp-packet/1');
    expect(opened.clip).toBeUndefined();
    expect(String(audit.details?.['clipLeftOut'])).toMatch(/the limit is 200000 bytes/);
  });

  it('ties the format to the clip: v2 without a clip and v1 with one are refused', async () => {
    const { opened } = await queueWith(clip(mp4), 2 * 1024 * 1024);
    const m = opened.manifest!;
    const { clip: _c, ...withoutClip } = m;
    expect(manifestProblems(withoutClip)).toEqual(['/clip: a bcrp-packet/2 packet carries a clip']);
    expect(manifestProblems({ ...m, schema: 'bcrp-packet/1' })[0]).toMatch(/a packet with a clip is bcrp-packet\/2/);
    expect(manifestProblems({ ...m, schema: 'bcrp-packet/9' })[0]).toMatch(/packet format bcrp-packet\/9 is not one/);
  });
});

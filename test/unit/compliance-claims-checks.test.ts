// The compliance report's checks of what was done, against a real store: packets queued through the real queue
// (outbox, sealer, audit chain) record their redaction, image metadata and class, and the report flags a packet
// whose image still carried EXIF; a stored incident without its trigger entry turns P4 to attention; a police
// export made while the hold was active passes P11, one made after its release does not.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { JosePacketSealer } from '../../src/adapters/crypto/packet-codec.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { SqliteOutbox } from '../../src/adapters/store/sqlite-outbox.js';
import { SqliteRetentionStore } from '../../src/adapters/store/sqlite-retention.js';
import { type Db, openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import { markRedacted, type RedactedImage } from '../../src/core/redaction.js';
import { DAY_MS } from '../../src/core/retention/policy.js';
import { checkClaims } from '../../src/services/compliance/claims.js';
import { HoldService } from '../../src/services/holds/holds.js';
import { queuePacket } from '../../src/services/publish/queue-packet.js';
import { insertIncident, redactedImage, testKeys } from '../support/packets.js';
import { tempDir } from '../support/tmp.js';

let db: Db;
let clock: FixedClock;
let audit: SqliteAuditLog;
let queue: (incident: string, image: RedactedImage) => Promise<string>;
const manager = { name: 'mia', role: 'manager' as const };

/** The same image with an EXIF segment spliced in after SOI, as a camera or editor would leave it. */
function withExif(image: RedactedImage): RedactedImage {
  const bytes = Buffer.concat([
    image.bytes.subarray(0, 2),
    Buffer.from([0xff, 0xe1, 0x00, 0x08]),
    Buffer.from('Exif\0\0'),
    image.bytes.subarray(2),
  ]);
  const { bytes: _b, sha256: _s, ...rest } = image;
  return markRedacted({ ...rest, bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
}

const since = () => new Date(clock.now().getTime() - 90 * DAY_MS).toISOString();
const claims = () => {
  const store = new SqliteRetentionStore(db);
  return checkClaims(audit.entries(), store.incidentFacts(), store.holdFacts(), since());
};
const trigger = (id: string) =>
  audit.append({ actor: 'system', action: 'trigger', subject: id, details: { camera: 1, source: 'button' } });

beforeEach(() => {
  clock = new FixedClock('2026-11-23T10:00:00Z');
  db = openDatabase(tempDir('bcrp-claims-unit-'), { clock });
  audit = new SqliteAuditLog(db, clock);
  const outbox = new SqliteOutbox(db, clock, audit);
  const keys = testKeys();
  const sealer = new JosePacketSealer({ signingKey: keys.signing.privateKey });
  const ids = uuidV7Source(clock);
  queue = async (incident, image) => {
    insertIncident(db, incident, 'shop-001');
    const r = await queuePacket(
      { sealer, outbox, ids, clock, siteId: 'shop-001', topicPrefix: 'bcrp' },
      {
        incidentId: incident,
        incidentTime: clock.now(),
        category: 'theft',
        images: [{ image, role: 'subject' }],
        actor: 'sam',
      },
    );
    return r.packetId;
  };
});

describe('compliance claims checked from the log and the store', () => {
  it('packets record their redaction, metadata and class; EXIF left in an image is found', async () => {
    trigger('inc-1');
    await queue('inc-1', await redactedImage(1));
    let c = claims();
    expect(c.packets).toMatchObject({
      queued: 1,
      unrecorded: 0,
      facesFound: 2,
      facesRedacted: 1,
      facesKept: 1,
      modes: ['solid'],
      models: ['blazeface-test'],
      keptBeyondSubject: [],
      withMetadata: [],
      classes: { 'shared-12m': 1 },
      unknownClass: [],
    });
    trigger('inc-2');
    const leaky = await queue('inc-2', withExif(await redactedImage(2)));
    c = claims();
    expect(c.packets.withMetadata).toEqual([{ packetId: leaky, segments: ['EXIF'] }]);
    expect(c.audited.missing).toEqual([]);
    expect(c.audited).toMatchObject({ incidents: 2, packets: 2 });
  });

  it('a stored incident or hold without the audit entry that made it is named', async () => {
    insertIncident(db, 'inc-quiet', 'shop-001');
    const c = claims();
    expect(c.audited.missing).toEqual(['incident inc-quiet has no trigger entry']);
  });

  it('police exports: covered while the hold is active, not once it is released', () => {
    trigger('inc-1');
    insertIncident(db, 'inc-1', 'shop-001');
    const holds = new HoldService({ holds: new SqliteHolds(db), audit, clock, ids: uuidV7Source(clock) });
    const hold = holds.place({
      incidentId: 'inc-1',
      actor: manager,
      reason: 'police investigation',
      reference: 'CR/1',
    });
    const exportNow = () =>
      audit.append({
        actor: 'mia',
        action: 'police-export',
        subject: 'inc-1',
        details: { incidentId: 'inc-1', holdId: hold.id, recipient: 'PC 1', reference: 'CR/1' },
      });
    exportNow();
    expect(claims().policeExports).toEqual({ count: 1, withoutHold: [] });
    clock.advance(60_000);
    holds.release({ holdId: hold.id, actor: manager });
    const late = exportNow();
    expect(claims().policeExports).toEqual({ count: 2, withoutHold: [{ seq: late.seq, incidentId: 'inc-1' }] });
  });
});

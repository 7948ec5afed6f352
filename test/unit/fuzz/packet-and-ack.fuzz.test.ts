// Hostile bytes at the three places a packet or an ack is parsed: openPacket (hub and `packet verify`), the hub
// receiver's message handler, and the device's ack handler. Each target runs FUZZ_RUNS cases (10,000
// by default; see test/support/fuzz.ts): never a throw, never an acceptance of anything but the genuine bytes,
// never a key in a message, and nothing stored or closed by a forgery.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACK_TYP,
  CHECKPOINT_TYP,
  JosePacketSealer,
  openPacket,
  sealPacket,
  signJson,
  verifyJson,
} from '../../../src/adapters/crypto/packet-codec.js';
import { SqliteHubStore } from '../../../src/adapters/hub-store/sqlite-hub-store.js';
import { FakeBrokerNetwork } from '../../../src/adapters/mqtt/fake-broker.js';
import { SqliteAuditLog } from '../../../src/adapters/store/sqlite-audit-log.js';
import { SqliteOutbox } from '../../../src/adapters/store/sqlite-outbox.js';
import { openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { buildPacketContents } from '../../../src/core/packet/build.js';
import { FixedClock } from '../../../src/core/ports/clock.js';
import { uuidV7Source } from '../../../src/core/ports/ids.js';
import { HubReceiver, type ReceiveResult } from '../../../src/hub/receiver.js';
import { AckHandler } from '../../../src/services/publish/ack-handler.js';
import { queuePacket } from '../../../src/services/publish/queue-packet.js';
import { allowFuzzTime, FUZZ_RUNS, fuzzParams, hostileJson } from '../../support/fuzz.js';
import { insertIncident, redactedImage, type TestKeys, testKeys } from '../../support/packets.js';
import { tempDir } from '../../support/tmp.js';

allowFuzzTime();

const quiet = { info: () => {}, warn: () => {} };
let device: TestKeys;
let hub: TestKeys;
let plain: Buffer;
let sealed: Buffer;
let keyTexts: string[];

/** Everything a message must never contain: the PEM and raw bytes of every private key in play. */
function leaksKey(text: string): boolean {
  return keyTexts.some((k) => text.includes(k)) || /PRIVATE KEY/.test(text);
}

beforeAll(async () => {
  device = testKeys();
  hub = testKeys();
  const contents = buildPacketContents(
    {
      id: '019a0000-0000-7000-8000-000000000001',
      siteId: 'shop-001',
      deviceId: device.deviceId,
      incidentTime: new Date('2026-11-23T10:00:00Z'),
      createdAt: new Date('2026-11-23T10:01:00Z'),
      category: 'theft',
      retentionClass: 'shared-12m',
    },
    [{ image: await redactedImage(1), role: 'subject' }],
  );
  plain = await sealPacket(contents, { signingKey: device.signing.privateKey });
  sealed = await sealPacket(contents, { signingKey: device.signing.privateKey, encryptTo: hub.encryption.publicKey });
  keyTexts = [device, hub].flatMap((k) => [
    k.signing.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().split('\n')[1]!,
    k.encryption.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().split('\n')[1]!,
  ]);
});

const open = (bytes: Buffer) =>
  openPacket(bytes, {
    deviceKey: (kid) => (kid === device.deviceId ? device.signing.publicKey : undefined),
    hubKey: hub.encryption.privateKey,
  });

/** A packet with some bytes changed, cut short, extended, or with its segments reordered. */
function mutated(base: () => Buffer) {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
      const b = Buffer.from(base());
      for (const [at, v] of edits) b[at % b.length] = v;
      return b;
    }),
    fc.nat().map((n) => base().subarray(0, n % base().length)),
    fc.uint8Array({ maxLength: 64 }).map((tail) => Buffer.concat([base(), Buffer.from(tail)])),
    fc.constantFrom(0, 1, 2).map((i) => {
      const parts = base().toString('latin1').split('.');
      const [p] = parts.splice(i, 1);
      parts.push(p!);
      return Buffer.from(parts.join('.'), 'latin1');
    }),
    fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u)),
    fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
  );
}

describe('openPacket on hostile bytes', () => {
  it(`never throws and accepts only the genuine packet (${FUZZ_RUNS} mutations of a plain and an encrypted packet)`, async () => {
    expect((await open(plain)).ok).toBe(true);
    expect((await open(sealed)).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.context(), async (encrypted, ctx) => {
        const base = encrypted ? sealed : plain;
        const bytes = fc.sample(
          mutated(() => base),
          { numRuns: 1, seed: ctx.size() },
        )[0]!;
        const r = await open(bytes);
        if (!bytes.equals(base)) expect(r.ok).toBe(false);
        expect(r.checks.length).toBeGreaterThan(0);
        expect(leaksKey(JSON.stringify(r.checks))).toBe(false);
      }),
      fuzzParams(),
    );
  });

  // Signing costs ~1 ms a case, so this angle runs a fifth of FUZZ_RUNS; the target's 10,000 cases are above.
  it(`rejects ${FUZZ_RUNS / 5} correctly signed payloads that are not a valid packet, naming the failed check`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileJson,
          fc.record({ manifest: hostileJson, images: hostileJson }),
          fc.record({
            manifest: fc.constant(
              JSON.parse(Buffer.from(plain.toString().split('.')[1]!, 'base64url').toString()).manifest,
            ),
            images: fc.array(fc.record({ name: fc.string(), data: fc.base64String() }), { maxLength: 3 }),
          }),
        ),
        async (payload) => {
          const jws = await signJson(payload, device.signing.privateKey, 'bcrp-packet+jws', device.deviceId);
          const r = await open(jws);
          expect(r.ok).toBe(false);
          const failed = r.checks.find((c) => !c.ok);
          expect(failed?.message.length).toBeGreaterThan(0);
        },
      ),
      fuzzParams(FUZZ_RUNS / 5),
    );
  });
});

describe('the hub receiver and the device ack handler on hostile messages', () => {
  it(`hub: ${FUZZ_RUNS} hostile packets and ${FUZZ_RUNS} hostile checkpoints are each rejected and nothing is stored`, async () => {
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    const store = new SqliteHubStore(':memory:', clock);
    await store.enrol({
      deviceId: device.deviceId,
      siteId: 'shop-001',
      publicKeyPem: device.signing.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      enrolledAt: clock.now().toISOString(),
    });
    const net = new FakeBrokerNetwork();
    const receiver = new HubReceiver({
      broker: net.client(),
      store,
      clock,
      topicPrefix: 'bcrp',
      encryptionKey: hub.encryption.privateKey,
      // Mutations of the plain packet must reach the signature and schema checks, not stop at the encryption rule.
      requireEncryption: false,
      signAck: (ack) => signJson(ack, hub.signing.privateKey, ACK_TYP, 'hub-1'),
      log: quiet,
    });
    const topic = fc.oneof(
      fc.constant('bcrp/shop-001/incidents/019a0000-0000-7000-8000-000000000001'),
      fc.uuid().map((u) => `bcrp/shop-001/incidents/${u}`),
      fc.string({ maxLength: 80 }),
      fc
        .array(fc.constantFrom('bcrp', 'shop-001', 'incidents', '+', '#', '', '..', 'x'.repeat(300)), {
          maxLength: 6,
        })
        .map((p) => p.join('/')),
    );
    await fc.assert(
      fc.asyncProperty(
        topic,
        mutated(() => sealed),
        async (t, payload) => {
          const r: ReceiveResult = await receiver.receive({ topic: t, payload, retain: false });
          if (!payload.equals(sealed)) {
            expect(r.outcome).toBe('rejected');
            if (r.outcome === 'rejected') expect(r.message.length).toBeGreaterThan(0);
            if (r.outcome === 'rejected') expect(leaksKey(r.message)).toBe(false);
          }
        },
      ),
      fuzzParams(),
    );
    expect(await store.count()).toBeLessThanOrEqual(1);

    // Audit checkpoints on their own topic: junk, stranger-signed and device-signed malformed documents.
    const stranger = testKeys();
    const pool = await Promise.all(
      fc
        .sample(fc.tuple(hostileJson, fc.boolean()), { numRuns: 200, seed: 11 })
        .map(([doc, byDevice]) =>
          signJson(
            doc,
            (byDevice ? device : stranger).signing.privateKey,
            CHECKPOINT_TYP,
            byDevice ? device.deviceId : stranger.deviceId,
          ),
        ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.nat({ max: pool.length - 1 }).map((i) => pool[i]!),
          mutated(() => pool[0]!),
        ),
        async (payload) => {
          const r = await receiver.receiveCheckpoint({
            topic: 'bcrp/shop-001/audit/checkpoint',
            payload,
            retain: false,
          });
          expect(r).toBe('rejected');
        },
      ),
      fuzzParams(),
    );
    expect(await store.checkpoints(device.deviceId)).toEqual([]);
    store.close();
  });

  it(`device: ${FUZZ_RUNS} forged, malformed or misaddressed acks never close the outbox row`, async () => {
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    const db = openDatabase(tempDir('bcrp-fuzz-ack-'), { clock });
    const audit = new SqliteAuditLog(db, clock);
    const outbox = new SqliteOutbox(db, clock, audit);
    const net = new FakeBrokerNetwork();
    const acks = new AckHandler({
      broker: net.client(),
      outbox,
      clock,
      siteId: 'shop-001',
      topicPrefix: 'bcrp',
      verifyAck: (b) => verifyJson(b, [hub.signing.publicKey], ACK_TYP),
      log: quiet,
    });
    insertIncident(db, 'inc-1', 'shop-001');
    const sealer = new JosePacketSealer({ signingKey: device.signing.privateKey });
    const { packetId } = await queuePacket(
      { sealer, outbox, ids: uuidV7Source(clock), clock, siteId: 'shop-001', topicPrefix: 'bcrp' },
      {
        incidentId: 'inc-1',
        incidentTime: clock.now(),
        category: 'theft',
        images: [{ image: await redactedImage(2), role: 'subject' }],
        actor: 'sam',
      },
    );
    const stranger = testKeys();
    const ackDoc = fc.oneof(
      hostileJson,
      fc.record({
        schema: fc.constantFrom('bcrp-ack/1', 'bcrp-ack/2', ''),
        packetId: fc.constantFrom(packetId, '019a0000-0000-7000-8000-000000000009', ''),
        siteId: fc.constantFrom('shop-001', 'shop-002', ''),
        status: fc.constantFrom('stored', 'duplicate', 'rejected', 'ok', ''),
        at: fc.constantFrom('2026-11-23T10:00:00Z', 'yesterday'),
        extra: fc.option(fc.string(), { nil: undefined }),
      }),
    );
    // Signing is the dear part, so a pool of signed documents (hub-signed but wrong in some field, or signed by a
    // stranger) is made once; the cases combine them with topics and with raw bytes.
    const pool: { payload: Buffer; genuine: boolean; doc: unknown }[] = [];
    for (const [doc, by] of fc.sample(fc.tuple(ackDoc, fc.constantFrom('stranger', 'hub')), {
      numRuns: 400,
      seed: 7,
    })) {
      const key = by === 'hub' ? hub.signing.privateKey : stranger.signing.privateKey;
      const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
      const genuine =
        by === 'hub' &&
        d['schema'] === 'bcrp-ack/1' &&
        d['packetId'] === packetId &&
        d['siteId'] === 'shop-001' &&
        ['stored', 'duplicate'].includes(String(d['status']));
      pool.push({ payload: await signJson(doc, key, ACK_TYP, 'hub-1'), genuine, doc });
    }
    const message = fc.oneof(
      fc.nat({ max: pool.length - 1 }).map((i) => pool[i]!),
      fc.uint8Array({ maxLength: 300 }).map((u) => ({ payload: Buffer.from(u), genuine: false, doc: 'raw' })),
    );
    const topic = fc.oneof(
      fc.constant(`bcrp/shop-001/ack/${packetId}`),
      fc.constant(`bcrp/shop-002/ack/${packetId}`),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(topic, message, async (t, m) => {
        await acks.handle({ topic: t, payload: m.payload, retain: false });
        const genuine = m.genuine && t === `bcrp/shop-001/ack/${packetId}`;
        if (!genuine) expect(outbox.get(packetId)?.state, JSON.stringify(m.doc)).not.toBe('acked');
      }),
      fuzzParams(),
    );
    db.close();
  });
});

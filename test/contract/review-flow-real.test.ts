// Runs the review flow contract against the real services as the appliance wires them: the capture service over
// the SQLite incidents repository and encrypted originals (a FakeFrameSource stands in for the recorder), the
// incident desk, the real RedactionService (sharp codec; a FakeFaceDetector with fixed faces stands in for the
// ONNX model), the review desk, and a dispatcher that seals real packets into the SQLite outbox.
import { generateKeyPairSync } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import sharp from 'sharp';
import { JosePacketSealer } from '../../src/adapters/crypto/packet-codec.js';
import { SharpCodec } from '../../src/adapters/imaging/sharp-codec.js';
import { FakeFrameSource } from '../../src/adapters/nvr/fake-frame-source.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteDrafts } from '../../src/adapters/store/sqlite-drafts.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { SqliteOutbox } from '../../src/adapters/store/sqlite-outbox.js';
import { SqliteStillChecks } from '../../src/adapters/store/sqlite-still-checks.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FakeFaceDetector } from '../../src/adapters/vision/fake-face-detector.js';
import { createCaptureService } from '../../src/app/capture.js';
import { EventBus } from '../../src/app/event-bus.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import { silentLogger } from '../../src/observability/logger.js';
import { IncidentDesk } from '../../src/services/capture/incident-desk.js';
import { queuePacket } from '../../src/services/publish/queue-packet.js';
import { RedactionService } from '../../src/services/redaction/redaction-service.js';
import { ReviewDesk } from '../../src/services/review-desk.js';
import { tempDir } from '../support/tmp.js';
import { reviewFlowContract } from './review-flow.contract.js';

const still = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#88aacc' } })
  .jpeg()
  .toBuffer();

reviewFlowContract('real services (capture, incident desk, redaction, review desk, outbox)', async () => {
  const dir = tempDir('bcrp-review-real-');
  const clock = systemClock;
  const ids = uuidV7Source(clock);
  const db = openDatabase(dir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, dir, { clock, ids });
  const config = Value.Default(ConfigSchema, {
    site: { id: 'shop-001' },
    nvr: { channels: [{ id: 1, name: 'Till' }] },
    capture: { preSeconds: 0, postSeconds: 0, stills: 1 },
  }) as never;
  const bus = new EventBus(silentLogger());
  const { service, incidents } = createCaptureService(
    { config, db, audit, files, clock, ids, bus },
    new FakeFrameSource(still),
  );
  const redactor = new RedactionService(
    new FakeFaceDetector(() => [
      { box: [40, 40, 60, 70], score: 0.9 },
      { box: [200, 60, 50, 60], score: 0.9 },
    ]),
    new SharpCodec({ maxInputPixels: 50_000_000, jpegQuality: 85 }),
    { margin: 0.2, mode: 'solid', maxLongSide: 1920, subjectCropMargin: 0.3 },
  );
  const desk = new IncidentDesk({
    holds: new SqliteHolds(db),
    incidents,
    capture: service,
    files,
    redactor,
    checks: new SqliteStillChecks(db, files, { ids, clock }),
    clock,
    events: bus,
    cameras: [{ id: 1, name: 'Till', enabled: true }],
    stillsExpected: 1,
  });
  await desk.start();
  const outbox = new SqliteOutbox(db, clock, audit);
  const sealer = new JosePacketSealer({ signingKey: generateKeyPairSync('ed25519').privateKey });
  const review = new ReviewDesk({
    source: desk,
    redactor,
    dispatcher: {
      async dispatch(p, actor) {
        await queuePacket(
          { sealer, outbox, ids, clock, siteId: 'shop-001', topicPrefix: 'bcrp' },
          {
            incidentId: p.incidentId,
            incidentTime: new Date(p.triggerTime),
            category: p.category,
            images: p.images.map((i) => ({ image: i.image, role: i.role === 'subject-crop' ? 'subject' : 'context' })),
            actor,
          },
        );
      },
    },
    audit,
    siteId: 'shop-001',
    drafts: new SqliteDrafts(db, clock),
  });
  return { incidents: desk, review, approvals: review, auditTail: (n) => [...audit.entries()].slice(-n) };
});

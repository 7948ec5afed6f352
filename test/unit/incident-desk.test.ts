// The incident desk between capture and review: it follows the capture on the bus (no polling), review opens only
// after the face detector has checked every still (fail closed otherwise), and captures settled while it was not
// running (a restart) or by a retry are picked up.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SharpCodec } from '../../src/adapters/imaging/sharp-codec.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { SqliteStillChecks } from '../../src/adapters/store/sqlite-still-checks.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FakeFaceDetector } from '../../src/adapters/vision/fake-face-detector.js';
import { EventBus } from '../../src/app/event-bus.js';
import type { TriggerRequest } from '../../src/core/incident.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import type { IncidentProgress } from '../../src/core/ports/incident-service.js';
import { silentLogger } from '../../src/observability/logger.js';
import { IncidentDesk } from '../../src/services/capture/incident-desk.js';
import { RedactionService } from '../../src/services/redaction/redaction-service.js';
import { tempDir } from '../support/tmp.js';

const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
  .jpeg()
  .toBuffer();

function rig(detector: FakeFaceDetector) {
  const redactor = new RedactionService(detector, new SharpCodec({ maxInputPixels: 50_000_000, jpegQuality: 85 }), {
    margin: 0.2,
    mode: 'solid',
    maxLongSide: 1920,
    subjectCropMargin: 0.3,
  });
  const dir = tempDir('bcrp-desk-');
  const clock = systemClock;
  const ids = uuidV7Source(clock);
  const db = openDatabase(dir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, dir, { clock, ids });
  const incidents = new SqliteIncidents(db, { clock, ids, audit });
  const bus = new EventBus(silentLogger());
  // A capture that stores one still at once and settles a moment later, announcing both on the bus as the
  // capture service does when the recorder answers.
  const capture = {
    trigger(r: TriggerRequest) {
      const i = incidents.create({ siteId: 's', camera: r.camera, triggerTime: clock.now(), source: r.source });
      audit.append({ actor: r.actor, action: 'trigger', subject: i.id, details: {} });
      bus.emit('triggered', { incidentId: i.id, camera: r.camera, source: r.source });
      const stored = files.put(`originals/${i.id}`, 'x', jpeg);
      incidents.addStill({
        id: ids.next(),
        incidentId: i.id,
        kind: 'original',
        capturedAt: clock.now().toISOString(),
        origin: 'snapshot',
        width: 64,
        height: 48,
        bytes: stored.bytes,
        sha256: stored.sha256,
        file: stored.file,
        keyId: stored.keyId,
      });
      bus.emit('still-captured', { incidentId: i.id, stills: 1 });
      setTimeout(() => {
        incidents.transition(i.id, 'triggered', 'captured', { actor: 'system' });
        bus.emit('captured', { incidentId: i.id, status: 'captured', stills: 1 });
      }, 20);
      return i;
    },
  };
  const desk = new IncidentDesk({
    holds: new SqliteHolds(db),
    incidents,
    capture,
    files,
    redactor,
    checks: new SqliteStillChecks(db, files, { ids, clock }),
    clock,
    events: bus,
    cameras: [{ id: 1, name: 'Till', enabled: true }],
    stillsExpected: 1,
    recheckMs: 50,
  });
  const finished = (id: string) =>
    new Promise<IncidentProgress>((resolve) => {
      const off = desk.subscribe(id, (p) => {
        if (p.done) {
          setImmediate(() => off());
          resolve(p);
        }
      });
    });
  return { desk, incidents, audit, bus, detector, finished };
}

describe('IncidentDesk', () => {
  it('opens review only after the detector checked the stills, and audits redact', async () => {
    const { desk, audit, finished } = rig(new FakeFaceDetector(() => [{ box: [1, 1, 10, 10], score: 0.9 }]));
    await desk.start();
    const i = await desk.trigger({ camera: 1, source: 'web', actor: 'alice' });
    const last = await finished(i.id);
    expect(last.status).toBe('in-review');
    expect((await desk.get(i.id))?.status).toBe('in-review');
    const redact = [...audit.entries()].find((e) => e.action === 'redact');
    expect(redact?.subject).toBe(i.id);
    expect(redact?.details).toEqual({ stills: 1, faces: 1 });
    // The check is kept with the still (sealed under its key) and read back: the faces, no rendering made yet.
    const still = (await desk.get(i.id))!.stills[0]!;
    const check = await desk.check(i.id, still.id);
    expect(check?.faces.map((f) => f.box)).toEqual([[1, 1, 10, 10]]);
    expect(check?.redacted).toBeUndefined();
    await desk.stop();
  });

  it('fails closed when the detector is unavailable, and checks again once it is back', async () => {
    const detector = new FakeFaceDetector(() => [], { failWith: 'model missing' });
    const { desk, finished } = rig(detector);
    await desk.start();
    const i = await desk.trigger({ camera: 1, source: 'web', actor: 'alice' });
    const last = await finished(i.id);
    expect(last.message).toContain('could not be hidden');
    const d = await desk.get(i.id);
    expect(d?.status).toBe('captured');
    expect(d?.statusReason).toContain('model missing');
    detector.failWith = undefined;
    await expect.poll(async () => (await desk.get(i.id))?.status, { timeout: 3000 }).toBe('in-review');
    await desk.stop();
  });

  it('refuses an unknown camera', async () => {
    const { desk } = rig(new FakeFaceDetector());
    await expect(desk.trigger({ camera: 9, source: 'web', actor: 'alice' })).rejects.toThrow(/no camera 9/);
  });

  it('checks a capture settled while it was stopped (restart), and one a capture retry announces', async () => {
    const { desk, incidents, bus } = rig(new FakeFaceDetector());
    const before = incidents.create({ siteId: 's', camera: 1, triggerTime: systemClock.now(), source: 'button' });
    incidents.transition(before.id, 'triggered', 'captured', { actor: 'system' });
    await desk.start();
    await expect.poll(async () => (await desk.get(before.id))?.status, { timeout: 3000 }).toBe('in-review');
    const retried = incidents.create({ siteId: 's', camera: 1, triggerTime: systemClock.now(), source: 'button' });
    incidents.transition(retried.id, 'triggered', 'capture-failed', { actor: 'system' }, 'NVR down');
    incidents.transition(retried.id, 'capture-failed', 'captured', { actor: 'system' });
    bus.emit('captured', { incidentId: retried.id, status: 'captured', stills: 0 });
    await expect.poll(async () => (await desk.get(retried.id))?.status, { timeout: 3000 }).toBe('in-review');
    await desk.stop();
  });
});

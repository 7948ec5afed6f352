// The incident desk between capture and review: review opens only after the face detector has checked every
// still (fail closed otherwise), captures it did not watch are picked up, and a late 'queued' never moves a
// packet that already left back in the list.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import type { TriggerRequest } from '../../src/core/incident.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import type { IncidentProgress } from '../../src/core/ports/incident-service.js';
import type { Redactor } from '../../src/core/ports/redactor.js';
import { IncidentDesk } from '../../src/services/capture/incident-desk.js';
import { tempDir } from '../support/tmp.js';

const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
  .jpeg()
  .toBuffer();

function rig(redactor: Partial<Redactor>) {
  const dir = tempDir('bcrp-desk-');
  const clock = systemClock;
  const ids = uuidV7Source(clock);
  const db = openDatabase(dir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, dir, { clock, ids });
  const incidents = new SqliteIncidents(db, { clock, ids });
  // A capture that stores one still at once, as the capture service does when the recorder answers.
  const capture = {
    trigger(r: TriggerRequest) {
      const i = incidents.create({ siteId: 's', camera: r.camera, triggerTime: new Date(), source: r.source });
      audit.append({ actor: r.actor, action: 'trigger', subject: i.id, details: {} });
      const stored = files.put(`originals/${i.id}`, 'x', jpeg);
      incidents.addStill({
        id: ids.next(),
        incidentId: i.id,
        kind: 'original',
        capturedAt: new Date().toISOString(),
        origin: 'snapshot',
        width: 64,
        height: 48,
        bytes: stored.bytes,
        sha256: stored.sha256,
        file: stored.file,
        keyId: stored.keyId,
      });
      setTimeout(() => incidents.updateStatus(i.id, 'captured'), 20);
      return i;
    },
  };
  const desk = new IncidentDesk({
    holds: new SqliteHolds(db),
    incidents,
    capture,
    files,
    redactor: redactor as Redactor,
    audit,
    clock,
    cameras: [{ id: 1, name: 'Till', enabled: true }],
    stillsExpected: 1,
    captureTimeoutMs: 5000,
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
  return { desk, incidents, audit, finished };
}

describe('IncidentDesk', () => {
  it('opens review only after the detector checked the stills, and audits redact', async () => {
    const { desk, audit, finished } = rig({
      detect: async () => ({ width: 64, height: 48, faces: [{ box: [1, 1, 10, 10], score: 0.9 }] }),
    });
    const i = await desk.trigger({ camera: 1, source: 'web', actor: 'alice' });
    const last = await finished(i.id);
    expect(last.status).toBe('in-review');
    expect((await desk.get(i.id))?.status).toBe('in-review');
    const redact = [...audit.entries()].find((e) => e.action === 'redact');
    expect(redact?.subject).toBe(i.id);
    expect(redact?.details).toEqual({ stills: 1, faces: 1 });
    await desk.stop();
  });

  it('fails closed when the detector is unavailable: the stills never reach review', async () => {
    const { desk, finished } = rig({
      detect: async () => {
        throw new Error('model missing');
      },
    });
    const i = await desk.trigger({ camera: 1, source: 'web', actor: 'alice' });
    const last = await finished(i.id);
    expect(last.message).toContain('could not be hidden');
    const d = await desk.get(i.id);
    expect(d?.status).toBe('captured');
    expect(d?.statusReason).toContain('model missing');
    await desk.stop();
  });

  it('refuses an unknown camera, and a late queued does not move a sent incident back', async () => {
    const { desk, incidents } = rig({ detect: async () => ({ width: 64, height: 48, faces: [] }) });
    await expect(desk.trigger({ camera: 9, source: 'web', actor: 'alice' })).rejects.toThrow(/no camera 9/);
    const i = incidents.create({ siteId: 's', camera: 1, triggerTime: new Date(), source: 'web' });
    incidents.updateStatus(i.id, 'sent');
    await desk.setStatus(i.id, 'queued', null, 'theft');
    const d = await desk.get(i.id);
    expect(d?.status).toBe('sent');
    expect(d?.category).toBe('theft');
    await desk.stop();
  });

  it('picks up a capture it did not watch (a retry by the capture service)', async () => {
    const { desk, incidents } = rig({ detect: async () => ({ width: 64, height: 48, faces: [] }) });
    const i = incidents.create({ siteId: 's', camera: 1, triggerTime: new Date(), source: 'button' });
    incidents.updateStatus(i.id, 'captured');
    desk.start(50);
    await expect.poll(async () => (await desk.get(i.id))?.status, { timeout: 3000 }).toBe('in-review');
    await desk.stop();
  });
});

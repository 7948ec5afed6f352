// Disk nearly full, with the real store (SQLite incidents, encrypted originals, audit chain) and a fake frame
// source: (1) below capture.minFreeMb a new capture is refused before anything is pulled, with a status naming
// the disk, a retry scheduled and an audited capture-failed; (2) a disk that fills mid-write (ENOSPC from a fake
// file store) fails the capture with a clear reason. In both, earlier originals are untouched and readable,
// nothing is deleted, no partial file is left, and the chain verifies.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FakeFrameSource } from '../../../src/adapters/nvr/fake-frame-source.js';
import { EncryptedFiles } from '../../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../../src/adapters/store/incidents.js';
import { SqliteAuditLog } from '../../../src/adapters/store/sqlite-audit-log.js';
import { openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../../src/core/ports/clock.js';
import { uuidV7Source } from '../../../src/core/ports/ids.js';
import { CaptureService, type OriginalStore } from '../../../src/services/capture/capture-service.js';
import { tempDir } from '../../support/tmp.js';

const MB = 1_000_000;

async function world(files: (real: EncryptedFiles) => OriginalStore = (f) => f) {
  const dataDir = join(tempDir('bcrp-diskfull-'), 'data');
  const clock = new FixedClock('2026-11-23T10:00:00Z');
  const ids = uuidV7Source(clock);
  const db = openDatabase(dataDir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const real = new EncryptedFiles(db, dataDir, { clock, ids });
  const incidents = new SqliteIncidents(db, { clock, ids });
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#446688' } })
    .jpeg()
    .toBuffer();
  const disk = { free: 10_000 * MB };
  const service = new CaptureService({
    incidents,
    retries: incidents,
    audit,
    files: files(real),
    frames: new FakeFrameSource(jpeg),
    clock,
    ids,
    siteId: 'shop-001',
    // Triggers in the past, so every still comes from playback at once (no live wait).
    settings: { preSeconds: 10, postSeconds: 0, stills: 3, retryMinutes: 5, nvrRetentionDays: 30 },
    diskFreeBytes: () => disk.free,
    minFreeBytes: 200 * MB,
  });
  const capture = async () => {
    const i = service.trigger({ camera: 1, source: 'button', actor: 'staff', at: new Date('2026-11-23T09:59:00Z') });
    await service.whenIdle();
    return incidents.get(i.id)!;
  };
  const filesOnDisk = () =>
    existsSync(join(dataDir, 'files'))
      ? readdirSync(join(dataDir, 'files'), { recursive: true })
          .map(String)
          .filter((f) => f.includes('.'))
      : [];
  return { db, audit, real, incidents, disk, capture, filesOnDisk, jpeg };
}

describe('disk nearly full', () => {
  it('refuses a new capture with a status naming the disk, deletes nothing, and captures again once there is room', async () => {
    const w = await world();
    const first = await w.capture();
    expect(first.status).toBe('captured');
    const before = w.filesOnDisk();
    expect(before).toHaveLength(3);

    w.disk.free = 50 * MB;
    const refused = await w.capture();
    expect(refused.status).toBe('capture-failed');
    expect(refused.statusReason).toMatch(/data disk is nearly full \(50 MB free, 200 MB needed\).*nothing deleted/);
    expect(w.incidents.stills(refused.id)).toHaveLength(0);
    expect(w.filesOnDisk()).toEqual(before);
    for (const s of w.incidents.stills(first.id)) expect(w.real.get(s.file!, s.keyId!).equals(w.jpeg)).toBe(true);
    const failed = [...w.audit.entries()].filter((e) => e.action === 'capture-failed');
    expect(failed.at(-1)?.details).toMatchObject({ nextTry: expect.any(String) });

    w.disk.free = 5_000 * MB;
    expect(w.incidents.dueRetries(new Date('2026-11-23T11:00:00Z')).map((i) => i.id)).toContain(refused.id);
    expect(w.audit.verify().ok).toBe(true);
  });

  it('a disk that fills during the write (ENOSPC) fails the capture clearly and leaves earlier originals intact', async () => {
    let full = false;
    const w = await world((real) => ({
      put: (sub, name, plain) => {
        if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return real.put(sub, name, plain);
      },
    }));
    const first = await w.capture();
    const before = w.filesOnDisk();
    full = true;
    const failed = await w.capture();
    expect(failed.status).toBe('capture-failed');
    expect(failed.statusReason).toMatch(/no space left on device/);
    expect(w.filesOnDisk()).toEqual(before);
    expect(w.filesOnDisk().some((f) => f.endsWith('.tmp'))).toBe(false);
    for (const s of w.incidents.stills(first.id)) expect(w.real.get(s.file!, s.keyId!).equals(w.jpeg)).toBe(true);
    expect(w.audit.verify().ok).toBe(true);
  });
});

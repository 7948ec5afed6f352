// The StillChecks contract, run against SQLite with encrypted files and the in-memory fake: a face check is kept
// per original still and read back whole; a newer check replaces an older one; an unknown still has none.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SharpCodec } from '../../src/adapters/imaging/sharp-codec.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { FakeStillChecks } from '../../src/adapters/store/fake-still-checks.js';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { SqliteStillChecks } from '../../src/adapters/store/sqlite-still-checks.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FakeFaceDetector } from '../../src/adapters/vision/fake-face-detector.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import type { StillChecks } from '../../src/core/ports/still-checks.js';
import { RedactionService } from '../../src/services/redaction/redaction-service.js';
import { tempDir } from '../support/tmp.js';

const image = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#9ab' } })
  .jpeg()
  .toBuffer();
const redactor = new RedactionService(
  new FakeFaceDetector(() => [{ box: [10, 10, 30, 30], score: 0.9 }]),
  new SharpCodec({ maxInputPixels: 50_000_000, jpegQuality: 85 }),
  { margin: 0.2, mode: 'solid', maxLongSide: 1920, subjectCropMargin: 0.3 },
);

/** A store with one incident and one original still, as capture leaves it. */
function sqlite(): { checks: StillChecks; incidentId: string; stillId: string } {
  const dir = tempDir('bcrp-checks-');
  const clock = new FixedClock('2026-11-23T10:00:00Z');
  const ids = counterIds('id');
  const db = openDatabase(dir, { clock });
  const files = new EncryptedFiles(db, dir, { clock, ids });
  const incidents = new SqliteIncidents(db, { clock, ids });
  const i = incidents.create({ siteId: 's', camera: 1, triggerTime: clock.now(), source: 'web' });
  const stored = files.put(`originals/${i.id}`, 'o1', image);
  incidents.addStill({
    id: 'o1',
    incidentId: i.id,
    kind: 'original',
    capturedAt: clock.now().toISOString(),
    origin: 'snapshot',
    width: 160,
    height: 120,
    bytes: stored.bytes,
    sha256: stored.sha256,
    file: stored.file,
    keyId: stored.keyId,
  });
  return { checks: new SqliteStillChecks(db, files, { ids, clock }), incidentId: i.id, stillId: 'o1' };
}

describe.each([
  { name: 'sqlite', make: sqlite },
  { name: 'fake', make: () => ({ checks: new FakeStillChecks(), incidentId: 'inc-1', stillId: 'o1' }) },
])('StillChecks contract: $name', ({ make }) => {
  it('keeps the faces of a still, then its rendering once made; a newer one replaces the older', async () => {
    const { checks, incidentId, stillId } = make();
    expect(checks.load(incidentId, stillId)).toBeUndefined();
    const found = await redactor.detect(image);
    checks.save(incidentId, stillId, { width: 160, height: 120, faces: found.faces });
    expect(checks.load(incidentId, stillId)).toEqual({ width: 160, height: 120, faces: found.faces });
    const redacted = await redactor.redact({ image, faces: found.faces });
    checks.saveRendering(incidentId, stillId, redacted);
    const back = checks.load(incidentId, stillId)!;
    expect(back.faces).toEqual(found.faces);
    expect(back.redacted?.sha256).toBe(redacted.sha256);
    expect(back.redacted?.bytes.equals(redacted.bytes)).toBe(true);
    expect(back.redacted?.report.facesRedacted).toBe(1);
    const again = await redactor.redact({ image, faces: [] });
    checks.saveRendering(incidentId, stillId, again);
    expect(checks.load(incidentId, stillId)?.redacted?.sha256).toBe(again.sha256);
    checks.save(incidentId, stillId, { width: 160, height: 120, faces: [] });
    expect(checks.load(incidentId, stillId)!.faces).toEqual([]);
    expect(checks.load(incidentId, 'other')).toBeUndefined();
  });
});

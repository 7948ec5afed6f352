// The web's subject access desk over the real disclosure service: faces() lists each still's faces numbered left
// to right, and the face a manager chose on the page (keep: still → face number) is the one the Redactor keeps;
// every other still has every face hidden, and the answer says on how many images the requester is shown.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JoseSigner } from '../../src/adapters/crypto/checkpoint-signer.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { SqliteOriginals } from '../../src/adapters/store/sqlite-originals.js';
import { SqliteStillChecks } from '../../src/adapters/store/sqlite-still-checks.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { HoldService } from '../../src/services/holds/holds.js';
import { DisclosureService } from '../../src/services/sar/sar-export.js';
import { SubjectAccessDesk } from '../../src/services/sar/subject-access-desk.js';
import { RecordingRedactor } from '../support/recording-redactor.js';
import { seedIncident, seedUser } from '../support/retention-fixtures.js';
import { tempDir } from '../support/tmp.js';

describe('SubjectAccessDesk', () => {
  it('keeps only the face the manager chose, on that still only', async () => {
    const data = join(tempDir('bcrp-sar-desk-'), 'data');
    const clock = new FixedClock('2026-08-01T12:00:00.000Z');
    const db = openDatabase(data, { clock });
    const audit = new SqliteAuditLog(db, clock);
    const files = new EncryptedFiles(db, data, { clock, ids: counterIds('k') });
    seedUser(db, 'mina', 'manager');
    seedIncident(db, files, audit, {
      id: 'inc-1',
      at: '2026-08-01T11:00:00.000Z',
      camera: 2,
      stills: [
        { id: 'o1', kind: 'original', bytes: Buffer.from('JPEG o1') },
        { id: 'o2', kind: 'original', bytes: Buffer.from('JPEG o2') },
      ],
    });
    const redactor = new RecordingRedactor();
    const ids = counterIds('x');
    // The clips feature's port: the real one makes the clip again from the recorder (test/web/clips.test.ts).
    const asked: { incidentId: string; requester: { box: number[]; capturedAt: string } | undefined }[] = [];
    const clips = {
      forRequester: async (
        incidentId: string,
        requester?: { box: [number, number, number, number]; width: number; height: number; capturedAt: string },
      ) => {
        asked.push({ incidentId, requester });
        return {
          bytes: Buffer.from(`MP4 of ${incidentId}`),
          requesterShown: true,
          facesFilled: 2,
          durationSeconds: 10,
        };
      },
    };
    const desk = new SubjectAccessDesk({
      disclosures: async () =>
        new DisclosureService({
          originals: new SqliteOriginals(db),
          files,
          audit,
          clock,
          signer: await JoseSigner.loadOrCreate(data),
          redactor,
          checks: new SqliteStillChecks(db, files, { ids, clock }),
          holds: new HoldService({ holds: new SqliteHolds(db), audit, clock, ids }),
          siteId: 'shop-001',
          clips,
        }),
      dataDir: data,
      ids,
      clock,
      audit,
    });
    try {
      const stills = await desk.faces(['inc-1'], 'mina');
      expect(stills.map((s) => s.stillId).sort()).toEqual(['o1', 'o2']);
      // The fake detector answers right-to-left; the desk numbers left to right (face 1 is at x=1).
      expect(stills[0]?.faces).toEqual([
        { face: 1, box: [1, 1, 10, 10] },
        { face: 2, box: [40, 5, 10, 10] },
      ]);
      expect([...audit.entries()].some((e) => e.action === 'view' && e.details['purpose'] === 'sar-faces')).toBe(true);

      const r = await desk.export({ reference: 'SAR-9', incidentIds: ['inc-1'], keep: { o2: 2 } }, 'mina');
      expect(r).toMatchObject({ incidents: 1, images: 2, kept: 1, dueBy: '2026-08-31T12:00:00.000Z' });
      const kept = redactor.calls.map((c) => c.keep ?? []);
      expect(kept.filter((k) => k.length > 0)).toEqual([[[40, 5, 10, 10]]]);
      expect(kept.filter((k) => k.length === 0)).toHaveLength(1);
      expect(redactor.calls.find((c) => c.keep?.length)?.image.toString()).toBe('JPEG o2');

      // The answer as one ZIP file: what the folder holds, read back by another reader; the download is audited.
      expect(r.download).toMatch(/^SAR-9-/);
      const zip = await desk.archive(r.download ?? '', 'mina');
      expect(zip?.fileName).toBe(`${r.download}.zip`);
      const file = join(data, 'answer.zip');
      writeFileSync(file, zip?.bytes ?? Buffer.alloc(0));
      const py = spawnSync(
        '/usr/bin/python3',
        [
          '-c',
          'import zipfile,sys;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print("\\n".join(z.namelist()))',
          file,
        ],
        { encoding: 'utf8' },
      );
      const names = py.stdout.trim().split('\n');
      expect(names.every((n) => n.startsWith(`${r.download}/`))).toBe(true);
      expect(names.filter((n) => n.endsWith('.jpg'))).toHaveLength(2);
      // The incident's clip, made again with the requester kept: their box on the still they were picked on.
      expect(names).toContain(`${r.download}/clips/inc-1.mp4`);
      expect(asked).toEqual([{ incidentId: 'inc-1', requester: expect.objectContaining({ box: [40, 5, 10, 10] }) }]);
      expect([...audit.entries()].at(-1)).toMatchObject({ action: 'export', actor: 'mina', subject: r.download });
      // Nothing outside the answers folder, and no answer that was never made.
      expect(await desk.archive('../data', 'mina')).toBeUndefined();
      expect(await desk.archive('SAR-404', 'mina')).toBeUndefined();
    } finally {
      db.close();
    }
  });
});

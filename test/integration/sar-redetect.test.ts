// The SAR export's "third parties are redacted" checked by re-detection on the output, with the REAL Redactor
// and a real photo of three people: only the requester's face may still be found in the exported image.
// It skips (saying why) only when ../shared's photo is not present.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JoseSigner } from '../../src/adapters/crypto/checkpoint-signer.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteHolds } from '../../src/adapters/store/sqlite-holds.js';
import { SqliteOriginals } from '../../src/adapters/store/sqlite-originals.js';
import { SqliteStillChecks } from '../../src/adapters/store/sqlite-still-checks.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { createRedactor } from '../../src/app/redaction.js';
import { parseConfig } from '../../src/config/load.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import type { Redactor } from '../../src/core/ports/redactor.js';
import type { Box } from '../../src/core/redaction.js';
import { HoldService } from '../../src/services/holds/holds.js';
import { DisclosureService } from '../../src/services/sar/sar-export.js';
import { writeConfig } from '../support/config.js';
import { seedIncident } from '../support/retention-fixtures.js';
import { sharedOrSkip } from '../support/shared.js';
import { tempDir } from '../support/tmp.js';

async function loadRealRedactor(configFile: string): Promise<Redactor> {
  const { config } = parseConfig(readFileSync(configFile, 'utf8'), configFile);
  return (await createRedactor(config.redaction)).redactor;
}

const root = tempDir('bcrp-sar-redetect-');
const photo = sharedOrSkip('media', 'still-trio.jpg');
const facesFile = sharedOrSkip('media', 'faces.json');
const redactor = photo && facesFile ? await loadRealRedactor(writeConfig(root)) : undefined;

const overlap = (a: Box, b: Box) => {
  const x = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const y = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  return (x * y) / Math.min(a[2] * a[3], b[2] * b[3]);
};

describe('SAR export re-detection with the real Redactor', () => {
  it.skipIf(!redactor)(
    'leaves only the requester findable: no third-party face is detected in the output',
    async () => {
      const r = redactor as Redactor;
      const faces = (JSON.parse(readFileSync(facesFile as string, 'utf8')) as { images: Record<string, Box[]> }).images[
        'still-trio.jpg'
      ] as Box[];
      const [requester, ...others] = faces as [Box, ...Box[]];
      const clock = new FixedClock('2026-08-01T12:00:00.000Z');
      const data = join(root, 'data');
      const db = openDatabase(data, { clock });
      const audit = new SqliteAuditLog(db, clock);
      const files = new EncryptedFiles(db, data, { clock, ids: counterIds('k') });
      seedIncident(db, files, audit, {
        id: 'inc-1',
        at: clock.now().toISOString(),
        stills: [{ id: 'o1', kind: 'original', bytes: readFileSync(photo as string) }],
      });
      const service = new DisclosureService({
        originals: new SqliteOriginals(db),
        files,
        audit,
        clock,
        signer: await JoseSigner.loadOrCreate(data),
        redactor: r,
        // No face check stored for this still: the export detects it itself.
        checks: new SqliteStillChecks(db, files, { ids: counterIds('c'), clock }),
        holds: new HoldService({ holds: new SqliteHolds(db), audit, clock, ids: counterIds('h') }),
        siteId: 'shop-001',
      });
      const out = join(root, 'sar');
      await service.exportSar({
        reference: 'SAR-1',
        incidentIds: ['inc-1'],
        keep: new Map([['o1', requester]]),
        outDir: out,
        actor: { name: 'mina', role: 'manager' },
      });
      const exported = readFileSync(join(out, 'images', 'inc-1-o1.jpg'));
      const input = await r.detect(readFileSync(photo as string));
      const found = await r.detect(exported);
      const scale = found.width / input.width;
      const scaled = (b: Box): Box => [b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale];
      for (const f of found.faces) for (const o of others) expect(overlap(f.box, scaled(o))).toBeLessThan(0.3);
      expect(found.faces.some((f) => overlap(f.box, scaled(requester)) > 0.5)).toBe(true);
      db.close();
    },
  );
});

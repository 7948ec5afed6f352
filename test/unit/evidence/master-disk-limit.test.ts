// evidence.maxBytes over the real store (SQLite, encrypted files, audit chain) with a recorder stand-in that serves
// masters of known sizes: a new master makes room by deleting the oldest masters not under a hold, each deletion a
// tombstone with its hash; a held master is never deleted, and when only held ones are left the new master is
// refused, audited, and nothing of it is kept.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../../src/adapters/store/incidents.js';
import { SqliteAuditLog } from '../../../src/adapters/store/sqlite-audit-log.js';
import { SqliteEvidenceMasters } from '../../../src/adapters/store/sqlite-evidence-masters.js';
import { SqliteHolds } from '../../../src/adapters/store/sqlite-holds.js';
import { openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../../src/core/ports/clock.js';
import { counterIds } from '../../../src/core/ports/ids.js';
import type { FootageStream, RecorderFootage } from '../../../src/core/ports/recorder-footage.js';
import { MasterAcquisition } from '../../../src/services/evidence/master-acquisition.js';
import { HoldService } from '../../../src/services/holds/holds.js';
import { tempDir } from '../../support/tmp.js';

const KB = 1000;

/** A recorder whose next download is `size` bytes, announced or not. */
function recorder(sizes: number[], announce: boolean): RecorderFootage {
  return {
    identity: async () => ({ make: 'Hikvision', model: 'DS-TEST', firmware: 'V1', serial: 'S' }),
    clock: async () => ({ offsetMs: 0, source: 'isapi', readAt: '2026-11-23T10:00:00.000Z' }) as never,
    search: async (_c, from, to) => [{ startTime: from, endTime: to, playbackUri: 'rtsp://recorder/track' }],
    async download(): Promise<FootageStream> {
      const size = sizes.shift() ?? 0;
      async function* chunks() {
        for (let at = 0; at < size; at += 64 * KB) yield Buffer.alloc(Math.min(64 * KB, size - at), at & 0xff);
      }
      return { name: 'ch01.mp4', container: 'mp4', declaredBytes: announce ? size : null, chunks: chunks() };
    },
    playbackCopy: async () => {
      throw new Error('not used');
    },
  };
}

function rig(limit: number, sizes: number[], announce = true) {
  const dir = tempDir('bcrp-master-limit-');
  const clock = new FixedClock('2026-11-23T10:00:00.000Z');
  const ids = counterIds('id');
  const db = openDatabase(dir, { clock });
  const audit = new SqliteAuditLog(db, clock);
  const files = new EncryptedFiles(db, dir, { clock, ids });
  const masters = new SqliteEvidenceMasters(db, { audit, clock, ids, files });
  const incidents = new SqliteIncidents(db, { clock, ids, audit });
  const holds = new HoldService({ holds: new SqliteHolds(db), audit, clock, ids });
  const acquisition = new MasterAcquisition({
    masters,
    footage: recorder(sizes, announce),
    files,
    clock,
    incident: (id) => incidents.get(id),
    held: (id) => holds.activeHold(id) !== undefined,
    settings: {
      clipPreSeconds: 5,
      clipPostSeconds: 5,
      waitSeconds: 0,
      pollSeconds: 1,
      settleSeconds: 0,
      retryMinutes: 10,
      maxAttempts: 2,
      maxBytes: limit,
    },
  });
  const incident = () =>
    incidents.create({ siteId: 'shop-1', camera: 1, triggerTime: clock.now(), source: 'button' }).id;
  const hold = (incidentId: string) =>
    holds.place({ incidentId, reason: 'police investigation', actor: { name: 'mina', role: 'manager' } });
  return { dir, clock, audit, masters, acquisition, incident, hold };
}

describe('evidence.maxBytes', () => {
  it('deletes the oldest unheld masters for a new one, with tombstones, and never a held one', async () => {
    const r = rig(1000 * KB, [400 * KB, 300 * KB, 200 * KB, 450 * KB]);
    const [a, b, c, d] = [r.incident(), r.incident(), r.incident(), r.incident()];
    r.hold(a);
    for (const id of [a, b, c]) {
      expect((await r.acquisition.acquire(id))?.state).toBe('sealed');
      r.clock.advance(1000);
    }
    const bMaster = r.masters.forIncident(b)!;
    // 900 KB in all, A's 400 KB held; D needs 450 KB: B (the oldest unheld) goes, then C; A stays.
    const sealedD = await r.acquisition.acquire(d);
    expect(sealedD?.state).toBe('sealed');
    expect(r.masters.forIncident(a)?.state).toBe('sealed');
    expect(r.masters.forIncident(b)).toBeUndefined();
    expect(r.masters.forIncident(c)).toBeUndefined();
    expect(existsSync(join(r.dir, bMaster.file!))).toBe(false);
    const tombstones = [...r.audit.entries()].filter((e) => e.action === 'delete');
    expect(tombstones.map((e) => e.details['incidentId'])).toEqual([b, c]);
    expect(tombstones[0]!.details).toMatchObject({
      target: 'master',
      sha256: bMaster.sha256,
      bytes: 300 * KB,
      policy: `evidence.maxBytes=${1000 * KB}`,
      forIncident: d,
      keyDiscarded: true,
    });
    const used = r.masters.sealedOldestFirst().reduce((n, m) => n + (m.bytes ?? 0), 0);
    expect(used).toBe(850 * KB);
    expect(r.audit.verify().ok).toBe(true);
  });

  it('refuses a new master when only held ones are left, audited, keeping nothing of it', async () => {
    const r = rig(1000 * KB, [600 * KB, 300 * KB, 500 * KB], false);
    const [a, b, c] = [r.incident(), r.incident(), r.incident()];
    r.hold(a);
    r.hold(b);
    await r.acquisition.acquire(a);
    await r.acquisition.acquire(b);
    // Not announced (an RTSP copy): fetched, then refused once its size is known, and the file shredded.
    const refused = await r.acquisition.acquire(c);
    expect(refused?.state).toBe('failed');
    expect(refused?.lastError).toMatch(
      /evidence\.maxBytes is 1000000 bytes: the 2 master\(s\) under an evidence hold use 900000/,
    );
    expect(refused?.file).toBeNull();
    expect(r.masters.forIncident(a)?.state).toBe('sealed');
    expect(r.masters.forIncident(b)?.state).toBe('sealed');
    const failed = [...r.audit.entries()].find((e) => e.action === 'evidence-acquire-failed');
    expect(failed?.details['reason']).toMatch(/held masters are never deleted/);
    expect([...r.audit.entries()].some((e) => e.action === 'delete')).toBe(false);
    await r.acquisition.stop();
  });

  it('refuses before fetching anything when the recorder announces a size the held masters leave no room for', async () => {
    const r = rig(1000 * KB, [800 * KB, 300 * KB]);
    const [a, b] = [r.incident(), r.incident()];
    r.hold(a);
    await r.acquisition.acquire(a);
    const refused = await r.acquisition.acquire(b);
    expect(refused?.state).toBe('failed');
    expect(refused?.progressBytes).toBeNull();
    await r.acquisition.stop();
  });
});

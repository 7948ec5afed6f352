// The clips module in the running shape: the NVR emulator (ISAPI search + GStreamer RTSP playback of drawn
// shoppers), real ffmpeg and BlazeFace, the SQLite store and encrypted files. A `redacted` event on the bus makes
// the incident's clip with every face filled; the reviewer's pick makes it again with that face kept.
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HikvisionFrameSource } from '../../src/adapters/nvr/isapi/hikvision-frame-source.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteRetentionStore } from '../../src/adapters/store/sqlite-retention.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { type ClipsModule, clipsModule } from '../../src/app/clips-module.js';
import { EventBus } from '../../src/app/event-bus.js';
import { aisleScene, writeScene } from '../../src/bench/clip-media.js';
import { type Config, ConfigSchema } from '../../src/config/schema.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { ClipAnalysis } from '../../src/services/clips/clip-maker.js';
import { clientFor, emulator } from '../support/nvr.js';
import { tempDir } from '../support/tmp.js';
import { blazeface } from '../support/vision.js';

// The emulator plays its media by the real clock, so the incidents here are stamped by it too.
const clock = systemClock;

describe('clips module', () => {
  let mod: ClipsModule;
  let bus: EventBus;
  let incidents: SqliteIncidents;
  let audit: SqliteAuditLog;
  let db: ReturnType<typeof openDatabase>;
  let files: EncryptedFiles;

  beforeAll(async () => {
    const dir = tempDir('bcrp-clips-module-');
    const media = join(dir, 'aisle.mp4');
    await writeScene(aisleScene(8), media);
    const emu = await emulator({ media, channels: 2, noRecording: [2] });
    const frames = new HikvisionFrameSource(clientFor(emu), {
      host: '127.0.0.1',
      rtspPort: emu.rtspPort,
      username: emu.username,
      password: emu.password,
      stallMs: 8000,
    });
    db = openDatabase(dir, { clock });
    const ids = uuidV7Source(clock);
    audit = new SqliteAuditLog(db, clock);
    incidents = new SqliteIncidents(db, { clock, ids, audit });
    bus = new EventBus(silentLogger());
    files = new EncryptedFiles(db, dir, { clock, ids });
    const config = Value.Default(ConfigSchema, {
      site: { id: 'shop-001' },
      clips: { enabled: true, preSeconds: 2, postSeconds: 2 },
    }) as Config;
    const made = clipsModule(
      { config, db, audit, files, clock, bus, log: silentLogger() },
      { frames, incidents, detector: blazeface },
    );
    if (typeof made === 'string') throw new Error(made);
    mod = made;
    await mod.start();
  }, 120_000);
  afterAll(async () => {
    await mod?.stop();
  });

  const clipRows = (id: string) => [...audit.entries()].filter((e) => e.action === 'clip' && e.subject === id);
  const incident = (camera: number) =>
    incidents.create({
      siteId: 'shop-001',
      camera,
      triggerTime: new Date(clock.now().getTime() - 6000),
      source: 'web',
    });

  it('makes an encrypted, audited clip with every face filled once the stills are checked', async () => {
    const i = incident(1);
    bus.emit('redacted', { incidentId: i.id, status: 'in-review', stills: 3, faces: 3, reason: null });
    await new Promise((r) => setTimeout(r, 50));
    await mod.clips.whenIdle();
    const clip = mod.clips.get(i.id)!;
    expect(clip).toMatchObject({ status: 'made', fps: 8, frames: 32, subjectTracks: [] });
    const bytes = mod.clips.bytes(i.id)!;
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(bytes.length).toBe(clip.bytes);
    const row = clipRows(i.id).at(-1);
    expect(row?.details).toMatchObject({ made: true, sha256: clip.sha256 });

    // The reviewer picks a face on the frame at 1 s: that track is kept, the clip made again and audited.
    const { SqliteClips } = await import('../../src/adapters/store/sqlite-clips.js');
    const analysis = JSON.parse(new SqliteClips(db).analysis(i.id)!) as ClipAnalysis;
    const face = analysis.frames[8]!.faces[0]!;
    const chosen = await mod.clips.choose(i.id, { picks: [{ box: face.box, atSeconds: 1 }] }, 'user:alice');
    expect(chosen.subjectTracks).toEqual([face.id]);
    expect(chosen.sha256).not.toBe(clip.sha256);
    expect(clipRows(i.id).at(-1)?.actor).toBe('user:alice');
    // The first render is shredded once the new one is stored; only the new one reads back.
    expect(() => files.get(clip.file!, clip.keyId!)).toThrow();
    expect(mod.clips.bytes(i.id)!.length).toBe(chosen.bytes);

    // Retention removes the incident with its clip: the record goes and the MP4 is shredded.
    const shredded: string[] = [];
    const removed: Record<string, number>[] = [];
    expect(
      new SqliteRetentionStore(db).removeIncident(
        i.id,
        (f) => {
          shredded.push(f.file);
          files.destroy(f.file, f.keyId!);
        },
        (r) => removed.push(r),
      ),
    ).toBe(true);
    expect(shredded).toEqual([chosen.file]);
    expect(removed[0]).toMatchObject({ clips: 1 });
    expect(mod.clips.get(i.id)).toBeUndefined();
  }, 400_000);

  it('records why no clip was made when the recorder holds no footage, and refuses a pick on it', async () => {
    const i = incident(2);
    bus.emit('redacted', { incidentId: i.id, status: 'in-review', stills: 1, faces: 0, reason: null });
    await new Promise((r) => setTimeout(r, 50));
    await mod.clips.whenIdle();
    const clip = mod.clips.get(i.id)!;
    expect(clip.status).toBe('failed');
    expect(clip.reason).toMatch(/no recording of camera 2/);
    await expect(
      mod.clips.choose(i.id, { picks: [{ box: [1, 1, 9, 9], atSeconds: 0 }] }, 'user:alice'),
    ).rejects.toMatchObject({
      code: 'clip-not-found',
    });
  }, 60_000);
});

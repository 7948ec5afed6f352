// The review page's clip API through inject(): the clip record, the MP4 (audited as a view, refused to auditors),
// and the subject pick that makes the clip again — over a real ClipService (ffmpeg, BlazeFace) reading drawn
// footage from a file instead of a recorder.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegVideo } from '../../src/adapters/ffmpeg/raw-video.js';
import { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../../src/adapters/store/incidents.js';
import { SqliteClips } from '../../src/adapters/store/sqlite-clips.js';
import { aisleScene, faceBoxAt, writeScene } from '../../src/bench/clip-media.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { FaceDetector } from '../../src/core/ports/face-detector.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { ClipMaker } from '../../src/services/clips/clip-maker.js';
import { ClipService } from '../../src/services/clips/clip-service.js';
import { buildWebApp } from '../../src/web/app.js';
import type { DevWeb } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { blazeface } from '../support/vision.js';
import { Client, devWeb, waitUntil } from './support.js';

let dev: DevWeb;
let app: FastifyInstance;
let detector: FaceDetector;
let clips: ClipService;
let incidentId: string;

beforeAll(async () => {
  const dir = tempDir('bcrp-web-clips-');
  dev = await devWeb(join(dir, 'data'));
  const media = join(dir, 'aisle.mp4');
  await writeScene(aisleScene(4), media);
  detector = await blazeface();
  const clock = new FixedClock('2026-11-23T10:00:00.000Z');
  clips = new ClipService({
    maker: new ClipMaker({ video: new FfmpegVideo(), detector }),
    source: { window: async () => ({ kind: 'file', path: media }) },
    store: new SqliteClips(dev.db),
    incidents: new SqliteIncidents(dev.db, { clock, ids: counterIds('web-clip') }),
    files: new EncryptedFiles(dev.db, join(dir, 'data'), { clock, ids: counterIds('key') }),
    audit: dev.audit,
    clock,
    preSeconds: 1,
    postSeconds: 2,
  });
  app = buildWebApp({ ...dev.deps, clips });
  app.addHook('onRequest', async (request) => {
    (request.raw.socket as { encrypted?: boolean }).encrypted = true;
  });
  await app.ready();
  const staff = new Client(app);
  await staff.login('staff');
  const res = await staff.request('POST', '/api/incidents', { camera: 1 });
  incidentId = res.json<{ id: string }>().id;
  await waitUntil(async () => (await dev.incidents.get(incidentId))?.status === 'in-review');
  await clips.makeFor(incidentId);
}, 120_000);
afterAll(async () => {
  await app?.close();
  dev?.close();
  await detector?.close();
});

describe('clip API', () => {
  it('gives staff the clip record and the MP4, audited as a view; never the file location', async () => {
    const c = new Client(app);
    await c.login('staff');
    const info = await c.request('GET', `/api/incidents/${incidentId}/clip`);
    expect(info.statusCode).toBe(200);
    const body = info.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: 'made', frames: 24, fps: 8, subjectTracks: [] });
    expect(body).not.toHaveProperty('file');
    expect(body).not.toHaveProperty('keyId');
    const video = await c.request('GET', `/api/incidents/${incidentId}/clip/video`);
    expect(video.statusCode).toBe(200);
    expect(video.headers['content-type']).toBe('video/mp4');
    expect(video.rawPayload.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const views = [...dev.audit.entries()].filter(
      (e) => e.action === 'view' && e.subject === incidentId && (e.details as { clip?: boolean }).clip,
    );
    expect(views.at(-1)?.actor).toBe('staff');
    // A browser seeks with ranges: a later part is served as 206 and is not another view.
    const size = video.rawPayload.length;
    const part = await c.request('GET', `/api/incidents/${incidentId}/clip/video`, undefined, { range: 'bytes=100-' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-${size - 1}/${size}`);
    expect(part.rawPayload.equals(video.rawPayload.subarray(100))).toBe(true);
    const after = [...dev.audit.entries()].filter(
      (e) => e.action === 'view' && e.subject === incidentId && (e.details as { clip?: boolean }).clip,
    );
    expect(after).toHaveLength(views.length);
    const beyond = await c.request('GET', `/api/incidents/${incidentId}/clip/video`, undefined, {
      range: `bytes=${size}-`,
    });
    expect(beyond.statusCode).toBe(416);
  });

  it('refuses the video to an auditor', async () => {
    const c = new Client(app);
    await c.login('auditor');
    expect((await c.request('GET', `/api/incidents/${incidentId}/clip/video`)).statusCode).toBe(403);
  });

  it('keeps the picked face and says clearly when a pick hits no face', async () => {
    const c = new Client(app);
    await c.login('staff');
    const k = 960 / 1280;
    const box = faceBoxAt(aisleScene(4).walkers[0]!, 1).map((v) => Math.round(v * k));
    const ok = await c.request('POST', `/api/incidents/${incidentId}/clip/subject`, { picks: [{ box, atSeconds: 1 }] });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ subjectTracks: number[] }>().subjectTracks).toHaveLength(1);
    const miss = await c.request('POST', `/api/incidents/${incidentId}/clip/subject`, {
      picks: [{ box: [900, 500, 20, 20], atSeconds: 1 }],
    });
    expect(miss.statusCode).toBe(422);
    expect(miss.json<{ error: string }>().error).toMatch(/no tracked face at 900,500,20,20 on frame 8/);
    const bad = await c.request('POST', `/api/incidents/${incidentId}/clip/subject`, {
      picks: [{ box: [1, 2], atSeconds: 1 }],
    });
    expect(bad.statusCode).toBe(400);
  }, 120_000);

  it('makes a SAR answer its own clip with only the requester kept, leaving the clip on record as it was', async () => {
    const incident = await dev.incidents.get(incidentId);
    const before = clips.get(incidentId);
    // The requester picked on a still taken at the trigger (second 1 of the clip), in the still's own pixels.
    const box = faceBoxAt(aisleScene(4).walkers[1]!, 1);
    const r = await clips.forRequester(incidentId, {
      box,
      width: 1280,
      height: 720,
      capturedAt: incident!.triggerTime,
    });
    expect(r && !('reason' in r) && r.requesterShown).toBe(true);
    expect(r && !('reason' in r) && r.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(clips.get(incidentId)).toEqual(before);
  }, 120_000);
});

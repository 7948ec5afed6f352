// The capture use-case with fakes: the trigger is recorded before any still is pulled, stills land as encrypted
// originals, statuses and audit entries follow, and failures are retried only while they can succeed.
import { describe, expect, it } from 'vitest';
import { FakeFrameSource } from '../../src/adapters/nvr/fake-frame-source.js';
import { FakeIncidentsWithRetries } from '../../src/adapters/store/fake-incidents.js';
import type { AuditEvent } from '../../src/core/audit-chain.js';
import { jpegSize } from '../../src/core/jpeg-size.js';
import type { AuditLog } from '../../src/core/ports/audit-log.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { RecorderClockReading } from '../../src/core/ports/frame-source.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { CaptureService, type CaptureSettings, planCapture } from '../../src/services/capture/capture-service.js';

// A tiny JPEG header with a SOF0 of 640x360 (enough for jpegSize; the fake never decodes).
const JPEG = Buffer.from([
  0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x68, 0x02, 0x80, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03,
  0x11, 0x01, 0xff, 0xd9,
]);

const settings: CaptureSettings = { preSeconds: 10, postSeconds: 5, stills: 5, retryMinutes: 5, nvrRetentionDays: 30 };

function setup(
  makeFrames = (clock: FixedClock) => new FakeFrameSource(JPEG, { cameras: [1, 2], noRecording: [2], clock }),
  extra: Partial<ConstructorParameters<typeof CaptureService>[0]> = {},
) {
  const clock = new FixedClock('2026-11-23T10:00:00Z');
  const frames = makeFrames(clock);
  const audit: AuditEvent[] = [];
  const log: AuditLog = {
    append: (e) => {
      audit.push(e);
      return { ...e, seq: audit.length, time: '', details: e.details ?? {}, prevHash: '', hash: '' };
    },
    entries: () => [],
    head: () => undefined,
    verify: () => ({ ok: true, entries: 0, firstSeq: null, lastSeq: null, headHash: null }),
  };
  const incidents = new FakeIncidentsWithRetries({ clock, ids: counterIds('inc'), audit: log });
  const put: string[] = [];
  const service = new CaptureService({
    incidents,
    retries: incidents,
    audit: log,
    files: {
      put: (sub, name, plain) => {
        put.push(`${sub}/${name}`);
        return { keyId: `k-${name}`, file: `files/${sub}/${name}.enc`, sha256: 'f'.repeat(64), bytes: plain.length };
      },
    },
    frames,
    clock,
    ids: counterIds('still'),
    siteId: 'shop-001',
    settings,
    ...extra,
  });
  return { clock, incidents, audit, put, service, frames };
}

describe('planCapture', () => {
  it('splits a fresh window into snapshot, playback and live', () => {
    const t = new Date('2026-11-23T10:00:00Z');
    const p = planCapture(t, t, settings);
    expect(p.snapshot).toBe(true);
    expect(p.past.map((d) => d.toISOString())).toEqual([
      '2026-11-23T09:59:50.000Z',
      '2026-11-23T09:59:53.750Z',
      '2026-11-23T09:59:57.500Z',
    ]);
    expect(p.future.map((d) => d.toISOString())).toEqual(['2026-11-23T10:00:05.000Z']);
  });

  it('takes everything from playback for an incident placed in the past', () => {
    const p = planCapture(new Date('2026-11-23T09:50:00Z'), new Date('2026-11-23T10:00:00Z'), settings);
    expect(p).toMatchObject({ snapshot: false, future: [] });
    expect(p.past).toHaveLength(5);
  });
});

describe('CaptureService and the recorder clock', () => {
  const reading: RecorderClockReading = {
    offsetMs: 7250,
    source: 'isapi',
    recorderTime: '2026-11-23T10:00:07.250Z',
    readAt: '2026-11-23T10:00:00.000Z',
    roundTripMs: 12,
    timeZone: 'UTC0',
  };

  it('reads the offset on every capture, before playback, and records it in the audit row and the clock log', async () => {
    const frames = new FakeFrameSource(JPEG, { cameras: [1] });
    const order: string[] = [];
    frames.recorderClock = async () => {
      order.push('clock');
      return reading;
    };
    const playback = frames.playback.bind(frames);
    frames.playback = (...a) => {
      order.push('playback');
      return playback(...a);
    };
    const logged: [string, RecorderClockReading][] = [];
    const { service, audit } = setup(() => frames, { clockLog: { record: (id, r) => logged.push([id, r]) } });
    const inc = service.trigger({ camera: 1, source: 'cli', actor: 'cli', at: new Date('2026-11-23T09:50:00Z') });
    await service.whenIdle();
    expect(order).toEqual(['clock', 'playback']);
    expect(audit.find((a) => a.action === 'capture')?.details).toMatchObject({
      recorderClock: { offsetMs: 7250, source: 'isapi' },
    });
    expect(logged).toEqual([[inc.id, reading]]);
  });

  it('a recorder whose clock does not answer still gives stills, without an offset and with the problem told', async () => {
    const frames = new FakeFrameSource(JPEG, { cameras: [1] });
    frames.recorderClock = () => new Promise(() => {});
    const problems: string[] = [];
    const { service, audit, incidents } = setup(() => frames, { onProblem: (_id, m) => problems.push(m) });
    const inc = service.trigger({ camera: 1, source: 'cli', actor: 'cli', at: new Date('2026-11-23T09:50:00Z') });
    await service.whenIdle();
    expect(incidents.get(inc.id)?.status).toBe('captured');
    expect(audit.find((a) => a.action === 'capture')?.details).not.toHaveProperty('recorderClock');
    expect(problems).toEqual(['recorder clock: no answer within 2000 ms']);
  });
});

describe('CaptureService', () => {
  it('records the trigger (incident + audit) before pulling any still, then stores encrypted originals', async () => {
    const { service, incidents, audit, put, frames } = setup();
    const inc = service.trigger({ camera: 1, source: 'button', actor: 'button:counter' });
    expect(inc.status).toBe('triggered');
    expect(audit.map((a) => a.action)).toEqual(['trigger']);
    expect(audit[0]).toMatchObject({
      actor: 'button:counter',
      subject: inc.id,
      details: { camera: 1, source: 'button' },
    });
    expect(put).toEqual([]); // nothing pulled yet: the trigger returned first
    await service.whenIdle();
    const done = incidents.get(inc.id)!;
    expect(done.status).toBe('captured');
    const stills = incidents.stills(inc.id, 'original');
    expect(stills).toHaveLength(5);
    expect(stills.map((s) => s.origin).sort()).toEqual(['live', 'playback', 'playback', 'playback', 'snapshot']);
    expect(stills[0]).toMatchObject({ width: 640, height: 360, kind: 'original' });
    expect(put.every((p) => p.startsWith(`originals/${inc.id}/`))).toBe(true);
    expect(audit.map((a) => a.action)).toEqual(['trigger', 'capture']);
    expect(frames.calls.sort()).toEqual(['live 1 1', 'playback 1 3', 'snapshot 1']);
    // The live still is taken when the test's clock reaches its moment, 5 s after the trigger, and dated so.
    expect(stills.find((s) => s.origin === 'live')?.capturedAt).toBe('2026-11-23T10:00:05.000Z');
    expect(stills.find((s) => s.origin === 'snapshot')?.capturedAt).toBe('2026-11-23T10:00:00.000Z');
  });

  it('marks capture-failed with the reason and schedules a retry while the NVR keeps the footage', async () => {
    const { service, incidents, audit, clock, frames } = setup();
    frames.failWith = 'nvr-unreachable';
    const inc = service.trigger({ camera: 1, source: 'web', actor: 'alice' });
    await service.whenIdle();
    const failed = incidents.get(inc.id)!;
    expect(failed.status).toBe('capture-failed');
    expect(failed.statusReason).toMatch(/nvr-unreachable/);
    const fail = audit.find((a) => a.action === 'capture-failed')!;
    // The attempt ended after waiting on the clock for the live still 5 s after the trigger; the retry is due
    // 5 minutes after that.
    expect(fail.details).toMatchObject({ attempt: 1, nextTry: '2026-11-23T10:05:05.000Z' });
    expect(service.retryDue()).toEqual([]);
    frames.failWith = undefined;
    clock.advance(5 * 60_000);
    expect(service.retryDue()).toEqual([inc.id]);
    await service.whenIdle();
    expect(incidents.get(inc.id)?.status).toBe('captured');
    // By now the whole window is in the past: everything comes from playback.
    expect(incidents.stills(inc.id).every((s) => s.origin === 'playback')).toBe(true);
  });

  it('does not retry what cannot succeed (no recording) or what the NVR no longer holds', async () => {
    const { service, incidents, audit } = setup();
    const a = service.trigger({ camera: 2, source: 'cli', actor: 'cli', at: new Date('2026-11-23T09:00:00Z') });
    const old = service.trigger({ camera: 1, source: 'cli', actor: 'cli', at: new Date('2026-10-20T09:00:00Z') });
    await service.whenIdle();
    expect(incidents.get(a.id)).toMatchObject({ status: 'capture-failed' });
    expect(incidents.get(a.id)?.statusReason).toMatch(/no recording of camera 2/);
    expect(audit.find((e) => e.action === 'capture-failed' && e.subject === a.id)?.details?.['nextTry']).toBeNull();
    // The old one still has footage in the fake, so it is captured; the point is it was attempted from playback.
    expect(incidents.get(old.id)?.status).toBe('captured');
  });

  it('keeps partial results as captured with a note', async () => {
    const { service, incidents } = setup((clock) => {
      const frames = new FakeFrameSource(JPEG, { cameras: [1], clock });
      frames.snapshot = async () => {
        throw new Error('snapshot broke at rtsp://admin:Passw0rd!@10.0.0.5/x');
      };
      return frames;
    });
    const inc = service.trigger({ camera: 1, source: 'cli', actor: 'cli' });
    await service.whenIdle();
    const done = incidents.get(inc.id)!;
    expect(done).toMatchObject({ status: 'captured', statusReason: '4 of 5 stills' });
  });

  it('scrubs credentials from failure reasons', async () => {
    const { service, incidents, audit } = setup((clock) => {
      const frames = new FakeFrameSource(JPEG, { cameras: [1], clock });
      const boom = async () => {
        throw new Error('ffmpeg: rtsp://admin:Passw0rd!@10.0.0.5:554/Streaming/Channels/101 refused');
      };
      frames.snapshot = boom;
      frames.live = boom;
      frames.playback = boom;
      return frames;
    });
    const inc = service.trigger({ camera: 1, source: 'cli', actor: 'cli' });
    await service.whenIdle();
    const reason = incidents.get(inc.id)?.statusReason ?? '';
    expect(reason).toContain('[redacted]');
    expect(JSON.stringify(audit)).not.toContain('Passw0rd!');
    expect(reason).not.toContain('Passw0rd!');
  });

  it('settles captures a crash left "triggered" when it starts: partial ones as captured, empty ones retried', async () => {
    const { service, incidents, audit, clock } = setup();
    // Two incidents as a process killed mid-capture leaves them: one with a still already stored, one with none.
    const partial = incidents.create({ siteId: 'shop-001', camera: 1, triggerTime: clock.now(), source: 'button' });
    incidents.addStill({
      id: 's-1',
      incidentId: partial.id,
      kind: 'original',
      capturedAt: clock.now().toISOString(),
      origin: 'snapshot',
      width: 640,
      height: 360,
      bytes: 10,
      sha256: 'f'.repeat(64),
      file: 'files/x.enc',
      keyId: 'k',
    });
    const empty = incidents.create({ siteId: 'shop-001', camera: 1, triggerTime: clock.now(), source: 'button' });
    service.start(60_000);
    expect(incidents.get(partial.id)).toMatchObject({
      status: 'captured',
      statusReason: '1 of 5 stills (the capture was interrupted by a restart)',
    });
    expect(audit.find((a) => a.subject === partial.id)).toMatchObject({ action: 'capture', details: { stills: 1 } });
    // The empty one is retried at once, from playback, and ends captured.
    expect(audit.find((a) => a.subject === empty.id)).toMatchObject({
      action: 'capture-failed',
      details: { interrupted: true },
    });
    await service.stop();
    expect(incidents.get(empty.id)?.status).toBe('captured');
    expect(incidents.list({ status: 'triggered' })).toEqual([]);
  });
});

describe('jpegSize', () => {
  it('reads the frame size from SOF0 and refuses non-JPEG', () => {
    expect(jpegSize(JPEG)).toEqual({ width: 640, height: 360 });
    expect(jpegSize(Buffer.from('PNG'))).toBeUndefined();
  });
});

// The review desk's own rules: it reuses the face check capture stored (no detection, and the stored rendering
// when nothing is revealed or added), detects at most once per still without one, drafts survive a restart
// (SQLite), a dispatcher failure leaves the incident in review with nothing audited as sent, and the packet holds
// only redacted images.
import { describe, expect, it } from 'vitest';
import { FakeStillChecks } from '../../src/adapters/store/fake-still-checks.js';
import { SqliteDrafts } from '../../src/adapters/store/sqlite-drafts.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { RedactionRequest } from '../../src/core/ports/redactor.js';
import type { OutgoingPacket } from '../../src/core/ports/review-service.js';
import { silentLogger } from '../../src/observability/logger.js';
import { ReviewDesk } from '../../src/services/review-desk.js';
import { createDevWeb, devReviewSource } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { waitUntil } from '../web/support.js';

async function setup(
  dispatch: (p: OutgoingPacket) => Promise<void>,
  checks?: FakeStillChecks,
  degraded?: { configured: string; reason: string },
) {
  const dir = tempDir('bcrp-desk-');
  const dev = createDevWeb({ dataDir: dir, log: silentLogger(), stepMs: 1 });
  let detects = 0;
  let redacts = 0;
  const redactor = {
    detect: (img: Buffer) => {
      detects++;
      return dev.redactor.detect(img);
    },
    redact: (r: RedactionRequest) => {
      redacts++;
      return dev.redactor.redact(r);
    },
    degraded,
  };
  const source = devReviewSource(dev.incidents);
  const desk = new ReviewDesk({
    source: checks
      ? {
          ...source,
          check: async (i, st) => checks.load(i, st),
          keepRendering: async (i, st, r) => checks.saveRendering(i, st, r),
        }
      : source,
    redactor,
    dispatcher: { dispatch },
    audit: dev.audit,
    siteId: 'shop',
    drafts: new SqliteDrafts(dev.db, new FixedClock('2026-11-23T10:00:00Z')),
  });
  const inc = await dev.incidents.trigger({ camera: 1, source: 'web', actor: 'sam' });
  await waitUntil(async () => (await dev.incidents.get(inc.id))?.status === 'in-review');
  const stills = (await dev.incidents.get(inc.id))!.stills;
  return { dev, desk, id: inc.id, stills, detects: () => detects, redacts: () => redacts, dir };
}

describe('ReviewDesk', () => {
  it('reuses the face check capture stored: no detection in review, the stored rendering when nothing is revealed', async () => {
    const checks = new FakeStillChecks();
    const s = await setup(async () => {}, checks);
    // What the incident desk stores when capture finishes: one detection per still.
    for (const st of s.stills) {
      const found = await s.dev.redactor.detect(s.dev.incidents.still(s.id, st.id).original);
      checks.save(s.id, st.id, { width: found.width, height: found.height, faces: found.faces });
    }
    const still = s.stills[0]!.id;
    const faces = await s.desk.faces(s.id, still);
    expect(faces.faces.map((f) => f.box)).toEqual(checks.load(s.id, still)!.faces.map((f) => f.box));
    // The first plain rendering is made once and kept; later ones are the kept one.
    const plain = await s.desk.rendering(s.id, still, 'kim');
    expect(checks.load(s.id, still)!.redacted?.sha256).toBe(plain.sha256);
    expect((await s.desk.rendering(s.id, still, 'lee')).sha256).toBe(plain.sha256);
    expect(s.redacts()).toBe(1);
    await s.desk.saveDraft(
      s.id,
      { subject: { stillId: still, face: 1 }, extraBoxes: [], category: 'theft', contextStills: [], description: '' },
      'sam',
    );
    // Revealing the subject to its chooser redraws the pixels from the stored faces; still no detection.
    const revealed = await s.desk.rendering(s.id, still, 'sam');
    expect(revealed.report.facesKept).toBe(1);
    await s.desk.previewImage(s.id, 0);
    expect(s.detects()).toBe(0);
    s.dev.close();
  });

  it('detects once per still however often faces and renderings are asked for', async () => {
    const s = await setup(async () => {});
    const still = s.stills[0]!.id;
    await s.desk.faces(s.id, still);
    await s.desk.faces(s.id, still);
    await s.desk.saveDraft(
      s.id,
      { subject: { stillId: still, face: 1 }, extraBoxes: [], category: null, contextStills: [], description: '' },
      'sam',
    );
    await s.desk.rendering(s.id, still, 'sam');
    await s.desk.faces(s.id, s.stills[1]!.id);
    // One detection per still asked about (redact() detects inside the redactor, not through the desk).
    expect(s.detects()).toBe(2);
    s.dev.close();
  });

  it('keeps drafts in the store, so a restarted desk continues the review', async () => {
    const s = await setup(async () => {});
    const still = s.stills[1]!.id;
    const draft = {
      subject: { stillId: still, face: 0 },
      extraBoxes: [{ stillId: still, box: [1, 2, 30, 40] as [number, number, number, number] }],
      category: 'theft' as const,
      contextStills: [],
      description: 'x',
    };
    await s.desk.saveDraft(s.id, draft, 'sam');
    const again = new SqliteDrafts(openDatabase(s.dir, { clock: new FixedClock(0) }), new FixedClock(0));
    expect(again.get(s.id)).toEqual({ ...draft, subjectChosenBy: 'sam' });
    s.dev.close();
  });

  it('a failed dispatch leaves the incident in review and audits no send; a good one sends redacted images only', async () => {
    let fail = true;
    const packets: OutgoingPacket[] = [];
    const s = await setup(async (p) => {
      if (fail) throw new Error('outbox full');
      packets.push(p);
    });
    const still = s.stills[0]!.id;
    await s.desk.saveDraft(
      s.id,
      {
        subject: { stillId: still, face: 2 },
        extraBoxes: [],
        category: 'theft',
        contextStills: [s.stills[3]!.id],
        description: '',
      },
      'sam',
    );
    await expect(s.desk.submit(s.id, 'sam', { requireApproval: false })).rejects.toThrow(/outbox full/);
    expect((await s.dev.incidents.get(s.id))?.status).toBe('in-review');
    expect([...s.dev.audit.entries()].some((e) => e.action === 'send')).toBe(false);
    fail = false;
    expect(await s.desk.submit(s.id, 'sam', { requireApproval: false })).toEqual({ status: 'queued' });
    const packet = packets[0]!;
    expect(packet.images.map((i) => i.role)).toEqual(['subject-crop', 'context']);
    const originals = s.stills.map((x) => s.dev.incidents.still(s.id, x.id).original);
    for (const i of packet.images) {
      expect(originals.some((o) => o.equals(i.image.bytes))).toBe(false);
      expect(i.image.report.facesFound).toBeGreaterThan(0);
    }
    expect(packet.images[1]!.image.report.facesKept).toBe(0);
    s.dev.close();
  });

  it('with a weaker detector standing in, a context still is sent only after a reviewer confirmed it; a subject crop alone may go', async () => {
    const packets: OutgoingPacket[] = [];
    const s = await setup(async (p) => void packets.push(p), undefined, {
      configured: 'yunet',
      reason: 'yunet is not installed',
    });
    const [first, , , fourth] = s.stills.map((x) => x.id);
    const base = {
      subject: { stillId: first!, face: 2 },
      extraBoxes: [],
      category: 'theft' as const,
      description: '',
    };
    await s.desk.saveDraft(s.id, { ...base, contextStills: [fourth!] }, 'sam');
    const held = await s.desk.preview(s.id);
    expect(held.ready).toBe(false);
    expect(held.missing.join(' ')).toMatch(/confirm that still 4 shows no face left unhidden.*weaker face detector/);
    await expect(s.desk.submit(s.id, 'sam', { requireApproval: false })).rejects.toThrow(/still 4/);
    expect(packets).toHaveLength(0);
    // The subject crop alone needs no confirmation.
    await s.desk.saveDraft(s.id, { ...base, contextStills: [] }, 'sam');
    expect((await s.desk.preview(s.id)).ready).toBe(true);
    // Confirmed: audited once per still, and the packet goes with the context still.
    await s.desk.saveDraft(s.id, { ...base, contextStills: [fourth!], confirmedStills: [fourth!] }, 'kim');
    await s.desk.saveDraft(s.id, { ...base, contextStills: [fourth!], confirmedStills: [fourth!] }, 'kim');
    const confirms = [...s.dev.audit.entries()].filter((e) => e.action === 'confirm-still');
    expect(confirms.map((e) => [e.actor, e.details.still])).toEqual([['kim', fourth]]);
    expect(await s.desk.submit(s.id, 'kim', { requireApproval: false })).toEqual({ status: 'queued' });
    expect(packets[0]!.images.map((i) => i.role)).toEqual(['subject-crop', 'context']);
    s.dev.close();
  });
});

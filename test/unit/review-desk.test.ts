// The review desk's own rules: detection runs once per still, drafts survive a restart (SQLite), a dispatcher
// failure leaves the incident in review with nothing audited as sent, and the packet holds only redacted images.
import { describe, expect, it } from 'vitest';
import { SqliteDrafts } from '../../src/adapters/store/sqlite-drafts.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { OutgoingPacket } from '../../src/core/ports/review-service.js';
import { silentLogger } from '../../src/observability/logger.js';
import { ReviewDesk } from '../../src/services/review-desk.js';
import { createDevWeb, devReviewSource } from '../support/dev-web/index.js';
import { tempDir } from '../support/tmp.js';
import { waitUntil } from '../web/support.js';

async function setup(dispatch: (p: OutgoingPacket) => Promise<void>) {
  const dir = tempDir('bcrp-desk-');
  const dev = createDevWeb({ dataDir: dir, log: silentLogger(), stepMs: 1 });
  let detects = 0;
  const redactor = {
    detect: (img: Buffer) => {
      detects++;
      return dev.redactor.detect(img);
    },
    redact: dev.redactor.redact.bind(dev.redactor),
  };
  const desk = new ReviewDesk({
    source: devReviewSource(dev.incidents),
    redactor,
    dispatcher: { dispatch },
    audit: dev.audit,
    siteId: 'shop',
    drafts: new SqliteDrafts(dev.db, new FixedClock('2026-11-23T10:00:00Z')),
  });
  const inc = await dev.incidents.trigger({ camera: 1, source: 'web', actor: 'sam' });
  await waitUntil(async () => (await dev.incidents.get(inc.id))?.status === 'in-review');
  const stills = (await dev.incidents.get(inc.id))!.stills;
  return { dev, desk, id: inc.id, stills, detects: () => detects, dir };
}

describe('ReviewDesk', () => {
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
});

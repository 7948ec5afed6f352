// The IncidentService + ReviewService + ApprovalService contract, as the web relies on them: trigger gives
// progress ending in review; renderings are RedactedImages; drafts validate; submit honours four-eyes; reveal,
// approve and the packet's queueing are audited (the one 'send' row follows when the packet is published). Run against the dev fixtures here; the lead runs it against the real
// capture/review/packet services when they are wired.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/audit-chain.js';
import type { ApprovalService } from '../../src/core/ports/approval-service.js';
import type { IncidentProgress, IncidentService } from '../../src/core/ports/incident-service.js';
import type { ReviewService } from '../../src/core/ports/review-service.js';

export interface ReviewHarness {
  incidents: IncidentService;
  review: ReviewService;
  approvals: ApprovalService;
  auditTail(n: number): AuditEntry[];
}

async function readyIncident(h: ReviewHarness): Promise<string> {
  const incident = await h.incidents.trigger({ camera: 1, source: 'web', actor: 'alice' });
  expect(incident.status).toBe('triggered');
  const seen: IncidentProgress[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no final progress event within 10 s')), 10_000);
    const off = h.incidents.subscribe(incident.id, (p) => {
      seen.push(p);
      if (p.done) {
        clearTimeout(timer);
        setImmediate(() => off());
        resolve();
      }
    });
  });
  expect(seen.at(-1)?.status).toBe('in-review');
  return incident.id;
}

export function reviewFlowContract(name: string, make: () => Promise<ReviewHarness>): void {
  describe(`review flow contract: ${name}`, () => {
    it('a trigger is audited, listed, and ends in review with stills whose faces can be listed', async () => {
      const h = await make();
      const id = await readyIncident(h);
      expect(h.auditTail(10).some((e) => e.action === 'trigger' && e.subject === id && e.actor === 'alice')).toBe(true);
      expect((await h.incidents.list({ status: ['in-review'] })).map((i) => i.id)).toContain(id);
      const detail = await h.incidents.get(id);
      expect(detail?.stills.length).toBeGreaterThan(0);
      const faces = await h.review.faces(id, detail!.stills[0]!.id);
      expect(faces.width).toBe(detail!.stills[0]!.width);
      const img = await h.review.rendering(id, detail!.stills[0]!.id, 'alice');
      expect(img.mime).toBe('image/jpeg');
      expect(img.report.facesRedacted).toBe(faces.faces.length);
    });

    it('choosing a subject is audited as reveal and shows exactly that face', async () => {
      const h = await make();
      const id = await readyIncident(h);
      const still = (await h.incidents.get(id))!.stills[0]!.id;
      const { faces } = await h.review.faces(id, still);
      if (faces.length === 0) return; // a still without faces cannot be reviewed this way
      await h.review.saveDraft(
        id,
        { subject: { stillId: still, face: 0 }, extraBoxes: [], category: null, contextStills: [], description: '' },
        'alice',
      );
      expect(h.auditTail(1)[0]).toMatchObject({ action: 'reveal', actor: 'alice', subject: id });
      const img = await h.review.rendering(id, still, 'alice');
      expect(img.report.facesKept).toBe(1);
      // Only to the person who chose it.
      expect((await h.review.rendering(id, still, 'bob')).report.facesKept).toBe(0);
      await expect(
        h.review.saveDraft(
          id,
          {
            subject: { stillId: still, face: 999 },
            extraBoxes: [],
            category: null,
            contextStills: [],
            description: '',
          },
          'alice',
        ),
      ).rejects.toThrow();
    });

    it('submit needs subject and category; with approval required it waits for a manager', async () => {
      const h = await make();
      const id = await readyIncident(h);
      await expect(h.review.submit(id, 'alice', { requireApproval: true })).rejects.toThrow();
      const still = (await h.incidents.get(id))!.stills[0]!.id;
      await h.review.saveDraft(
        id,
        { subject: { stillId: still, face: 0 }, extraBoxes: [], category: 'theft', contextStills: [], description: '' },
        'alice',
      );
      const preview = await h.review.preview(id);
      expect(preview.ready).toBe(true);
      expect(preview.images[0]?.role).toBe('subject-crop');
      const crop = await h.review.previewImage(id, 0);
      expect(crop.width).toBeLessThan((await h.incidents.get(id))!.stills[0]!.width);
      // The revealed subject: the chooser sees the crop, another member of staff is refused…
      expect((await h.review.previewImage(id, 0, { name: 'alice', role: 'staff' })).sha256).toBe(crop.sha256);
      await expect(h.review.previewImage(id, 0, { name: 'bob', role: 'staff' })).rejects.toMatchObject({
        code: 'forbidden',
      });
      await expect(h.review.previewImage(id, 0, { name: 'boss', role: 'manager' })).rejects.toMatchObject({
        code: 'forbidden',
      });
      expect(await h.review.submit(id, 'alice', { requireApproval: true })).toEqual({ status: 'awaiting-approval' });
      // …and the manager approving the send sees exactly what leaves.
      expect((await h.review.previewImage(id, 0, { name: 'boss', role: 'manager' })).sha256).toBe(crop.sha256);
      expect((await h.approvals.pending()).map((p) => p.id)).toContain(id);
      expect(await h.approvals.approve(id, 'boss')).toEqual({ status: 'queued' });
      const tail = h.auditTail(3).map((e) => e.action);
      expect(tail).toEqual(expect.arrayContaining(['approve', 'packet-queue']));
      await expect(h.approvals.approve(id, 'boss')).rejects.toThrow();
    });
  });
}

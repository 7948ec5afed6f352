// Review and approval for the demo and tests, over the Redactor port and the DevIncidents' originals: drafts in
// memory, previews rendered by the redactor, and a send that walks the incident through queued → sent → acked
// on a timer (where the real packet/outbox/hub chain will take over).
import { AppError } from '../../core/errors.js';
import { INCIDENT_CATEGORIES, type IncidentStatus } from '../../core/incident.js';
import type { ApprovalService } from '../../core/ports/approval-service.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { IncidentSummary } from '../../core/ports/incident-service.js';
import type { Redactor } from '../../core/ports/redactor.js';
import type {
  OutgoingImage,
  OutgoingPreview,
  ReviewDraft,
  ReviewService,
  StillFaces,
} from '../../core/ports/review-service.js';
import type { Box, RedactedImage } from '../../core/redaction.js';
import type { DevIncidents } from './dev-incidents.js';

const emptyDraft = (): ReviewDraft => ({
  subject: null,
  extraBoxes: [],
  category: null,
  contextStills: [],
  description: '',
});

export class DevReviewDesk implements ReviewService, ApprovalService {
  readonly #incidents: DevIncidents;
  readonly #redactor: Redactor;
  readonly #audit: AuditLog;
  readonly #siteId: string;
  readonly #deliveryMs: number;
  readonly #drafts = new Map<string, ReviewDraft>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Outbox depth as the status strip shows it. */
  queued = 0;

  constructor(deps: {
    incidents: DevIncidents;
    redactor: Redactor;
    audit: AuditLog;
    siteId: string;
    /** Time from send to the hub's ack in the simulation. */
    deliveryMs?: number;
  }) {
    this.#incidents = deps.incidents;
    this.#redactor = deps.redactor;
    this.#audit = deps.audit;
    this.#siteId = deps.siteId;
    this.#deliveryMs = deps.deliveryMs ?? 800;
  }

  async draft(incidentId: string): Promise<ReviewDraft> {
    return structuredClone(this.#drafts.get(incidentId) ?? emptyDraft());
  }

  async #status(incidentId: string): Promise<IncidentStatus> {
    const i = await this.#incidents.get(incidentId);
    if (!i) throw new AppError('not-found', 'There is no such incident.');
    return i.status;
  }

  async saveDraft(incidentId: string, draft: ReviewDraft, actor: string): Promise<ReviewDraft> {
    if ((await this.#status(incidentId)) !== 'in-review') {
      throw new AppError('conflict', 'This incident is not in review any more, so it cannot be changed.');
    }
    const stills = this.#incidents.stillsOf(incidentId);
    const ids = new Set(stills.map((s) => s.id));
    if (draft.subject) {
      const still = stills.find((s) => s.id === draft.subject?.stillId);
      if (!still?.faces[draft.subject.face]) throw new AppError('bad-draft', 'That face is not on that still.');
    }
    for (const b of draft.extraBoxes) {
      if (!ids.has(b.stillId)) throw new AppError('bad-draft', 'A blur box refers to a still of another incident.');
    }
    if (draft.category !== null && !INCIDENT_CATEGORIES.includes(draft.category)) {
      throw new AppError('bad-draft', 'Choose a category from the list.');
    }
    if (draft.contextStills.some((s) => !ids.has(s))) {
      throw new AppError('bad-draft', 'A context still is not one of this incident’s stills.');
    }
    const before = this.#drafts.get(incidentId)?.subject ?? null;
    const next = structuredClone(draft);
    this.#drafts.set(incidentId, next);
    const changed = JSON.stringify(before) !== JSON.stringify(next.subject);
    if (changed && next.subject) {
      this.#audit.append({
        actor,
        action: 'reveal',
        subject: incidentId,
        details: { still: next.subject.stillId, face: next.subject.face },
      });
    }
    return structuredClone(next);
  }

  async faces(incidentId: string, stillId: string): Promise<StillFaces> {
    const still = this.#incidents.still(incidentId, stillId);
    const found = await this.#redactor.detect(still.original);
    return { width: found.width, height: found.height, faces: found.faces.map((f, index) => ({ index, box: f.box })) };
  }

  #keepFor(incidentId: string, stillId: string, draft: ReviewDraft): Box[] {
    if (!draft.subject || draft.subject.stillId !== stillId) return [];
    const face = this.#incidents.still(incidentId, stillId).faces[draft.subject.face];
    return face ? [face] : [];
  }

  #extraFor(stillId: string, draft: ReviewDraft): Box[] {
    return draft.extraBoxes.filter((b) => b.stillId === stillId).map((b) => b.box);
  }

  async rendering(incidentId: string, stillId: string): Promise<RedactedImage> {
    const still = this.#incidents.still(incidentId, stillId);
    const draft = await this.draft(incidentId);
    return this.#redactor.redact({
      image: still.original,
      keep: this.#keepFor(incidentId, stillId, draft),
      extra: this.#extraFor(stillId, draft),
    });
  }

  #outgoing(draft: ReviewDraft): OutgoingImage[] {
    const images: OutgoingImage[] = [];
    if (draft.subject) images.push({ index: 0, role: 'subject-crop', stillId: draft.subject.stillId });
    for (const s of draft.contextStills) images.push({ index: images.length, role: 'context', stillId: s });
    return images;
  }

  async preview(incidentId: string): Promise<OutgoingPreview> {
    const incident = await this.#incidents.get(incidentId);
    if (!incident) throw new AppError('not-found', 'There is no such incident.');
    const draft = await this.draft(incidentId);
    const missing: string[] = [];
    if (!draft.subject) missing.push('tap the face of the person this report is about');
    if (!draft.category) missing.push('choose what happened');
    const images = this.#outgoing(draft);
    return {
      ready: missing.length === 0,
      missing,
      fields: {
        'Incident id': incident.id,
        Site: this.#siteId,
        'What happened': draft.category,
        'When (UTC)': incident.triggerTime,
        Description: draft.description || null,
        Images: images.length,
        'Kept by the partnership': '12 months (24 after a second report)',
        'Signed by': 'this appliance’s device key',
      },
      images,
    };
  }

  async previewImage(incidentId: string, index: number): Promise<RedactedImage> {
    const draft = await this.draft(incidentId);
    const img = this.#outgoing(draft)[index];
    if (!img) throw new AppError('not-found', 'There is no such image in the preview.');
    const still = this.#incidents.still(incidentId, img.stillId);
    if (img.role === 'subject-crop') {
      return this.#redactor.redact({
        image: still.original,
        keep: this.#keepFor(incidentId, img.stillId, draft),
        extra: this.#extraFor(img.stillId, draft),
        cropSubject: true,
      });
    }
    return this.#redactor.redact({ image: still.original, extra: this.#extraFor(img.stillId, draft) });
  }

  async submit(incidentId: string, actor: string, options: { requireApproval: boolean }) {
    if ((await this.#status(incidentId)) !== 'in-review') {
      throw new AppError('conflict', 'This incident was already submitted.');
    }
    const p = await this.preview(incidentId);
    if (!p.ready) throw new AppError('not-ready', `Not ready to send: ${p.missing.join('; ')}.`);
    const draft = await this.draft(incidentId);
    if (options.requireApproval) {
      this.#incidents.setStatus(incidentId, 'awaiting-approval', null, draft.category);
      this.#audit.append({ actor, action: 'review', subject: incidentId, details: { submittedForApproval: true } });
      return { status: 'awaiting-approval' as const };
    }
    this.#send(incidentId, actor, draft);
    return { status: 'queued' as const };
  }

  #send(incidentId: string, actor: string, draft: ReviewDraft): void {
    this.#incidents.setStatus(incidentId, 'queued', null, draft.category);
    this.#audit.append({
      actor,
      action: 'send',
      subject: incidentId,
      details: { images: this.#outgoing(draft).length, category: draft.category },
    });
    this.queued++;
    const t1 = setTimeout(() => {
      this.#incidents.setStatus(incidentId, 'sent', null);
      const t2 = setTimeout(() => {
        this.queued = Math.max(0, this.queued - 1);
        this.#incidents.setStatus(incidentId, 'acked', null);
        this.#audit.append({ actor: 'hub', action: 'ack', subject: incidentId, details: { verified: true } });
        this.#timers.delete(t2);
      }, this.#deliveryMs);
      this.#timers.add(t2);
      this.#timers.delete(t1);
    }, this.#deliveryMs / 2);
    this.#timers.add(t1);
  }

  async pending(): Promise<IncidentSummary[]> {
    return this.#incidents.list({ status: ['awaiting-approval'] });
  }

  async approve(incidentId: string, actor: string) {
    if ((await this.#status(incidentId)) !== 'awaiting-approval') {
      throw new AppError('conflict', 'This incident is not waiting for approval.');
    }
    this.#audit.append({ actor, action: 'approve', subject: incidentId, details: {} });
    this.#send(incidentId, actor, await this.draft(incidentId));
    return { status: 'queued' as const };
  }

  async reject(incidentId: string, actor: string, reason: string) {
    if ((await this.#status(incidentId)) !== 'awaiting-approval') {
      throw new AppError('conflict', 'This incident is not waiting for approval.');
    }
    this.#incidents.setStatus(incidentId, 'rejected', reason);
    this.#audit.append({ actor, action: 'reject', subject: incidentId, details: { reason } });
    return { status: 'rejected' as const };
  }

  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

// The review step as a use-case: drafts (subject, extra blur boxes, category), redacted renderings through the
// Redactor port, the preview of exactly what leaves, submit (or four-eyes approval) and hand-over to the packet
// dispatcher. Originals come from the ReviewSource and go only to the Redactor. Audits reveal and approve; the
// status moves (submitted, rejected) carry their own rows, and the packet's queue and send rows are the outbox's.
import { AppError } from '../core/errors.js';
import { INCIDENT_CATEGORIES, type IncidentCategory, type IncidentStatus } from '../core/incident.js';
import type { ApprovalService } from '../core/ports/approval-service.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { IncidentEventSink } from '../core/ports/incident-events.js';
import type { IncidentDetail, IncidentSummary } from '../core/ports/incident-service.js';
import type { Redactor } from '../core/ports/redactor.js';
import type {
  DraftStore,
  OutgoingCheck,
  OutgoingImage,
  OutgoingPreview,
  PacketDispatcher,
  ReviewDraft,
  ReviewService,
  ReviewSource,
  StillFaces,
  StoredDraft,
} from '../core/ports/review-service.js';
import type { Box, RedactedImage } from '../core/redaction.js';

/** Outgoing renderings kept for the preview (a subject crop and a few context stills of one or two incidents). */
const RENDERED_KEPT = 6;

export const emptyDraft = (): ReviewDraft => ({
  subject: null,
  extraBoxes: [],
  category: null,
  contextStills: [],
  description: '',
});

export class MemoryDrafts implements DraftStore {
  readonly #drafts = new Map<string, StoredDraft>();
  get(incidentId: string): StoredDraft | undefined {
    return this.#drafts.get(incidentId);
  }
  set(incidentId: string, draft: StoredDraft): void {
    this.#drafts.set(incidentId, draft);
  }
}

export interface ReviewDeskDeps {
  source: ReviewSource;
  redactor: Redactor;
  dispatcher: PacketDispatcher;
  audit: AuditLog;
  siteId: string;
  drafts?: DraftStore;
  /** Where submitted, approved and rejected go (the app's bus). */
  events?: IncidentEventSink;
}

export class ReviewDesk implements ReviewService, ApprovalService {
  readonly #d: ReviewDeskDeps;
  readonly #drafts: DraftStore;
  /** Detection is the slow part; a still's faces (and so the face indexes a draft refers to) are fixed once found. */
  readonly #faces = new Map<string, Promise<StillFaces>>();
  /**
   * The last few outgoing renderings, by incident, image and exact draft: the preview's image and its certificate
   * come from one rendering, not two (each is a redaction with its verification pass). A changed draft is a new key.
   */
  readonly #rendered = new Map<string, Promise<RedactedImage>>();

  constructor(deps: ReviewDeskDeps) {
    this.#d = deps;
    this.#drafts = deps.drafts ?? new MemoryDrafts();
  }

  async draft(incidentId: string): Promise<ReviewDraft> {
    const stored: StoredDraft = this.#drafts.get(incidentId) ?? emptyDraft();
    const { subjectChosenBy: _chooser, ...draft } = stored;
    return structuredClone(draft);
  }

  async #incident(id: string): Promise<IncidentDetail> {
    const i = await this.#d.source.incident(id);
    if (!i) throw new AppError('not-found', 'There is no such incident.');
    return i;
  }

  #still(incident: IncidentDetail, stillId: string) {
    const s = incident.stills.find((x) => x.id === stillId);
    if (!s) throw new AppError('not-found', 'There is no such still for this incident.');
    return s;
  }

  async faces(incidentId: string, stillId: string): Promise<StillFaces> {
    this.#still(await this.#incident(incidentId), stillId);
    const check = await this.#d.source.check(incidentId, stillId);
    if (check)
      return {
        width: check.width,
        height: check.height,
        faces: check.faces.map((f, index) => ({ index, box: f.box })),
      };
    // Only a still checked before face checks were stored (or a stand-in source without them) is detected here.
    const key = `${incidentId}/${stillId}`;
    let found = this.#faces.get(key);
    if (!found) {
      found = this.#d.source
        .original(incidentId, stillId)
        .then((img) => this.#d.redactor.detect(img))
        .then((r) => ({ width: r.width, height: r.height, faces: r.faces.map((f, index) => ({ index, box: f.box })) }));
      this.#faces.set(key, found);
      found.catch(() => this.#faces.delete(key));
    }
    return found;
  }

  /**
   * The still redacted with `keep` visible and `extra` blurred, from the stored face check: with nothing to keep or
   * add it is the kept rendering (made once), otherwise only the pixel step runs (no detection).
   */
  async #redact(
    incidentId: string,
    stillId: string,
    r: { keep?: Box[]; extra: Box[]; cropSubject?: boolean },
  ): Promise<RedactedImage> {
    const check = await this.#d.source.check(incidentId, stillId);
    if (check && !r.keep?.length && r.extra.length === 0 && !r.cropSubject) {
      if (check.redacted) return check.redacted;
      // The first plain view makes the rendering from the stored faces, once, and keeps it.
      const made = await this.#d.redactor.redact({
        image: await this.#d.source.original(incidentId, stillId),
        faces: check.faces,
      });
      await this.#d.source.keepRendering(incidentId, stillId, made);
      return made;
    }
    return this.#d.redactor.redact({
      image: await this.#d.source.original(incidentId, stillId),
      ...(r.keep ? { keep: r.keep } : {}),
      extra: r.extra,
      ...(r.cropSubject ? { cropSubject: true } : {}),
      ...(check ? { faces: check.faces } : {}),
    });
  }

  async saveDraft(incidentId: string, draft: ReviewDraft, actor: string): Promise<ReviewDraft> {
    const incident = await this.#incident(incidentId);
    if (incident.status !== 'in-review') {
      throw new AppError('conflict', 'This incident is not in review any more, so it cannot be changed.');
    }
    const ids = new Set(incident.stills.map((s) => s.id));
    if (draft.subject) {
      if (!ids.has(draft.subject.stillId)) throw new AppError('bad-draft', 'That face is not on that still.');
      const { faces } = await this.faces(incidentId, draft.subject.stillId);
      if (!faces[draft.subject.face]) throw new AppError('bad-draft', 'That face is not on that still.');
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
    if (draft.confirmedStills?.some((s) => !ids.has(s))) {
      throw new AppError('bad-draft', 'A confirmed still is not one of this incident’s stills.');
    }
    if (draft.description.length > 280)
      throw new AppError('bad-draft', 'The description is longer than 280 characters.');
    const stored = this.#drafts.get(incidentId);
    const before = stored?.subject ?? null;
    const changed = JSON.stringify(before) !== JSON.stringify(draft.subject ?? null);
    const next: StoredDraft = {
      ...structuredClone(draft),
      subjectChosenBy: draft.subject ? (changed ? actor : (stored?.subjectChosenBy ?? actor)) : null,
    };
    this.#drafts.set(incidentId, next, actor);
    const confirmedBefore = new Set(stored?.confirmedStills ?? []);
    for (const still of next.confirmedStills ?? []) {
      if (confirmedBefore.has(still)) continue;
      this.#d.audit.append({
        actor,
        action: 'confirm-still',
        subject: incidentId,
        details: {
          still,
          ...(this.#d.redactor.degraded ? { detector: `${this.#d.redactor.degraded.configured} not running` } : {}),
        },
      });
    }
    if (next.subject && changed) {
      this.#d.audit.append({
        actor,
        action: 'reveal',
        subject: incidentId,
        details: { still: next.subject.stillId, face: next.subject.face },
      });
    }
    return this.draft(incidentId);
  }

  async #keep(incidentId: string, stillId: string, draft: ReviewDraft): Promise<Box[]> {
    if (!draft.subject || draft.subject.stillId !== stillId) return [];
    const face = (await this.faces(incidentId, stillId)).faces[draft.subject.face];
    return face ? [face.box] : [];
  }

  #extra(stillId: string, draft: ReviewDraft): Box[] {
    return draft.extraBoxes.filter((b) => b.stillId === stillId).map((b) => b.box);
  }

  async rendering(incidentId: string, stillId: string, viewer: string): Promise<RedactedImage> {
    this.#still(await this.#incident(incidentId), stillId);
    const draft = await this.draft(incidentId);
    const revealTo = this.#drafts.get(incidentId)?.subjectChosenBy ?? null;
    return this.#redact(incidentId, stillId, {
      keep: viewer === revealTo ? await this.#keep(incidentId, stillId, draft) : [],
      extra: this.#extra(stillId, draft),
    });
  }

  #outgoing(draft: ReviewDraft): OutgoingImage[] {
    const images: OutgoingImage[] = [];
    if (draft.subject) images.push({ index: 0, role: 'subject-crop', stillId: draft.subject.stillId });
    for (const s of draft.contextStills) images.push({ index: images.length, role: 'context', stillId: s });
    return images;
  }

  async preview(incidentId: string): Promise<OutgoingPreview> {
    const incident = await this.#incident(incidentId);
    const draft = await this.draft(incidentId);
    const missing: string[] = [];
    if (!draft.subject) missing.push('tap the face of the person this report is about');
    if (!draft.category) missing.push('choose what happened');
    // A weaker detector than the configured one may have left a bystander's face: a context still (whole frame,
    // bystanders in it) leaves only after a person has looked at it. The subject crop is small and reviewed anyway.
    const degraded = this.#d.redactor.degraded;
    if (degraded) {
      const confirmed = new Set(draft.confirmedStills ?? []);
      const unconfirmed = draft.contextStills.filter((s) => !confirmed.has(s));
      if (unconfirmed.length > 0) {
        const n = unconfirmed.map((s) => incident.stills.findIndex((x) => x.id === s) + 1).sort((a, b) => a - b);
        missing.push(
          `confirm that ${n.length === 1 ? `still ${n[0]} shows` : `stills ${n.join(', ')} show`} no face left unhidden (a weaker face detector is running: ${degraded.configured} is not installed), or do not send ${n.length === 1 ? 'it' : 'them'}`,
        );
      }
    }
    const images = this.#outgoing(draft);
    return {
      ready: missing.length === 0,
      missing,
      fields: {
        'Incident id': incident.id,
        Site: this.#d.siteId,
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

  async #render(incidentId: string, img: OutgoingImage, draft: ReviewDraft): Promise<RedactedImage> {
    if (img.role === 'subject-crop') {
      return this.#redact(incidentId, img.stillId, {
        keep: await this.#keep(incidentId, img.stillId, draft),
        extra: this.#extra(img.stillId, draft),
        cropSubject: true,
      });
    }
    return this.#redact(incidentId, img.stillId, { extra: this.#extra(img.stillId, draft) });
  }

  /** One outgoing rendering, made once per incident, image and draft (a few kept; none after a failure). */
  #renderOnce(incidentId: string, img: OutgoingImage, draft: ReviewDraft): Promise<RedactedImage> {
    const key = JSON.stringify([incidentId, img, draft]);
    let made = this.#rendered.get(key);
    if (!made) {
      made = this.#render(incidentId, img, draft);
      if (this.#rendered.size >= RENDERED_KEPT) this.#rendered.delete(this.#rendered.keys().next().value as string);
      this.#rendered.set(key, made);
      made.catch(() => this.#rendered.delete(key));
    }
    return made;
  }

  async previewChecks(incidentId: string): Promise<OutgoingCheck[]> {
    await this.#incident(incidentId);
    const draft = await this.draft(incidentId);
    const checks: OutgoingCheck[] = [];
    for (const img of this.#outgoing(draft)) {
      const v = (await this.#renderOnce(incidentId, img, draft)).report.verification;
      checks.push({
        ...img,
        certificate: v ? { passes: v.passes, facesFoundAfterRedaction: v.facesFoundAfterRedaction } : null,
      });
    }
    return checks;
  }

  async previewImage(
    incidentId: string,
    index: number,
    viewer?: { name: string; role: string },
  ): Promise<RedactedImage> {
    const incident = await this.#incident(incidentId);
    const draft = await this.draft(incidentId);
    const img = this.#outgoing(draft)[index];
    if (!img) throw new AppError('not-found', 'There is no such image in the preview.');
    if (img.role === 'subject-crop' && viewer) {
      const chooser = this.#drafts.get(incidentId)?.subjectChosenBy ?? null;
      const approving = viewer.role === 'manager' && incident.status === 'awaiting-approval';
      if (viewer.name !== chooser && !approving)
        throw new AppError(
          'forbidden',
          'Only the person who chose the subject, or the manager approving the send, can see the subject crop.',
        );
    }
    return this.#renderOnce(incidentId, img, draft);
  }

  async submit(
    incidentId: string,
    actor: string,
    options: { requireApproval: boolean },
  ): Promise<{ status: IncidentStatus }> {
    const incident = await this.#incident(incidentId);
    if (incident.status !== 'in-review') throw new AppError('conflict', 'This incident was already submitted.');
    const p = await this.preview(incidentId);
    if (!p.ready) throw new AppError('not-ready', `Not ready to send: ${p.missing.join('; ')}.`);
    const draft = await this.draft(incidentId);
    if (options.requireApproval) {
      await this.#d.source.setCategory(incidentId, draft.category);
      await this.#d.source.transition(incidentId, 'in-review', 'awaiting-approval', {
        actor,
        details: { submittedForApproval: true },
      });
      this.#d.events?.emit('submitted', { incidentId });
      return { status: 'awaiting-approval' };
    }
    await this.#send(incident, actor, draft);
    return { status: 'queued' };
  }

  async #send(incident: IncidentDetail, actor: string, draft: ReviewDraft): Promise<void> {
    // Sent from fresh renderings; the preview's are not needed any more.
    const mine = JSON.stringify([incident.id]).slice(0, -1);
    for (const key of this.#rendered.keys()) if (key.startsWith(mine)) this.#rendered.delete(key);
    const outgoing = this.#outgoing(draft);
    const images = [];
    for (const img of outgoing) images.push({ role: img.role, image: await this.#render(incident.id, img, draft) });
    // The category is recorded before the packet is queued: a crash between the two must not leave a sent
    // incident without the category its packet carries. Queuing moves the incident on (the outbox's transition).
    await this.#d.source.setCategory(incident.id, draft.category);
    await this.#d.dispatcher.dispatch(
      {
        incidentId: incident.id,
        category: draft.category as IncidentCategory,
        description: draft.description,
        triggerTime: incident.triggerTime,
        images,
      },
      actor,
    );
  }

  async pending(): Promise<IncidentSummary[]> {
    return this.#d.source.list({ status: ['awaiting-approval'] });
  }

  async approve(incidentId: string, actor: string): Promise<{ status: IncidentStatus }> {
    const incident = await this.#incident(incidentId);
    if (incident.status !== 'awaiting-approval') {
      throw new AppError('conflict', 'This incident is not waiting for approval.');
    }
    this.#d.audit.append({ actor, action: 'approve', subject: incidentId, details: {} });
    this.#d.events?.emit('approved', { incidentId, by: actor });
    await this.#send(incident, actor, await this.draft(incidentId));
    return { status: 'queued' };
  }

  async reject(incidentId: string, actor: string, reason: string): Promise<{ status: IncidentStatus }> {
    const incident = await this.#incident(incidentId);
    if (incident.status !== 'awaiting-approval') {
      throw new AppError('conflict', 'This incident is not waiting for approval.');
    }
    await this.#d.source.transition(
      incidentId,
      'awaiting-approval',
      'rejected',
      { actor, details: { reason } },
      reason,
    );
    this.#d.events?.emit('rejected', { incidentId, by: 'manager', reason });
    return { status: 'rejected' };
  }
}

// Port: the review step. Staff see only redacted renderings; choosing a face as the subject is the only way it is
// revealed, and only to the reviewer. The preview is exactly what will leave the shop. Implementations audit
// 'reveal' (subject chosen) themselves; 'review' and 'reject' are the rows of those status moves, and 'send' is
// written once, by the outbox when the packet is first published.
import type { IncidentCategory, IncidentStatus } from '../incident.js';
import type { Box, RedactedImage } from '../redaction.js';
import type { IncidentDetail, IncidentFilter, IncidentSummary } from './incident-service.js';
import type { TransitionAudit } from './incidents.js';
import type { StillCheck } from './still-checks.js';

export interface SubjectChoice {
  stillId: string;
  /** Index into faces(stillId).faces. */
  face: number;
}

export interface ExtraBox {
  stillId: string;
  /** Pixels of the still. */
  box: Box;
}

export interface ReviewDraft {
  subject: SubjectChoice | null;
  extraBoxes: ExtraBox[];
  category: IncidentCategory | null;
  /** Stills sent as context (all faces blurred) besides the subject crop. */
  contextStills: string[];
  /**
   * Stills a reviewer has looked at and confirmed show no face left unhidden. Needed for every context still while
   * a weaker detector stands in for the configured one (Redactor.degraded); otherwise unused.
   */
  confirmedStills?: string[];
  /** Short description; capped, since no free text beyond it leaves the shop. */
  description: string;
}

export interface FaceChoice {
  index: number;
  box: Box;
}

export interface StillFaces {
  width: number;
  height: number;
  faces: FaceChoice[];
}

export interface OutgoingImage {
  index: number;
  role: 'subject-crop' | 'context';
  stillId: string;
}

/** One outgoing image's redaction certificate, as its rendering carries it (no pixels, no boxes). */
export interface OutgoingCheck extends OutgoingImage {
  /** Searched again for faces after redaction; null when a stand-in detector (BlazeFace) made it uncertified. */
  certificate: { passes: number; facesFoundAfterRedaction: number } | null;
}

/** What will leave the shop if the reviewer confirms: the packet's fields and its images. */
export interface OutgoingPreview {
  ready: boolean;
  /** Why it cannot be sent yet (no subject, no category), in plain English. */
  missing: string[];
  fields: Record<string, string | number | boolean | null>;
  images: OutgoingImage[];
}

export interface ReviewService {
  draft(incidentId: string): Promise<ReviewDraft>;
  /** Validates and stores the draft; choosing a new subject is audited as 'reveal'. */
  saveDraft(incidentId: string, draft: ReviewDraft, actor: string): Promise<ReviewDraft>;
  /** Face boxes found on a still (no pixels), for the "tap a face" step. */
  faces(incidentId: string, stillId: string): Promise<StillFaces>;
  /**
   * The still redacted with the draft applied: every face blurred and extra boxes blurred; the chosen subject is
   * left visible only when `viewer` is the person who chose it (others see the subject hidden too).
   */
  rendering(incidentId: string, stillId: string, viewer: string): Promise<RedactedImage>;
  preview(incidentId: string): Promise<OutgoingPreview>;
  /**
   * One outgoing image. With a viewer, the subject crop (the revealed face) is shown only to whoever chose the subject
   * and to a manager while the send awaits their approval; anyone else is refused (AppError 'forbidden').
   */
  previewImage(incidentId: string, index: number, viewer?: { name: string; role: string }): Promise<RedactedImage>;
  /** Each outgoing image's certificate, from the same renderings the preview images are (made once per draft). */
  previewChecks(incidentId: string): Promise<OutgoingCheck[]>;
  /** Sends (queues the packet), or with requireApproval puts it in front of a manager. */
  submit(incidentId: string, actor: string, options: { requireApproval: boolean }): Promise<{ status: IncidentStatus }>;
}

/** What the review desk needs from the incidents repository. Originals stay inside the process. */
export interface ReviewSource {
  incident(id: string): Promise<IncidentDetail | undefined>;
  list(filter: IncidentFilter): Promise<IncidentSummary[]>;
  /** The decrypted original of one still; only ever passed to the Redactor. */
  original(incidentId: string, stillId: string): Promise<Buffer>;
  /** The face check made when capture finished (faces, and the rendering once made); undefined if never made. */
  check(incidentId: string, stillId: string): Promise<StillCheck | undefined>;
  /** Keeps the rendering with every face redacted, made once from the stored faces. */
  keepRendering(incidentId: string, stillId: string, redacted: RedactedImage): Promise<void>;
  /** The repository's transition (the lifecycle table decides; the audit row goes with it). */
  transition(
    id: string,
    from: IncidentStatus,
    to: IncidentStatus,
    audit: TransitionAudit,
    reason?: string | null,
  ): Promise<void>;
  setCategory(id: string, category: string | null): Promise<void>;
}

/** Everything that leaves the shop for one incident, already redacted. */
export interface OutgoingPacket {
  incidentId: string;
  category: IncidentCategory;
  description: string;
  triggerTime: string;
  images: { role: OutgoingImage['role']; image: RedactedImage }[];
}

/** Builds, signs and queues the packet (the packets/outbox module implements it). Throws if it cannot. */
export interface PacketDispatcher {
  dispatch(packet: OutgoingPacket, actor: string): Promise<void>;
}

/** Where review drafts are kept between requests. */
export interface DraftStore {
  get(incidentId: string): StoredDraft | undefined;
  set(incidentId: string, draft: StoredDraft, actor: string): void;
}

/** A draft as kept: with who chose the subject, the only person its renderings reveal it to. */
export interface StoredDraft extends ReviewDraft {
  subjectChosenBy?: string | null;
}

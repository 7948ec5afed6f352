// The review desk's hand-over to publishing: the reviewed, redacted images become a queued packet (signed, in the
// outbox). Without a hub key nothing can be queued, and staff are told so.
import { AppError } from '../../core/errors.js';
import type { PacketEvidenceMaster, PacketRecorderClock } from '../../core/packet/manifest.js';
import type { ClipForPacket } from '../../core/ports/clips.js';
import type { OutgoingPacket, PacketDispatcher } from '../../core/ports/review-service.js';
import type { QueuePacketRequest } from './queue-packet.js';

/** What other features add to an incident's packet; each is optional (the feature may not run). */
export interface PacketSources {
  /** The recorder's clock offset measured at the incident's capture, which the packet carries. */
  recorderClock?: (incidentId: string) => PacketRecorderClock | undefined;
  /** The incident's sealed police master (hash and window), which the packet names but never carries. */
  evidenceMaster?: (incidentId: string) => PacketEvidenceMaster | undefined;
  /**
   * Resolves once the incident's master is sealed or given up, or a bound has passed (docs/evidence.md): a packet
   * sent in the first seconds after the trigger still names the master the police will get.
   */
  masterSettled?: (incidentId: string) => Promise<void>;
  /** The incident's redacted clip (the clips feature), which travels when the packet with it fits. */
  clip?: (incidentId: string) => ClipForPacket | undefined;
}

export class OutboxDispatcher implements PacketDispatcher {
  readonly #queue: ((req: QueuePacketRequest) => Promise<unknown>) | undefined;
  readonly #sources: PacketSources;

  /** `queue` is the publish module's (undefined when publishing is not set up). */
  constructor(queue: ((req: QueuePacketRequest) => Promise<unknown>) | undefined, sources: PacketSources = {}) {
    this.#queue = queue;
    this.#sources = sources;
  }

  async dispatch(p: OutgoingPacket, actor: string): Promise<void> {
    if (!this.#queue) throw new AppError('not-configured', 'Sending is not set up on this appliance (no hub key).');
    const s = this.#sources;
    const recorderClock = s.recorderClock?.(p.incidentId);
    await s.masterSettled?.(p.incidentId);
    const evidenceMaster = s.evidenceMaster?.(p.incidentId);
    const clip = s.clip?.(p.incidentId);
    await this.#queue({
      incidentId: p.incidentId,
      incidentTime: new Date(p.triggerTime),
      category: p.category,
      ...(p.description ? { description: p.description } : {}),
      images: p.images.map((i) => ({ image: i.image, role: i.role === 'subject-crop' ? 'subject' : 'context' })),
      ...(recorderClock ? { recorderClock } : {}),
      ...(evidenceMaster ? { evidenceMaster } : {}),
      ...(clip ? { clip } : {}),
      actor,
    });
  }
}

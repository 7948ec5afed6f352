// The demo's side of the review desk: DevIncidents as the ReviewSource, and a dispatcher that walks a packet
// through sent → acked on a timer (where the real packet/outbox/hub chain takes over).
import type { OutgoingPacket, PacketDispatcher, ReviewSource } from '../../../src/core/ports/review-service.js';
import type { DevIncidents } from './dev-incidents.js';

export function devReviewSource(incidents: DevIncidents): ReviewSource {
  return {
    incident: (id) => incidents.get(id),
    list: (filter) => incidents.list(filter),
    original: async (incidentId, stillId) => incidents.still(incidentId, stillId).original,
    // The demo's stills have no stored face check; review detects them itself.
    check: async () => undefined,
    keepRendering: async () => {},
    transition: async (id, from, to, audit, reason) => incidents.transition(id, from, to, audit, reason ?? null),
    setCategory: async (id, category) => incidents.setCategory(id, category),
  };
}

export class DevDispatcher implements PacketDispatcher {
  readonly #incidents: DevIncidents;
  readonly #deliveryMs: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Outbox depth as the status strip shows it. */
  queued = 0;
  readonly sent: OutgoingPacket[] = [];

  constructor(deps: { incidents: DevIncidents; deliveryMs?: number }) {
    this.#incidents = deps.incidents;
    this.#deliveryMs = deps.deliveryMs ?? 800;
  }

  async dispatch(packet: OutgoingPacket, actor: string): Promise<void> {
    this.sent.push(packet);
    // As the real outbox: the incident is queued with its packet-queue row.
    const current = await this.#incidents.get(packet.incidentId);
    if (current)
      this.#incidents.transition(packet.incidentId, current.status, 'queued', {
        actor,
        details: { images: packet.images.length, category: packet.category },
      });
    this.queued++;
    const id = packet.incidentId;
    this.#after(this.#deliveryMs / 2, () => {
      // The first publish is the disclosure, audited once by its queued → sent move (as the real outbox does).
      this.#incidents.transition(id, 'queued', 'sent', { actor: 'system', details: { images: packet.images.length } });
      this.#after(this.#deliveryMs, () => {
        this.queued = Math.max(0, this.queued - 1);
        this.#incidents.transition(id, 'sent', 'acked', { actor: 'hub', details: { verified: true } });
      });
    });
  }

  #after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

// The demo's side of the review desk: DevIncidents as the ReviewSource, and a dispatcher that walks a packet
// through sent → acked on a timer (where the real packet/outbox/hub chain takes over).
import type { AuditLog } from '../../../src/core/ports/audit-log.js';
import type { OutgoingPacket, PacketDispatcher, ReviewSource } from '../../../src/core/ports/review-service.js';
import type { DevIncidents } from './dev-incidents.js';

export function devReviewSource(incidents: DevIncidents): ReviewSource {
  return {
    incident: (id) => incidents.get(id),
    list: (filter) => incidents.list(filter),
    original: async (incidentId, stillId) => incidents.still(incidentId, stillId).original,
    setStatus: async (id, status, reason, category) => incidents.setStatus(id, status, reason, category),
  };
}

export class DevDispatcher implements PacketDispatcher {
  readonly #incidents: DevIncidents;
  readonly #audit: AuditLog;
  readonly #deliveryMs: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Outbox depth as the status strip shows it. */
  queued = 0;
  readonly sent: OutgoingPacket[] = [];

  constructor(deps: { incidents: DevIncidents; audit: AuditLog; deliveryMs?: number }) {
    this.#incidents = deps.incidents;
    this.#audit = deps.audit;
    this.#deliveryMs = deps.deliveryMs ?? 800;
  }

  async dispatch(packet: OutgoingPacket): Promise<void> {
    this.sent.push(packet);
    this.queued++;
    const id = packet.incidentId;
    this.#after(this.#deliveryMs / 2, () => {
      this.#incidents.setStatus(id, 'sent', null);
      this.#after(this.#deliveryMs, () => {
        this.queued = Math.max(0, this.queued - 1);
        this.#incidents.setStatus(id, 'acked', null);
        this.#audit.append({ actor: 'hub', action: 'ack', subject: id, details: { verified: true } });
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

// The hub's acknowledgements: listens on <prefix>/<site>/ack/+, verifies each signed ack with the hub's keys and
// closes its outbox row through the outbox (which moves the incident with the lifecycle's one writer, in the same
// transaction as the row and the audit entry), then raises the typed event. The publisher only publishes; a bad
// ack (signature, unknown id, other site) is ignored and logged, and leaves the row open for the next resend.

import { isAck } from '../../core/packet/ack.js';
import type { Broker, BrokerMessage } from '../../core/ports/broker.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IncidentEventSink } from '../../core/ports/incident-events.js';
import type { Module } from '../../core/ports/module.js';
import type { Outbox } from '../../core/ports/outbox.js';

export interface AckEvent {
  type: 'acked' | 'failed' | 'ack-ignored';
  id: string;
  reason?: string;
}

export interface AckHandlerOptions {
  broker: Broker;
  outbox: Pick<Outbox, 'get' | 'markAcked' | 'markFailed'>;
  clock: Clock;
  siteId: string;
  topicPrefix: string;
  /** Verifies a signed ack with the hub's keys; the JSON inside, or undefined when no key verifies it. */
  verifyAck: (bytes: Buffer) => Promise<unknown>;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Where an incident's acked and (hub) rejected go: the app's bus. */
  events?: IncidentEventSink;
  /** Called after each ack handled or ignored (for tests, metrics and the bench). */
  onEvent?: (event: AckEvent) => void;
}

export function ackTopicFilter(prefix: string, siteId: string): string {
  return `${prefix}/${siteId}/ack/+`;
}

export class AckHandler implements Module {
  readonly name = 'acks';
  readonly #o: AckHandlerOptions;
  #subscribed = false;
  #running = false;

  constructor(options: AckHandlerOptions) {
    this.#o = options;
  }

  /** Subscribes now if the broker is up, else on its first connection (the broker session keeps it after that). */
  async start(): Promise<void> {
    this.#running = true;
    this.#o.broker.onConnectionChange((up) => {
      if (up && this.#running) void this.#subscribe();
    });
    if (this.#o.broker.connected) await this.#subscribe();
  }

  async stop(): Promise<void> {
    this.#running = false;
  }

  async #subscribe(): Promise<void> {
    if (this.#subscribed) return;
    try {
      this.#subscribed = true;
      await this.#o.broker.subscribe(ackTopicFilter(this.#o.topicPrefix, this.#o.siteId), (m) => void this.handle(m));
    } catch (e) {
      this.#subscribed = false;
      this.#o.log.warn({ err: (e as Error).message }, 'could not subscribe to acks');
    }
  }

  #ignore(id: string, reason: string): void {
    this.#o.log.warn({ packetId: id, reason }, 'ignored an ack');
    this.#o.onEvent?.({ type: 'ack-ignored', id, reason });
  }

  /** Handles one message on <prefix>/<site>/ack/<id>. Exposed for tests. */
  async handle(message: BrokerMessage): Promise<void> {
    const { outbox, siteId, topicPrefix, clock } = this.#o;
    const id = message.topic.split('/').at(-1) ?? '';
    if (message.topic !== `${topicPrefix}/${siteId}/ack/${id}`) return this.#ignore(id, 'not this site');
    const ack = await this.#o.verifyAck(message.payload).catch(() => undefined);
    if (ack === undefined) return this.#ignore(id, 'bad signature');
    if (!isAck(ack)) return this.#ignore(id, 'not an ack document');
    if (ack.siteId !== siteId) return this.#ignore(id, `ack for another site (${ack.siteId})`);
    if (ack.packetId !== id) return this.#ignore(id, 'ack id does not match its topic');
    const row = outbox.get(id);
    if (row?.kind !== 'incident') return this.#ignore(id, 'unknown packet id');
    if (row.state === 'acked' || row.state === 'failed') return;
    const subject = row.incidentId ?? id;
    if (ack.status === 'rejected') {
      const reason = `the hub refused the packet: ${ack.reason ?? 'no reason given'}`;
      if (
        outbox.markFailed(id, reason, {
          actor: 'hub',
          action: 'packet-failed',
          subject,
          details: { packetId: id, reason: ack.reason ?? null },
        })
      ) {
        this.#o.onEvent?.({ type: 'failed', id, reason });
        if (row.incidentId) this.#o.events?.emit('rejected', { incidentId: row.incidentId, by: 'hub', reason });
      }
      return;
    }
    if (
      outbox.markAcked(id, clock.now(), {
        actor: 'hub',
        action: 'ack',
        subject,
        details: { packetId: id, status: ack.status, at: ack.at },
      })
    ) {
      this.#o.log.info({ packetId: id, status: ack.status }, 'hub acknowledged the packet');
      this.#o.onEvent?.({ type: 'acked', id });
      if (row.incidentId) this.#o.events?.emit('acked', { incidentId: row.incidentId, packetId: id });
    }
  }
}

// Drains the outbox to the broker: publish QoS 1, mark sent on PUBACK, resend with capped backoff until the hub's
// signed ack closes the row (that is the ack handler's job: ack-handler.ts). Keeps a retained status (online/offline
// via the last will, queue depth, versions) and publishes signed audit checkpoints.

import { CHECKPOINT_SCHEMA, type CheckpointDoc } from '../../core/packet/checkpoint.js';
import { PACKET_SCHEMA_VERSION } from '../../core/packet/manifest.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Broker, BrokerMessage } from '../../core/ports/broker.js';
import type { CheckpointStore } from '../../core/ports/checkpoint-store.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IncidentEventSink } from '../../core/ports/incident-events.js';
import type { Outbox } from '../../core/ports/outbox.js';
import { checkpointPrev } from '../audit/checkpoints.js';

export interface PublisherLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PublisherEvent {
  type: 'publish' | 'sent' | 'resent' | 'retry';
  id: string;
  reason?: string;
}

export interface PublisherOptions {
  broker: Broker;
  outbox: Outbox;
  clock: Clock;
  siteId: string;
  topicPrefix: string;
  log: PublisherLog;
  /** Where an incident's sent goes: the app's bus. */
  events?: IncidentEventSink;
  audit?: AuditLog;
  /** Signs an audit checkpoint document with the device key. */
  signCheckpoint?: (doc: object) => Promise<Buffer>;
  /** Where each checkpoint sent is recorded (so the compliance report can list what the hub was given). */
  checkpoints?: Pick<CheckpointStore, 'last' | 'record'>;
  /** The kid the checkpoints are signed with (the device id). */
  checkpointKeyId?: string;
  versions?: Record<string, string>;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long to wait for the hub's ack before publishing again. */
  ackTimeoutMs?: number;
  /** Rows published per tick and the tick interval (paces the shop's uplink). */
  batch?: number;
  intervalMs?: number;
  checkpointIntervalMs?: number;
  /** Called after each publish and its outcome (for tests, metrics and the bench). */
  onEvent?: (event: PublisherEvent) => void;
}

export function statusTopic(prefix: string, siteId: string): string {
  return `${prefix}/${siteId}/status`;
}

export function statusPayload(
  state: 'online' | 'offline',
  queueDepth: number | null,
  versions: Record<string, string>,
  at: Date,
): Buffer {
  return Buffer.from(JSON.stringify({ state, queueDepth, versions, at: at.toISOString() }));
}

/**
 * The last will's message expiry. The broker publishes the will when it loses the device and counts the expiry
 * down from then, also while it holds it retained, so expiry left = WILL_EXPIRY_SECONDS − seconds since offline.
 * Ten years: the will never expires in practice.
 */
export const WILL_EXPIRY_SECONDS = 10 * 365 * 86_400;

/**
 * The last-will status. Its payload is fixed when the device connects, so it cannot say when the device went
 * offline: `at` is null, `onlineSince` is when the will was set, and the time the broker published it is read
 * from the message expiry (willPublishedAt).
 */
export function lastWillPayload(versions: Record<string, string>, onlineSince: Date): Buffer {
  return Buffer.from(
    JSON.stringify({
      state: 'offline',
      queueDepth: null,
      versions,
      at: null,
      onlineSince: onlineSince.toISOString(),
      lastWill: { expirySeconds: WILL_EXPIRY_SECONDS },
    }),
  );
}

/**
 * When the broker published a last will, from the expiry it had left on delivery: the moment the broker decided the
 * device was gone (keep-alive missed or the connection dropped), to the second. Undefined for other messages.
 */
export function willPublishedAt(m: BrokerMessage, receivedAt: Date): Date | undefined {
  if (m.expiryRemainingSeconds === undefined) return undefined;
  let body: { lastWill?: { expirySeconds?: number } };
  try {
    body = JSON.parse(m.payload.toString('utf8')) as typeof body;
  } catch {
    return undefined;
  }
  const total = body.lastWill?.expirySeconds;
  if (typeof total !== 'number' || m.expiryRemainingSeconds > total) return undefined;
  return new Date(receivedAt.getTime() - (total - m.expiryRemainingSeconds) * 1000);
}

/** Capped exponential backoff: base·2^(attempt-1), at most cap. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

export class Publisher {
  readonly name = 'publisher';
  readonly #o: Required<
    Pick<PublisherOptions, 'baseBackoffMs' | 'maxBackoffMs' | 'ackTimeoutMs' | 'batch' | 'intervalMs' | 'versions'>
  > &
    PublisherOptions;
  #timer: NodeJS.Timeout | undefined;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #running = false;
  #stopping = false;
  #ticking: Promise<void> | undefined;
  #checkpointed = false;
  #lastDepth = -1;

  constructor(options: PublisherOptions) {
    this.#o = {
      baseBackoffMs: 2000,
      maxBackoffMs: 5 * 60_000,
      ackTimeoutMs: 60_000,
      batch: 20,
      intervalMs: 500,
      versions: { app: 'unknown', packet: PACKET_SCHEMA_VERSION },
      ...options,
    };
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#o.broker.onConnectionChange((up) => {
      if (up) void this.#onConnected();
    });
    if (this.#o.broker.connected) await this.#onConnected();
    this.#schedule();
    if (this.#o.signCheckpoint && this.#o.audit && this.#o.checkpointIntervalMs)
      this.#checkpointTimer = setInterval(
        () => void this.publishCheckpoint().catch(() => undefined),
        this.#o.checkpointIntervalMs,
      );
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    clearTimeout(this.#timer);
    clearInterval(this.#checkpointTimer);
    await this.#ticking;
    if (this.#o.broker.connected)
      await this.#o.broker
        .publish(statusTopic(this.#o.topicPrefix, this.#o.siteId), this.#status('offline'), { retain: true })
        .catch(() => undefined);
  }

  #status(state: 'online' | 'offline'): Buffer {
    return statusPayload(state, this.#o.outbox.depth(), this.#o.versions, this.#o.clock.now());
  }

  async #onConnected(): Promise<void> {
    try {
      await this.#publishStatus(true);
      // One checkpoint as soon as the hub can hear us, then on the interval.
      if (!this.#checkpointed && this.#o.checkpointIntervalMs) {
        this.#checkpointed = true;
        await this.publishCheckpoint();
      }
    } catch (e) {
      this.#o.log.warn({ err: (e as Error).message }, 'could not publish status');
    }
  }

  async #publishStatus(force = false): Promise<void> {
    const depth = this.#o.outbox.depth();
    if (!force && depth === this.#lastDepth) return;
    this.#lastDepth = depth;
    await this.#o.broker.publish(statusTopic(this.#o.topicPrefix, this.#o.siteId), this.#status('online'), {
      retain: true,
    });
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#ticking = this.tick().finally(() => {
        this.#ticking = undefined;
        this.#schedule();
      });
    }, this.#o.intervalMs);
  }

  /** One pass: publishes what is due (when connected). Exposed for tests. */
  async tick(): Promise<void> {
    const { broker, outbox, clock } = this.#o;
    if (!broker.connected) return;
    for (const row of outbox.due(clock.now(), this.#o.batch)) {
      if (this.#stopping) break;
      try {
        this.#o.onEvent?.({ type: 'publish', id: row.id });
        await broker.publish(row.topic, row.payload, { qos: 1 });
        const now = clock.now();
        const wait = backoffMs(
          row.attempts + 1,
          this.#o.ackTimeoutMs,
          Math.max(this.#o.maxBackoffMs, this.#o.ackTimeoutMs),
        );
        // The first publish is the disclosure: the outbox audits it and moves the incident once, not every resend,
        // and only that one is the 'sent' event (a resend is 'resent', for the tests and the bench).
        const first = outbox.markSent(
          row.id,
          now,
          new Date(now.getTime() + wait),
          row.kind === 'incident'
            ? {
                actor: 'system',
                action: 'send',
                subject: row.incidentId ?? row.id,
                details: { packetId: row.id, topic: row.topic, bytes: row.payload.length },
              }
            : undefined,
        );
        this.#o.onEvent?.({ type: first ? 'sent' : 'resent', id: row.id });
        if (first && row.incidentId) this.#o.events?.emit('sent', { incidentId: row.incidentId, packetId: row.id });
      } catch (e) {
        const wait = backoffMs(row.attempts + 1, this.#o.baseBackoffMs, this.#o.maxBackoffMs);
        outbox.markRetry(row.id, (e as Error).message, new Date(clock.now().getTime() + wait));
        this.#o.log.warn(
          { packetId: row.id, attempt: row.attempts + 1, retryInMs: wait },
          `publish failed: ${(e as Error).message}`,
        );
        this.#o.onEvent?.({ type: 'retry', id: row.id, reason: (e as Error).message });
        if (!broker.connected) break;
      }
    }
    await this.#publishStatus().catch(() => undefined);
  }

  /** Publishes a signed checkpoint of the audit chain head, so a rewritten device log is detectable at the hub. */
  async publishCheckpoint(): Promise<boolean> {
    const { audit, signCheckpoint, broker, topicPrefix, siteId, clock } = this.#o;
    if (!audit || !signCheckpoint || !broker.connected) return false;
    const head = audit.head();
    if (!head) return false;
    const doc: CheckpointDoc = {
      schema: CHECKPOINT_SCHEMA,
      siteId,
      seq: head.seq,
      hash: head.hash,
      at: clock.now().toISOString(),
    };
    // The hub checks that this one extends the last it was sent: the local entry there must still have its hash.
    const prev = checkpointPrev(audit, this.#o.checkpoints?.last('hub'), head.seq);
    if (prev) doc.prev = prev;
    const signed = await signCheckpoint(doc);
    await broker.publish(`${topicPrefix}/${siteId}/audit/checkpoint`, signed, {
      qos: 1,
      retain: true,
    });
    this.#o.checkpoints?.record({
      seq: doc.seq,
      hash: doc.hash,
      time: doc.at,
      jws: signed.toString('ascii'),
      keyId: this.#o.checkpointKeyId ?? '',
      sentTo: 'hub',
    });
    audit.append({
      actor: 'system',
      action: 'checkpoint',
      subject: 'audit-log',
      details: { seq: head.seq, hash: head.hash },
    });
    return true;
  }
}

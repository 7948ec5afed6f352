// The reference hub's receiver: takes each packet from the shared subscription, checks it against the device
// registry (signature, site), decrypts, validates, stores it once, and answers with a signed ack. Anything it
// refuses is recorded with the reason; only packets from an enrolled device get a signed 'rejected' ack, so a
// stranger cannot make the hub fail someone else's packet.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { CHECKPOINT_TYP, openPacket, verifyJsonByKid } from '../adapters/crypto/packet-codec.js';
import { ACK_SCHEMA_VERSION, type PacketAck } from '../core/packet/ack.js';
import { CHECKPOINT_SCHEMA, readCheckpoint } from '../core/packet/checkpoint.js';
import { DEFAULT_MAX_PACKET_BYTES } from '../core/packet/manifest.js';
import type { Broker, BrokerMessage } from '../core/ports/broker.js';
import type { Clock } from '../core/ports/clock.js';
import type { HubStore, RegisteredDevice } from '../core/ports/hub-store.js';

export interface HubLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ReceiverOptions {
  broker: Broker;
  store: HubStore;
  clock: Clock;
  topicPrefix: string;
  /** Shared subscription group: every worker with the same group shares the load. */
  group?: string;
  /** The hub's X25519 private key, to open encrypted packets. */
  encryptionKey?: KeyObject | undefined;
  /**
   * Refuse a packet that is only signed, not encrypted to the hub key, so faces never cross the broker readable.
   * Required, not defaulted: whoever builds a receiver says whether it may accept plain packets.
   */
  requireEncryption: boolean;
  /** Signs an ack document with the hub's Ed25519 key. */
  signAck: (ack: PacketAck) => Promise<Buffer>;
  maxPacketBytes?: number;
  log: HubLog;
  onResult?: (r: ReceiveResult) => void;
}

export type RejectReason =
  | 'malformed-topic'
  | 'oversize'
  | 'malformed'
  | 'decrypt-failed'
  | 'unknown-device'
  | 'bad-signature'
  | 'schema'
  | 'hash-mismatch'
  | 'site-mismatch'
  | 'topic-mismatch'
  | 'replay-different-content'
  | 'revoked-device'
  | 'not-encrypted';

/** Why a plain packet is refused by a hub that requires encryption (rejection log and the device's failed row). */
export const NOT_ENCRYPTED_MESSAGE = 'packets must be encrypted to the hub key';

export type ReceiveResult =
  | { outcome: 'stored' | 'duplicate'; packetId: string; siteId: string }
  | { outcome: 'rejected'; reason: RejectReason; message: string; packetId: string | null; siteId: string | null };

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class HubReceiver {
  readonly name = 'hub-receiver';
  readonly #o: ReceiverOptions;
  // Keys by fingerprint: a fingerprint always names the same key, so this cache never goes stale. The device's
  // state (revoked or not) is read from the store for every packet, so a revocation by any process applies at once.
  readonly #keys = new Map<string, KeyObject>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #stopping = false;

  constructor(options: ReceiverOptions) {
    this.#o = options;
  }

  subscription(): string {
    return `$share/${this.#o.group ?? 'hub'}/${this.#o.topicPrefix}/+/incidents/+`;
  }

  async start(): Promise<void> {
    await this.#o.broker.subscribe(this.subscription(), (m) => this.#track(() => this.receive(m)));
    await this.#o.broker.subscribe(`$share/${this.#o.group ?? 'hub'}/${this.#o.topicPrefix}/+/audit/checkpoint`, (m) =>
      this.#track(() => this.receiveCheckpoint(m)),
    );
  }

  /** Packets being verified or stored right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  #track(work: () => Promise<unknown>): void {
    // After stop() began, a message is left unacknowledged: the appliance resends it and another worker takes it.
    if (this.#stopping) return;
    const p = work().finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  /**
   * A device's signed audit head. Kept per device; a different hash for a seq already seen, or a lower seq than
   * before, means the device's log was rewritten or rolled back: recorded as a rejection an operator can see.
   */
  async receiveCheckpoint(message: BrokerMessage): Promise<'stored' | 'duplicate' | 'rejected'> {
    const { store, clock, topicPrefix } = this.#o;
    const site = message.topic.split('/')[topicPrefix.split('/').length] ?? null;
    const record = async (reason: string, text: string, deviceId: string | null = null) => {
      await store.recordRejection({
        at: clock.now().toISOString(),
        topic: message.topic.slice(0, 200),
        siteId: site,
        packetId: null,
        deviceId,
        reason,
        message: text,
      });
      this.#o.log.warn({ topic: message.topic.slice(0, 200), reason }, `checkpoint rejected: ${text}`);
      return 'rejected' as const;
    };
    const verified = await verifyJsonByKid(message.payload, CHECKPOINT_TYP, (kid) => this.#deviceKey(kid));
    if (!verified) return record('checkpoint-unverified', 'not signed by an enrolled device');
    const doc = readCheckpoint(verified.value);
    const device = (await store.device(verified.kid))!;
    if (device.state === 'revoked')
      return record('revoked-device', `checkpoint from a device revoked at ${device.revokedAt}`, verified.kid);
    if (!doc) return record('checkpoint-malformed', `not a ${CHECKPOINT_SCHEMA} document`, verified.kid);
    if (doc.siteId !== device.siteId || site !== device.siteId)
      return record(
        'site-mismatch',
        `checkpoint for ${String(doc.siteId)} from a device enrolled for ${device.siteId}`,
        verified.kid,
      );
    if (doc.prev) {
      const { seq, hash } = doc.prev;
      const kept = (await store.checkpoints(verified.kid)).find((c) => c.seq === seq);
      if (kept && kept.hash !== hash)
        return record(
          'audit-log-rewritten',
          `checkpoint seq ${doc.seq} does not extend the checkpoint at seq ${seq}: the device's entry ${seq} now has another hash`,
          verified.kid,
        );
    }
    const r = await store.putCheckpoint({
      siteId: device.siteId,
      deviceId: verified.kid,
      seq: doc.seq,
      hash: doc.hash,
      at: doc.at,
      receivedAt: clock.now().toISOString(),
      jws: message.payload.toString('ascii'),
    });
    if (r === 'conflict')
      return record(
        'audit-log-rewritten',
        `checkpoint seq ${String(doc.seq)} contradicts an earlier checkpoint from this device`,
        verified.kid,
      );
    return r;
  }

  /**
   * Graceful stop: leaves the shared subscription (the broker gives new packets to the other workers at once),
   * then waits (up to `timeoutMs`) for the packets in flight to be stored and acknowledged. Anything that still
   * arrives afterwards is left unacknowledged for the appliance to resend. The caller then closes the connection.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    const { broker } = this.#o;
    if (broker.unsubscribe)
      await Promise.all(
        [this.subscription(), this.#checkpointSubscription()].map((f) => broker.unsubscribe!(f).catch(() => undefined)),
      );
    this.#stopping = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  #checkpointSubscription(): string {
    return `$share/${this.#o.group ?? 'hub'}/${this.#o.topicPrefix}/+/audit/checkpoint`;
  }

  async #deviceKey(kid: string, registration?: Promise<RegisteredDevice | undefined>): Promise<KeyObject | undefined> {
    const cached = this.#keys.get(kid);
    if (cached) return cached;
    const d = await (registration ?? this.#o.store.device(kid));
    if (!d) return undefined;
    const key = createPublicKey(d.publicKeyPem);
    this.#keys.set(kid, key);
    return key;
  }

  async receive(message: BrokerMessage): Promise<ReceiveResult> {
    const result = await this.#handle(message).catch(
      (e: unknown): ReceiveResult => ({
        outcome: 'rejected',
        reason: 'malformed',
        message: `could not process: ${(e as Error).message}`,
        packetId: null,
        siteId: null,
      }),
    );
    this.#o.onResult?.(result);
    return result;
  }

  async #handle(message: BrokerMessage): Promise<ReceiveResult> {
    const { store, clock, topicPrefix } = this.#o;
    const parts = message.topic.split('/');
    const prefixParts = topicPrefix.split('/').length;
    const topicSite = parts[prefixParts] ?? null;
    const topicId = parts[prefixParts + 2] ?? null;
    const reject = async (
      reason: RejectReason,
      text: string,
      ctx: { deviceId?: string | null; ack?: boolean } = {},
    ): Promise<ReceiveResult> => {
      await store.recordRejection({
        at: clock.now().toISOString(),
        topic: message.topic.slice(0, 200),
        siteId: topicSite,
        packetId: topicId,
        deviceId: ctx.deviceId ?? null,
        reason,
        message: text,
      });
      this.#o.log.warn({ topic: message.topic.slice(0, 200), reason }, `packet rejected: ${text}`);
      if (ctx.ack && topicSite && topicId) await this.#ack(topicSite, topicId, 'rejected', reason);
      return { outcome: 'rejected', reason, message: text, packetId: topicId, siteId: topicSite };
    };
    if (
      parts.length !== prefixParts + 3 ||
      parts.slice(0, prefixParts).join('/') !== topicPrefix ||
      parts[prefixParts + 1] !== 'incidents' ||
      !topicSite ||
      !topicId ||
      !ID.test(topicId)
    )
      return reject('malformed-topic', 'the topic is not <prefix>/<site>/incidents/<uuid>');
    const max = this.#o.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    if (message.payload.length > max)
      return reject('oversize', `${message.payload.length} bytes is over the ${max}-byte limit`);

    // The device's registration (and so its revocation state) is read for every packet, and the read starts as
    // soon as the signature names the device, so the round trip runs while the signature is checked.
    let registration: Promise<RegisteredDevice | undefined> | undefined;
    const opened = await openPacket(message.payload, {
      deviceKey: (kid) => {
        registration = store.device(kid);
        // Awaited below on every path; this only keeps a failed read from counting as unhandled meanwhile.
        registration.catch(() => undefined);
        return this.#deviceKey(kid, registration);
      },
      hubKey: this.#o.encryptionKey,
      maxBytes: max,
    });
    const signed = opened.checks.some((c) => c.check === 'signature' && c.ok);
    const registered = opened.deviceId ? await (registration ?? store.device(opened.deviceId)) : undefined;
    // Revocation is decided once the signature proves the packet really comes from that device: a forgery naming
    // a revoked device stays a bad signature. A revoked device gets no ack (its key may be in the wrong hands).
    if (signed && registered?.state === 'revoked')
      return reject('revoked-device', `device revoked at ${registered.revokedAt}: ${registered.revokedReason ?? ''}`, {
        deviceId: registered.deviceId,
      });
    const failed = opened.checks.find((c) => !c.ok);
    if (failed || !opened.manifest || !opened.digest) {
      const device = registered;
      const known = device !== undefined;
      // A signed rejection goes only to the enrolled device's own site, so nobody can fail another site's packet.
      const ack = known && device.siteId === topicSite;
      const msg = failed?.message ?? 'incomplete';
      switch (failed?.check) {
        case 'format':
        case 'size':
          return reject('malformed', msg);
        case 'decrypt':
          return reject('decrypt-failed', msg);
        case 'signature':
          return reject(known ? 'bad-signature' : 'unknown-device', msg, { deviceId: opened.deviceId ?? null });
        case 'schema':
          return reject('schema', msg, { deviceId: opened.deviceId ?? null, ack });
        default:
          return reject('hash-mismatch', msg, { deviceId: opened.deviceId ?? null, ack });
      }
    }
    const m = opened.manifest;
    const device = registered!;
    if (m.siteId !== device.siteId || topicSite !== device.siteId)
      return reject(
        'site-mismatch',
        `device is enrolled for ${device.siteId}; the packet says ${m.siteId} on topic site ${topicSite}`,
        { deviceId: m.deviceId, ack: topicSite === device.siteId },
      );
    if (m.id !== topicId)
      return reject('topic-mismatch', 'the packet id is not the id in the topic', { deviceId: m.deviceId });
    // Checked only now, after the signature and the site: the signed refusal goes to the enrolled device's own
    // site, so it learns to fix its configuration, and a stranger cannot make the hub refuse anyone's packet.
    if (this.#o.requireEncryption && !opened.encrypted)
      return reject('not-encrypted', NOT_ENCRYPTED_MESSAGE, { deviceId: m.deviceId, ack: true });
    const put = await store.put({
      id: m.id,
      siteId: m.siteId,
      deviceId: m.deviceId,
      receivedAt: clock.now().toISOString(),
      digest: opened.digest,
      encrypted: opened.encrypted,
      manifest: m,
      raw: message.payload,
    });
    if (put === 'conflict')
      return reject('replay-different-content', 'a packet with this id but different content is already stored', {
        deviceId: m.deviceId,
      });
    await this.#ack(m.siteId, m.id, put);
    if (put === 'stored') this.#o.log.info({ packetId: m.id, site: m.siteId }, 'packet stored');
    return { outcome: put, packetId: m.id, siteId: m.siteId };
  }

  async #ack(siteId: string, packetId: string, status: PacketAck['status'], reason?: string): Promise<void> {
    const ack: PacketAck = {
      schema: ACK_SCHEMA_VERSION,
      packetId,
      siteId,
      status,
      ...(reason ? { reason } : {}),
      at: this.#o.clock.now().toISOString(),
    };
    try {
      await this.#o.broker.publish(`${this.#o.topicPrefix}/${siteId}/ack/${packetId}`, await this.#o.signAck(ack), {
        qos: 1,
      });
    } catch (e) {
      // The device resends until acked; the next copy is a duplicate and gets its ack then.
      this.#o.log.warn({ packetId, err: (e as Error).message }, 'could not publish the ack');
    }
  }
}

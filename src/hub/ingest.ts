// Offline ingest (`bcrp-edge hub ingest`): a packet file through exactly the receiver's path — registry, signature,
// decryption, schema, idempotent store, rejection log, signed ack — without MQTT. For tests, migrations and disaster
// recovery. The ack the receiver signs is kept in memory and reported; there is no device waiting for it.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { openPacket } from '../adapters/crypto/packet-codec.js';
import type { PacketAck } from '../core/packet/ack.js';
import type { Broker } from '../core/ports/broker.js';
import type { Clock } from '../core/ports/clock.js';
import type { HubStore } from '../core/ports/hub-store.js';
import type { HubConfig } from './config.js';
import { HubAudit } from './hub-audit.js';
import { HubReceiver, type ReceiveResult } from './receiver.js';

/** Stands where the broker would: the receiver's acks are collected, nothing is sent anywhere. */
class CollectedAcks implements Broker {
  readonly connected = true;
  readonly published: { topic: string; payload: Buffer }[] = [];
  async publish(topic: string, payload: Buffer): Promise<void> {
    this.published.push({ topic, payload });
  }
  async subscribe(): Promise<void> {}
  onConnectionChange(): void {}
  async close(): Promise<void> {}
}

// A placeholder id for a packet whose own id cannot be read: the receiver then refuses it for what is wrong with
// it (signature, decryption, format), not for the topic.
const UNKNOWN_ID = '00000000-0000-0000-0000-000000000000';

export async function ingestPacket(
  bytes: Buffer,
  o: {
    store: HubStore;
    clock: Clock;
    /** The file name, for the audit chain and the rejection log. */
    source: string;
    actor: string;
    config: Pick<HubConfig, 'mqtt' | 'maxPacketBytes' | 'requireEncryption'>;
    encryptionKey: KeyObject | undefined;
    signAck: (ack: PacketAck) => Promise<Buffer>;
  },
): Promise<ReceiveResult> {
  // The topic an appliance would have published on is <prefix>/<its site>/incidents/<packet id>: read both from the
  // packet (the receiver checks them again against the registry and the signature).
  const peek = await openPacket(bytes, {
    deviceKey: async (kid) => {
      const d = await o.store.device(kid);
      return d ? createPublicKey(d.publicKeyPem) : undefined;
    },
    hubKey: o.encryptionKey,
    ...(o.config.maxPacketBytes ? { maxBytes: o.config.maxPacketBytes } : {}),
  });
  const site = peek.manifest?.siteId ?? 'ingest';
  const id = peek.manifest?.id ?? UNKNOWN_ID;
  const acks = new CollectedAcks();
  const receiver = new HubReceiver({
    broker: acks,
    store: o.store,
    clock: o.clock,
    topicPrefix: o.config.mqtt.topicPrefix,
    encryptionKey: o.encryptionKey,
    requireEncryption: o.config.requireEncryption,
    signAck: o.signAck,
    ...(o.config.maxPacketBytes ? { maxPacketBytes: o.config.maxPacketBytes } : {}),
    log: { info: () => undefined, warn: () => undefined },
  });
  const result = await receiver.receive({
    topic: `${o.config.mqtt.topicPrefix}/${site}/incidents/${id}`,
    payload: bytes,
    retain: false,
  });
  await new HubAudit(o.store, o.clock).append({
    actor: o.actor,
    action: 'ingest',
    subject: result.packetId ?? o.source,
    details: {
      file: o.source,
      outcome: result.outcome,
      ...(result.outcome === 'rejected' ? { reason: result.reason } : {}),
      acks: acks.published.length,
    },
  });
  return result;
}

// Wires the hub-acknowledgement handling: the hub's signing keys from the configuration verify each ack, and the
// publish module's broker and outbox are the ones it listens on and closes rows in. It is its own module so the
// publisher only publishes; the publish module starts it before the publisher (so no ack is missed) and stops it
// after.
import { loadPublicKey } from '../adapters/crypto/keys.js';
import { ACK_TYP, verifyJson } from '../adapters/crypto/packet-codec.js';
import type { Config } from '../config/schema.js';
import type { Broker } from '../core/ports/broker.js';
import type { Clock } from '../core/ports/clock.js';
import type { IncidentEventSink } from '../core/ports/incident-events.js';
import type { Outbox } from '../core/ports/outbox.js';
import { AckHandler, type AckHandlerOptions } from '../services/publish/ack-handler.js';

export interface AckDeps {
  config: Config;
  broker: Broker;
  outbox: Outbox;
  clock: Clock;
  events?: IncidentEventSink;
  log: AckHandlerOptions['log'];
  onEvent?: AckHandlerOptions['onEvent'];
}

export function createAckModule(deps: AckDeps): AckHandler {
  const hubKeys = deps.config.hub.signingKeys.map((f) => loadPublicKey(f, 'ed25519'));
  return new AckHandler({
    broker: deps.broker,
    outbox: deps.outbox,
    clock: deps.clock,
    siteId: deps.config.site.id,
    topicPrefix: deps.config.mqtt.topicPrefix,
    verifyAck: (bytes) => verifyJson(bytes, hubKeys, ACK_TYP),
    log: deps.log,
    ...(deps.events ? { events: deps.events } : {}),
    ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
  });
}

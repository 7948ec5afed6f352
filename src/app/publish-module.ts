// Wires packet publishing into the appliance: the device key, the jose sealer, the SQLite outbox, the mqtt broker
// (mTLS, MQTT 5, retained status with a last will), the publisher and the hub-ack module (acks-module.ts) on the same
// broker and outbox. `queue` is what review/send calls.
import { createPublicKey } from 'node:crypto';
import { fingerprint, loadPrivateKey, loadPublicKey } from '../adapters/crypto/keys.js';
import { CHECKPOINT_TYP, JosePacketSealer, signJson } from '../adapters/crypto/packet-codec.js';
import { MqttBroker } from '../adapters/mqtt/mqtt-broker.js';
import { SqliteAuditLog } from '../adapters/store/sqlite-audit-log.js';
import { SqliteCheckpoints } from '../adapters/store/sqlite-checkpoints.js';
import { SqliteOutbox } from '../adapters/store/sqlite-outbox.js';
import type { Db } from '../adapters/store/sqlite-store.js';
import { ENCRYPTION_KEY_MISSING } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type { IdSource } from '../core/ports/ids.js';
import type { IncidentEventSink } from '../core/ports/incident-events.js';
import type { AckEvent, AckHandler } from '../services/publish/ack-handler.js';
import {
  lastWillPayload,
  Publisher,
  type PublisherEvent,
  type PublisherOptions,
  statusTopic,
  WILL_EXPIRY_SECONDS,
} from '../services/publish/publisher.js';
import { type QueuePacketRequest, queuePacket } from '../services/publish/queue-packet.js';
import { createAckModule } from './acks-module.js';
import type { Module } from './lifecycle.js';
import type { Wiring } from './wiring.js';

export interface PublishModule extends Module {
  readonly outbox: SqliteOutbox;
  readonly publisher: Publisher;
  readonly acks: AckHandler;
  readonly broker: MqttBroker;
  queue(req: QueuePacketRequest): Promise<{ packetId: string; bytes: number }>;
}

export interface PublishDeps {
  config: Config;
  configFile?: string;
  db: Db;
  clock: Clock;
  ids: IdSource;
  /** Where queued, sent, acked and (hub) rejected go: the app's bus. */
  events?: IncidentEventSink;
  log: PublisherOptions['log'];
  version: string;
  /** Overrides for tests and bench (pacing, timeouts); onEvent hears the publisher's and the ack handler's events. */
  tuning?: Partial<
    Pick<PublisherOptions, 'batch' | 'intervalMs' | 'ackTimeoutMs' | 'baseBackoffMs' | 'maxBackoffMs'>
  > & {
    onEvent?: (event: PublisherEvent | AckEvent) => void;
  };
  reconnectPeriodMs?: number;
}

export function createPublishModule(deps: PublishDeps): PublishModule {
  const { config, clock } = deps;
  if (!config.hub.deviceKey)
    throw new ConfigError(deps.configFile ?? 'configuration', [
      { path: '/hub/deviceKey', message: 'publishing needs the device signing key (bcrp-edge keys generate)' },
    ]);
  if (config.hub.encrypt && !config.hub.encryptionKey)
    throw new ConfigError(deps.configFile ?? 'configuration', [
      { path: '/hub/encryptionKey', message: ENCRYPTION_KEY_MISSING },
    ]);
  const signingKey = loadPrivateKey(config.hub.deviceKey, 'ed25519');
  const deviceId = fingerprint(createPublicKey(signingKey));
  const encryptTo =
    config.hub.encrypt && config.hub.encryptionKey ? loadPublicKey(config.hub.encryptionKey, 'x25519') : undefined;
  const sealer = new JosePacketSealer({ signingKey, encryptTo, maxBytes: config.hub.maxPacketBytes });
  const audit = new SqliteAuditLog(deps.db, clock);
  const outbox = new SqliteOutbox(deps.db, clock, audit);
  const prefix = config.mqtt.topicPrefix;
  const site = config.site.id;
  const versions = { app: deps.version, packet: 'bcrp-packet/1' };
  const broker = new MqttBroker({
    url: config.mqtt.url,
    // One stable client id per device, so the broker keeps its session (and the acks in it) across restarts.
    clientId: `device-${site}-${deviceId.slice(0, 12)}`,
    ca: config.mqtt.ca,
    cert: config.mqtt.cert,
    key: config.mqtt.key,
    keepaliveSeconds: config.mqtt.keepaliveSeconds,
    sessionExpirySeconds: 7 * 24 * 3600,
    reconnectPeriodMs: deps.reconnectPeriodMs ?? 2000,
    // The broker says when the device went: see lastWillPayload / willPublishedAt.
    will: {
      topic: statusTopic(prefix, site),
      payload: lastWillPayload(versions, clock.now()),
      retain: true,
      expirySeconds: WILL_EXPIRY_SECONDS,
    },
    onError: (m) => deps.log.warn({}, `broker: ${m}`),
  });
  const publisher = new Publisher({
    broker,
    outbox,
    clock,
    siteId: site,
    topicPrefix: prefix,
    log: deps.log,
    audit,
    signCheckpoint: (doc) => signJson(doc, signingKey, CHECKPOINT_TYP, deviceId),
    checkpoints: new SqliteCheckpoints(deps.db),
    checkpointKeyId: deviceId,
    versions,
    ackTimeoutMs: config.hub.ackTimeoutSeconds * 1000,
    maxBackoffMs: config.hub.maxRetrySeconds * 1000,
    checkpointIntervalMs: config.hub.checkpointMinutes * 60_000,
    ...(deps.events ? { events: deps.events } : {}),
    ...deps.tuning,
  });
  const acks = createAckModule({
    config,
    broker,
    outbox,
    clock,
    log: deps.log,
    ...(deps.events ? { events: deps.events } : {}),
    ...(deps.tuning?.onEvent ? { onEvent: deps.tuning.onEvent } : {}),
  });
  return {
    name: 'publisher',
    outbox,
    publisher,
    acks,
    broker,
    queue: (req) =>
      queuePacket(
        {
          sealer,
          outbox,
          ids: deps.ids,
          clock,
          siteId: site,
          topicPrefix: prefix,
          ...(deps.events ? { events: deps.events } : {}),
        },
        req,
      ),
    async start() {
      await acks.start();
      await publisher.start();
    },
    async stop() {
      await publisher.stop();
      await acks.stop();
      await broker.close();
    },
  };
}

/**
 * Publishing as the running appliance wires it: only with a device key (before enrolment, or on a bench appliance,
 * it is left out), counting sends and acks in the metrics registry. Its signed audit checkpoints go to the hub, so
 * it is the one checkpoint path while it runs.
 */
export function addPublish(w: Wiring): PublishModule | undefined {
  const { app, loaded, options: o, metrics } = w;
  if (!app.config.hub.deviceKey) {
    w.skip('publishing (hub.deviceKey not set)');
    return undefined;
  }
  const publish = createPublishModule({
    config: app.config,
    configFile: loaded.file,
    db: app.db,
    clock: app.clock,
    ids: app.ids,
    events: app.bus,
    log: app.log.child({ module: 'publisher' }),
    version: o.version,
    tuning: {
      ...o.publishTuning,
      onEvent: (e) => {
        if (e.type === 'sent') metrics.published.inc();
        if (e.type === 'acked') metrics.acked.inc();
        o.publishTuning?.onEvent?.(e);
      },
    },
  });
  app.lifecycle.add(publish);
  return publish;
}

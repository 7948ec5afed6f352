// Wires a reference hub from its configuration: store, enrolled devices, keys, broker, receiver, retention timer.
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { fingerprint, loadPrivateKey, loadPublicKey } from '../adapters/crypto/keys.js';
import { ACK_TYP, signJson } from '../adapters/crypto/packet-codec.js';
import { PgHubStore } from '../adapters/hub-store/pg-hub-store.js';
import { SqliteHubStore } from '../adapters/hub-store/sqlite-hub-store.js';
import { MqttBroker } from '../adapters/mqtt/mqtt-broker.js';
import { AppError, ExitCode } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type { HubStore } from '../core/ports/hub-store.js';
import { type Logger, silentLogger } from '../observability/logger.js';
import type { RunningWebServer } from '../web/server.js';
import type { HubConfig } from './config.js';
import { EnrolmentListener } from './enrolment.js';
import { type HubLog, HubReceiver, type ReceiveResult } from './receiver.js';
import { startHubWeb } from './web/server.js';

/** The configured store (SQLite file or PostgreSQL), migrated, with the configuration's devices enrolled. */
export async function openHubStore(config: HubConfig, clock: Clock, readonly = false): Promise<HubStore> {
  const store: HubStore = config.postgres
    ? await PgHubStore.open({ connectionString: config.postgres.url, poolSize: config.postgres.poolSize }, clock)
    : new SqliteHubStore(config.store as string, clock, { readonly });
  if (!readonly)
    await enrolFromConfig(store, config, clock).catch(async (e: unknown) => {
      await store.close();
      throw e;
    });
  return store;
}

export async function enrolFromConfig(store: HubStore, config: HubConfig, clock: Clock): Promise<void> {
  for (const d of config.devices) {
    const key = loadPublicKey(d.publicKey, 'ed25519');
    await store.enrol({
      deviceId: fingerprint(key),
      siteId: d.site,
      publicKeyPem: key.export({ type: 'spki', format: 'pem' }) as string,
      enrolledAt: clock.now().toISOString(),
    });
  }
}

/** The hub's keys from its configuration: ack signing (and its key id), and the X25519 key packets are sealed to. */
export function hubKeys(config: HubConfig): { signingKey: KeyObject; hubKeyId: string; encryptionKey?: KeyObject } {
  const signingKey = loadPrivateKey(config.signingKey, 'ed25519');
  return {
    signingKey,
    hubKeyId: fingerprint(createPublicKey(signingKey)),
    ...(config.encryptionKey ? { encryptionKey: loadPrivateKey(config.encryptionKey, 'x25519') } : {}),
  };
}

export interface RunningHub {
  store: HubStore;
  broker: MqttBroker;
  receiver: HubReceiver;
  hubKeyId: string;
  /** The hub page, when the configuration has a `web:` section. */
  web?: RunningWebServer;
  stop(): Promise<void>;
}

export async function startHub(
  config: HubConfig,
  deps: {
    clock: Clock;
    log: HubLog;
    onResult?: (r: ReceiveResult) => void;
    connectTimeoutMs?: number;
    /** The hub page's logger (pino, as fastify wants); silent when not given. */
    webLog?: Logger;
  },
): Promise<RunningHub> {
  if (config.requireEncryption && !config.encryptionKey)
    throw new AppError(
      'hub-config',
      'requireEncryption is on but encryptionKey is not set: this hub could accept no packet. Set encryptionKey ' +
        '(the X25519 key whose public half enrolment hands to devices), or requireEncryption: false for a test hub.',
      { exitCode: ExitCode.config },
    );
  const { signingKey, hubKeyId, encryptionKey } = hubKeys(config);
  const store = await openHubStore(config, deps.clock);
  const broker = new MqttBroker({
    url: config.mqtt.url,
    clientId: config.mqtt.clientId ?? `hub-${process.pid}`,
    ca: config.mqtt.ca,
    cert: config.mqtt.cert,
    key: config.mqtt.key,
    // A kept session: packets published while this worker restarts wait for it at the broker.
    sessionExpirySeconds: 3600,
    reconnectPeriodMs: 1000,
    onError: (m) => deps.log.warn({}, `broker: ${m}`),
  });
  try {
    await broker.waitConnected(deps.connectTimeoutMs ?? 15_000);
  } catch (e) {
    await broker.close();
    await store.close();
    throw e;
  }
  const receiver = new HubReceiver({
    broker,
    store,
    clock: deps.clock,
    topicPrefix: config.mqtt.topicPrefix,
    group: config.mqtt.group,
    encryptionKey,
    requireEncryption: config.requireEncryption,
    maxPacketBytes: config.maxPacketBytes,
    signAck: (ack) => signJson(ack, signingKey, ACK_TYP, hubKeyId),
    log: deps.log,
    ...(deps.onResult ? { onResult: deps.onResult } : {}),
  });
  await receiver.start();
  const enrolment = new EnrolmentListener({
    broker,
    store,
    clock: deps.clock,
    topicPrefix: config.mqtt.topicPrefix,
    group: config.mqtt.group,
    log: deps.log,
  });
  await enrolment.start();
  let web: RunningWebServer | undefined;
  if (config.web) {
    try {
      web = await startHubWeb(
        { ...config, web: config.web },
        {
          store,
          clock: deps.clock,
          log: deps.webLog ?? silentLogger(),
          encryptionKey,
        },
      );
    } catch (e) {
      await enrolment.stop();
      await receiver.stop();
      await broker.close();
      await store.close();
      throw e;
    }
  }
  const sweep = () =>
    store.sweep(deps.clock.now()).catch((e: unknown) => deps.log.warn({}, `retention sweep: ${(e as Error).message}`));
  await sweep();
  let stopped = false;
  const sweeper = setInterval(() => void sweep(), config.sweepMinutes * 60_000);
  return {
    store,
    broker,
    receiver,
    hubKeyId,
    ...(web ? { web } : {}),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(sweeper);
      await web?.close();
      await enrolment.stop();
      // In-flight packets are stored and acked before the connection closes; new ones stay with the broker.
      await receiver.stop();
      await broker.close();
      await store.close();
    },
  };
}

// The Broker port over mqtt.js: MQTT 5, mutual TLS, QoS 1. A publish is refused at once while disconnected (the
// outbox keeps the message and retries) instead of sitting in mqtt.js's in-memory queue, which a crash would lose.
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  type Broker,
  BrokerError,
  type BrokerMessage,
  type PublishOptions,
  topicMatches,
} from '../../core/ports/broker.js';
import { describeBrokerProblem } from './connection-problem.js';

export interface MqttBrokerOptions {
  url: string;
  clientId: string;
  /** PEM file paths. */
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  keepaliveSeconds?: number;
  /** Keep the session (subscriptions, queued QoS 1 messages) this long across disconnections. */
  sessionExpirySeconds?: number;
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
  publishTimeoutMs?: number;
  /**
   * The last will. With `expirySeconds` it carries an MQTT 5 message expiry: the broker counts it down from the
   * moment it publishes the will, so a reader can tell when the broker saw the client go (willPublishedAt).
   */
  will?: { topic: string; payload: Buffer; retain: boolean; expirySeconds?: number };
  /** Called on connection errors (TLS refused, broker down); messages never hold key material. */
  onError?: (message: string) => void;
}

function readPem(file: string | undefined, what: string): Buffer | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new BrokerError(
      'broker-config',
      `cannot read the MQTT ${what} ${file}: ${(e as NodeJS.ErrnoException).code}`,
    );
  }
}

export class MqttBroker implements Broker {
  readonly #client: MqttClient;
  readonly #subs: { filter: string; handler: (m: BrokerMessage) => void }[] = [];
  readonly #listeners: ((c: boolean) => void)[] = [];
  readonly #publishTimeoutMs: number;
  readonly #reconnects: boolean;
  #problem: string | undefined;

  constructor(options: MqttBrokerOptions) {
    this.#publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
    this.#reconnects = (options.reconnectPeriodMs ?? 2000) > 0;
    const ca = readPem(options.ca, 'CA certificate');
    const cert = readPem(options.cert, 'client certificate');
    const key = readPem(options.key, 'client key');
    const opts: IClientOptions = {
      protocolVersion: 5,
      clientId: options.clientId,
      clean: (options.sessionExpirySeconds ?? 0) === 0,
      keepalive: options.keepaliveSeconds ?? 30,
      reconnectPeriod: options.reconnectPeriodMs ?? 2000,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      queueQoSZero: false,
      resubscribe: false,
      rejectUnauthorized: true,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(options.sessionExpirySeconds ? { properties: { sessionExpiryInterval: options.sessionExpirySeconds } } : {}),
      ...(options.will
        ? {
            will: {
              topic: options.will.topic,
              payload: options.will.payload,
              retain: options.will.retain,
              qos: 1 as const,
              ...(options.will.expirySeconds
                ? { properties: { messageExpiryInterval: options.will.expirySeconds } }
                : {}),
            },
          }
        : {}),
    };
    this.#client = mqtt.connect(options.url, opts);
    this.#client.on('connect', (connack) => {
      // Packets and acks are request/response: without this, Nagle + delayed ACK add tens of ms per exchange.
      (this.#client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      // Without a kept session the broker forgot our subscriptions: make them again.
      if (!connack.sessionPresent)
        for (const s of this.#subs) this.#client.subscribe(s.filter, { qos: 1 }, () => undefined);
      this.#problem = undefined;
      for (const l of this.#listeners) l(true);
    });
    this.#client.on('close', () => {
      if (!this.#problem && !this.#client.disconnecting) this.#problem = 'the broker closed the connection';
      for (const l of this.#listeners) l(false);
    });
    this.#client.on('error', (e) => {
      this.#problem = describeBrokerProblem(e.message);
      options.onError?.(e.message);
    });
    this.#client.on('message', (topic, payload, packet) => {
      for (const s of this.#subs)
        if (topicMatches(s.filter, topic)) {
          const expiry = packet.properties?.messageExpiryInterval;
          s.handler({
            topic,
            payload: Buffer.from(payload),
            retain: packet.retain,
            ...(expiry !== undefined ? { expiryRemainingSeconds: expiry } : {}),
          });
        }
    });
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  /** Why the last connection attempt failed, in plain words (undefined while connected or before any failure). */
  get problem(): string | undefined {
    return this.#client.connected ? undefined : this.#problem;
  }

  /** Resolves when connected; rejects with the last error after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let last = 'no answer';
      const onError = (e: Error) => {
        last = e.message;
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.#client.off('connect', onConnect);
        this.#client.off('error', onError);
        this.#client.off('close', onClose);
      };
      const onConnect = () => {
        cleanup();
        resolve();
      };
      const fail = (why: string) => {
        cleanup();
        reject(new BrokerError('offline', `could not connect to the broker: ${why}`));
      };
      // Without reconnection the first refusal is final: say so at once instead of waiting out the timeout.
      const onClose = () => {
        if (!this.#reconnects) fail(`the broker closed the connection (${last})`);
      };
      const timer = setTimeout(() => fail(`no connection within ${timeoutMs} ms (${last})`), timeoutMs);
      this.#client.once('connect', onConnect);
      this.#client.on('error', onError);
      this.#client.on('close', onClose);
    });
  }

  async publish(topic: string, payload: Buffer, options: PublishOptions = {}): Promise<void> {
    if (!this.#client.connected) throw new BrokerError('offline', 'not connected to the broker');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BrokerError('timeout', `no PUBACK within ${this.#publishTimeoutMs} ms`)),
        this.#publishTimeoutMs,
      );
    });
    try {
      await Promise.race([
        this.#client.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false }),
        timeout,
      ]);
    } catch (e) {
      if (e instanceof BrokerError) throw e;
      const code = (e as { code?: number }).code;
      if (code === 135)
        throw new BrokerError('not-authorized', `the broker refused a publish to ${topic} (not authorized)`);
      throw new BrokerError('publish-failed', `publish to ${topic} failed: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async subscribe(filter: string, handler: (m: BrokerMessage) => void): Promise<void> {
    if (!this.#client.connected) throw new BrokerError('offline', 'not connected to the broker');
    const granted = await this.#client.subscribeAsync(filter, { qos: 1 });
    if (granted.some((g) => g.qos >= 128))
      throw new BrokerError('not-authorized', `the broker refused a subscription to ${filter} (not authorized)`);
    this.#subs.push({ filter, handler });
  }

  async unsubscribe(filter: string): Promise<void> {
    if (this.#client.connected) await this.#client.unsubscribeAsync(filter);
    // Only now: anything the broker sent before its UNSUBACK has been dispatched to the handler.
    const i = this.#subs.findIndex((s) => s.filter === filter);
    if (i >= 0) this.#subs.splice(i, 1);
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.#listeners.push(listener);
  }

  /** A clean disconnect: the last will is NOT published (publish an offline status first if wanted). */
  async close(): Promise<void> {
    await this.#client.endAsync(false);
  }
}

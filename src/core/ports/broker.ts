// Port: an MQTT 5 broker as the publisher and the hub use it. The mqtt adapter implements it over mqtt.js with
// mTLS; a fake (adapters/mqtt/fake-broker.ts) serves unit tests. Both pass test/contract/broker.contract.ts.
import { AppError } from '../errors.js';

export interface BrokerMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  /** MQTT 5 message expiry left when the broker delivered it (absent when the message has none). */
  expiryRemainingSeconds?: number;
}

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
}

/** offline: not connected now (nothing was sent); not-authorized: the broker refused the topic. */
export class BrokerError extends AppError {}

export interface Broker {
  readonly connected: boolean;
  /** Resolves once the broker accepted the message (QoS 1: its PUBACK). Rejects with a BrokerError. */
  publish(topic: string, payload: Buffer, options?: PublishOptions): Promise<void>;
  /** `filter` may be a shared subscription ($share/GROUP/…). Rejects with a BrokerError when refused. */
  subscribe(filter: string, handler: (message: BrokerMessage) => void): Promise<void>;
  /**
   * Ends a subscription; messages that arrive before the broker confirms still reach the handler. Optional: a
   * worker that stops uses it to hand new packets to the other workers at once.
   */
  unsubscribe?(filter: string): Promise<void>;
  /** Called with true on every (re)connection and false on every loss. */
  onConnectionChange(listener: (connected: boolean) => void): void;
  close(): Promise<void>;
}

/** Whether an MQTT topic filter (with + and #, optionally $share/GROUP/) matches a topic. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter;
  const fp = f.split('/');
  const tp = topic.split('/');
  for (let i = 0; i < fp.length; i++) {
    const part = fp[i];
    if (part === '#') return !(i === 0 && topic.startsWith('$'));
    if (i >= tp.length) return false;
    if (part === '+') {
      if (i === 0 && tp[0]!.startsWith('$')) return false;
      continue;
    }
    if (part !== tp[i]) return false;
  }
  return fp.length === tp.length;
}

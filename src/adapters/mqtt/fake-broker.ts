// An in-memory broker for unit tests: retained messages, wildcards, shared subscriptions (round robin), a
// per-client ACL and an on/off switch to simulate outages (no last will: that is tested on real mosquitto). It passes the same contract suite as the mqtt adapter.
import {
  type Broker,
  BrokerError,
  type BrokerMessage,
  type PublishOptions,
  topicMatches,
} from '../../core/ports/broker.js';

interface Sub {
  client: FakeBroker;
  filter: string;
  handler: (m: BrokerMessage) => void;
}

export interface FakeAcl {
  canPublish?: (topic: string) => boolean;
  canSubscribe?: (filter: string) => boolean;
}

export class FakeBrokerNetwork {
  readonly #subs: Sub[] = [];
  readonly #retained = new Map<string, Buffer>();
  readonly #clients = new Set<FakeBroker>();
  readonly #rr = new Map<string, number>();
  #online = true;
  /** Every message accepted, in order (for assertions). */
  readonly log: BrokerMessage[] = [];

  client(acl: FakeAcl = {}): FakeBroker {
    const c = new FakeBroker(this, acl);
    this.#clients.add(c);
    return c;
  }

  get online(): boolean {
    return this.#online;
  }

  setOnline(online: boolean): void {
    if (this.#online === online) return;
    this.#online = online;
    for (const c of this.#clients) c.notify(online);
  }

  remove(client: FakeBroker): void {
    this.#clients.delete(client);
    this.#subs.splice(0, this.#subs.length, ...this.#subs.filter((s) => s.client !== client));
  }

  removeSub(client: FakeBroker, filter: string): void {
    this.#subs.splice(0, this.#subs.length, ...this.#subs.filter((s) => s.client !== client || s.filter !== filter));
  }

  addSub(sub: Sub): void {
    this.#subs.push(sub);
    if (!sub.filter.startsWith('$share/'))
      for (const [topic, payload] of this.#retained)
        if (topicMatches(sub.filter, topic)) queueMicrotask(() => sub.handler({ topic, payload, retain: true }));
  }

  deliver(message: BrokerMessage): void {
    this.log.push(message);
    if (message.retain) {
      if (message.payload.length === 0) this.#retained.delete(message.topic);
      else this.#retained.set(message.topic, message.payload);
    }
    const matching = this.#subs.filter((s) => topicMatches(s.filter, message.topic));
    const groups = new Map<string, Sub[]>();
    for (const s of matching) {
      if (s.filter.startsWith('$share/')) {
        const key = s.filter;
        groups.set(key, [...(groups.get(key) ?? []), s]);
      } else queueMicrotask(() => s.handler({ ...message, retain: false }));
    }
    for (const [key, members] of groups) {
      const n = this.#rr.get(key) ?? 0;
      this.#rr.set(key, n + 1);
      const s = members[n % members.length]!;
      queueMicrotask(() => s.handler({ ...message, retain: false }));
    }
  }
}

export class FakeBroker implements Broker {
  readonly #net: FakeBrokerNetwork;
  readonly #acl: FakeAcl;
  readonly #listeners: ((c: boolean) => void)[] = [];
  #closed = false;

  constructor(net: FakeBrokerNetwork, acl: FakeAcl) {
    this.#net = net;
    this.#acl = acl;
  }

  get connected(): boolean {
    return this.#net.online && !this.#closed;
  }

  notify(online: boolean): void {
    for (const l of this.#listeners) l(online);
  }

  async publish(topic: string, payload: Buffer, options: PublishOptions = {}): Promise<void> {
    if (!this.connected) throw new BrokerError('offline', 'not connected to the broker');
    if (this.#acl.canPublish && !this.#acl.canPublish(topic))
      throw new BrokerError('not-authorized', `the broker refused a publish to ${topic} (not authorized)`);
    this.#net.deliver({ topic, payload: Buffer.from(payload), retain: options.retain ?? false });
  }

  async subscribe(filter: string, handler: (m: BrokerMessage) => void): Promise<void> {
    if (!this.connected) throw new BrokerError('offline', 'not connected to the broker');
    if (this.#acl.canSubscribe && !this.#acl.canSubscribe(filter))
      throw new BrokerError('not-authorized', `the broker refused a subscription to ${filter} (not authorized)`);
    this.#net.addSub({ client: this, filter, handler });
  }

  async unsubscribe(filter: string): Promise<void> {
    this.#net.removeSub(this, filter);
  }

  onConnectionChange(listener: (connected: boolean) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#net.remove(this);
  }
}

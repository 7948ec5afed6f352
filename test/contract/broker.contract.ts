// The one contract for the Broker port, run against the mqtt adapter on a real mosquitto and against the fake.
import { afterAll, describe, expect, it } from 'vitest';
import { type Broker, BrokerError, type BrokerMessage } from '../../src/core/ports/broker.js';

export interface BrokerHarness {
  prefix: string;
  /** hub: reads every site, writes acks; device-a at site-a; device-b at site-b. */
  client(role: 'hub' | 'device-a' | 'device-b', id?: string): Promise<Broker>;
  siteA: string;
  siteB: string;
}

const until = async (pred: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

export function brokerContract(name: string, harness: () => BrokerHarness) {
  describe(`Broker contract: ${name}`, () => {
    const opened: Broker[] = [];
    const open = async (role: 'hub' | 'device-a' | 'device-b', id?: string) => {
      const b = await harness().client(role, id);
      opened.push(b);
      return b;
    };
    afterAll(async () => {
      await Promise.all(opened.map((b) => b.close()));
    });

    it('delivers a QoS 1 publish to a wildcard subscriber with its bytes intact', async () => {
      const h = harness();
      const hub = await open('hub');
      const got: BrokerMessage[] = [];
      await hub.subscribe(`${h.prefix}/+/incidents/+`, (m) => got.push(m));
      const dev = await open('device-a');
      const payload = Buffer.from([0, 1, 2, 255, 254]);
      await dev.publish(`${h.prefix}/${h.siteA}/incidents/p1`, payload, { qos: 1 });
      await until(() => got.length === 1);
      expect(got[0]!.topic).toBe(`${h.prefix}/${h.siteA}/incidents/p1`);
      expect(got[0]!.payload.equals(payload)).toBe(true);
    });

    it('gives a retained message to a later subscriber', async () => {
      const h = harness();
      const dev = await open('device-a');
      await dev.publish(`${h.prefix}/${h.siteA}/status`, Buffer.from('{"state":"online"}'), { retain: true });
      const hub = await open('hub');
      const got: BrokerMessage[] = [];
      await hub.subscribe(`${h.prefix}/${h.siteA}/status`, (m) => got.push(m));
      await until(() => got.length >= 1);
      expect(got[0]!.retain).toBe(true);
      expect(got[0]!.payload.toString()).toBe('{"state":"online"}');
    });

    it('shares a $share subscription: each message goes to exactly one member', async () => {
      const h = harness();
      const a: string[] = [];
      const b: string[] = [];
      const w1 = await open('hub', 'hub-w1');
      const w2 = await open('hub', 'hub-w2');
      await w1.subscribe(`$share/hub/${h.prefix}/+/incidents/+`, (m) => a.push(m.topic));
      await w2.subscribe(`$share/hub/${h.prefix}/+/incidents/+`, (m) => b.push(m.topic));
      const dev = await open('device-b');
      for (let i = 0; i < 10; i++) await dev.publish(`${h.prefix}/${h.siteB}/incidents/s${i}`, Buffer.from('x'));
      await until(() => a.filter((t) => t.includes('/s')).length + b.filter((t) => t.includes('/s')).length >= 10);
      await new Promise((r) => setTimeout(r, 100));
      const all = [...a, ...b].filter((t) => t.includes('/incidents/s'));
      expect(all.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `${h.prefix}/${h.siteB}/incidents/s${i}`).sort());
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
    });

    it('after unsubscribe, a shared-subscription member gets nothing more and the other member gets it all', async () => {
      const h = harness();
      const a: string[] = [];
      const b: string[] = [];
      const w1 = await open('hub', 'hub-u1');
      const w2 = await open('hub', 'hub-u2');
      const filter = `$share/unsub/${h.prefix}/+/incidents/+`;
      await w1.subscribe(filter, (m) => a.push(m.topic));
      await w2.subscribe(filter, (m) => b.push(m.topic));
      await w1.unsubscribe!(filter);
      const dev = await open('device-b');
      for (let i = 0; i < 6; i++) await dev.publish(`${h.prefix}/${h.siteB}/incidents/u${i}`, Buffer.from('x'));
      await until(() => b.filter((t) => t.includes('/incidents/u')).length >= 6);
      await new Promise((r) => setTimeout(r, 100));
      expect(a.filter((t) => t.includes('/incidents/u'))).toEqual([]);
    });

    it("refuses a device's publish to another site's topic", async () => {
      const h = harness();
      const hub = await open('hub');
      const got: BrokerMessage[] = [];
      await hub.subscribe(`${h.prefix}/${h.siteB}/#`, (m) => got.push(m));
      const dev = await open('device-a');
      const err = await dev.publish(`${h.prefix}/${h.siteB}/incidents/forged`, Buffer.from('forged')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BrokerError);
      expect((err as BrokerError).code).toBe('not-authorized');
      await new Promise((r) => setTimeout(r, 200));
      expect(got.map((m) => m.topic)).not.toContain(`${h.prefix}/${h.siteB}/incidents/forged`);
    });

    it('does not give a device the acks of another site', async () => {
      const h = harness();
      const dev = await open('device-a');
      const got: BrokerMessage[] = [];
      await dev.subscribe(`${h.prefix}/+/ack/+`, (m) => got.push(m)).catch(() => undefined);
      const hub = await open('hub');
      await hub.publish(`${h.prefix}/${h.siteB}/ack/x1`, Buffer.from('ack'));
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toEqual([]);
    });
  });
}

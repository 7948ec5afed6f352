// Runs the Broker contract against the fake and against the mqtt adapter on a real mosquitto with mTLS + ACL.
import { afterAll, beforeAll } from 'vitest';
import { FakeBrokerNetwork } from '../../src/adapters/mqtt/fake-broker.js';
import { MqttBroker } from '../../src/adapters/mqtt/mqtt-broker.js';
import { topicMatches } from '../../src/core/ports/broker.js';
import { startMosquitto, type TestBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';
import { type BrokerHarness, brokerContract } from './broker.contract.js';

const prefix = 'bcrp';
const sites = { 'device-a': 'shop-a', 'device-b': 'shop-b' } as const;

const net = new FakeBrokerNetwork();
const fake: BrokerHarness = {
  prefix,
  siteA: sites['device-a'],
  siteB: sites['device-b'],
  async client(role) {
    if (role === 'hub')
      return net.client({ canPublish: (t) => topicMatches(`${prefix}/+/ack/#`, t), canSubscribe: () => true });
    const site = sites[role];
    return net.client({
      canPublish: (t) => topicMatches(`${prefix}/${site}/#`, t),
      canSubscribe: (f) => f === `${prefix}/${site}/ack/+` || f === `${prefix}/${site}/status`,
    });
  },
};
brokerContract('fake', () => fake);

let broker: TestBroker;
let n = 0;
const brokerDir = tempDir('bcrp-mosq-');
afterAll(() => broker?.stop());
beforeAll(async () => {
  broker = await startMosquitto(brokerDir, [
    { id: 'device-a', site: sites['device-a'] },
    { id: 'device-b', site: sites['device-b'] },
  ]);
});
const real: BrokerHarness = {
  prefix,
  siteA: sites['device-a'],
  siteB: sites['device-b'],
  async client(role, id) {
    const cert = role === 'hub' ? broker.hub : broker.device(role);
    const b = new MqttBroker({
      url: broker.url,
      clientId: id ?? `${role}-${++n}`,
      ca: broker.ca,
      ...cert,
      reconnectPeriodMs: 200,
    });
    await b.waitConnected(5000);
    return b;
  },
};
brokerContract('mqtt adapter on mosquitto (mTLS, ACL)', () => real);

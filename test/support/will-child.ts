// A device connection with the appliance's last will, in its own process so a test can kill it outright (the broker
// then publishes the will). Prints "connected" once up. Run with node --import tsx; arguments: url ca cert key site.
import { MqttBroker } from '../../src/adapters/mqtt/mqtt-broker.js';
import { lastWillPayload, statusTopic, WILL_EXPIRY_SECONDS } from '../../src/services/publish/publisher.js';

const [url, ca, cert, key, site] = process.argv.slice(2);
const broker = new MqttBroker({
  url: url!,
  clientId: `will-child-${process.pid}`,
  ca,
  cert,
  key,
  will: {
    topic: statusTopic('bcrp', site!),
    payload: lastWillPayload({ app: 'test' }, new Date()),
    retain: true,
    expirySeconds: WILL_EXPIRY_SECONDS,
  },
});
await broker.waitConnected(5000);
process.stdout.write('connected\n');
setInterval(() => {}, 60_000);

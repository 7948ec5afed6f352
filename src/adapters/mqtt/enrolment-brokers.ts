// The broker session online enrolment runs over: mqtt.js with the partnership's shared enrolment certificate and the
// request's id as client id (the broker ACL confines that identity to its own _enrol topics).
import type { EnrolmentBrokers } from '../../core/ports/provisioning.js';
import { MqttBroker } from './mqtt-broker.js';

export const mqttEnrolmentBrokers: EnrolmentBrokers = {
  async connect(o) {
    const broker = new MqttBroker({
      url: o.url,
      clientId: o.clientId,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      reconnectPeriodMs: 2000,
      connectTimeoutMs: 10_000,
    });
    try {
      await broker.waitConnected(o.waitMs);
    } catch (e) {
      await broker.close().catch(() => undefined);
      throw e;
    }
    return broker;
  },
};

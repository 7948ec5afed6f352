// Revocation on the broker side: a device's client certificate put on the CA's CRL (mosquitto `crlfile`) can no
// longer connect, while other devices can. The hub side (refusing its packets) is in test/unit/publish-hub.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBroker } from '../../src/adapters/mqtt/mqtt-broker.js';
import { startMosquitto, type TestBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';

let broker: TestBroker;
const dir = tempDir('bcrp-mosq-');

beforeAll(async () => {
  broker = await startMosquitto(dir, [
    { id: 'device-shop-001', site: 'shop-001' },
    { id: 'device-shop-002', site: 'shop-002' },
  ]);
});
afterAll(async () => {
  await broker?.stop();
});

async function connects(id: string): Promise<boolean> {
  const b = new MqttBroker({
    url: broker.url,
    clientId: id,
    ca: broker.ca,
    ...broker.device(id),
    reconnectPeriodMs: 0,
  });
  try {
    await b.waitConnected(3000);
    return true;
  } catch {
    return false;
  } finally {
    await b.close();
  }
}

describe('client certificate revocation (CRL)', () => {
  it('a revoked device certificate is refused in the handshake; the others still connect', async () => {
    expect(await connects('device-shop-002')).toBe(true);
    await broker.revoke('device-shop-002');
    expect(await connects('device-shop-002')).toBe(false);
    expect(await connects('device-shop-001')).toBe(true);
    expect(broker.log()).toMatch(/certificate verify failed/);
  }, 30_000);
});

// The retained status a device leaves behind when it dies says when it went offline as the broker saw it: the will
// carries an MQTT 5 message expiry that mosquitto counts down from the moment it publishes the will, also for a
// reader that subscribes later and gets it retained.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBroker } from '../../src/adapters/mqtt/mqtt-broker.js';
import type { BrokerMessage } from '../../src/core/ports/broker.js';
import { willPublishedAt } from '../../src/services/publish/publisher.js';
import { startMosquitto, type TestBroker } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';

let broker: TestBroker;
const dir = tempDir('bcrp-will-');
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  broker = await startMosquitto(dir, [{ id: 'device-w', site: 'shop-w' }]);
});
afterAll(async () => {
  for (const c of closers) await c();
  await broker?.stop();
});

async function watch(id: string): Promise<{ got: { m: BrokerMessage; at: Date }[] }> {
  const w = new MqttBroker({ url: broker.url, clientId: id, ca: broker.ca, ...broker.hub });
  closers.push(() => w.close());
  await w.waitConnected(5000);
  const got: { m: BrokerMessage; at: Date }[] = [];
  await w.subscribe('bcrp/shop-w/status', (m) => got.push({ m, at: new Date() }));
  return { got };
}

const until = async (pred: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the last-will status', () => {
  it('says when the device went offline from the broker, for a live reader and for one that comes later', async () => {
    const dev = broker.device('device-w');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '..', 'support', 'will-child.ts'),
        broker.url,
        broker.ca,
        dev.cert,
        dev.key,
        'shop-w',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await until(() => out.includes('connected'), 20_000);
    const live = await watch('hub-live');
    await new Promise((r) => setTimeout(r, 1500)); // online for a while: the will's set time is well before its death
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await until(() => live.got.length > 0, 10_000);
    const first = live.got[0]!;
    const body = JSON.parse(first.m.payload.toString());
    expect(body).toMatchObject({ state: 'offline', at: null });
    expect(Date.parse(body.onlineSince)).toBeLessThan(killedAt - 1000);
    const seen = willPublishedAt(first.m, first.at)!;
    expect(Math.abs(seen.getTime() - killedAt)).toBeLessThan(1500);

    await new Promise((r) => setTimeout(r, 3000));
    const later = await watch('hub-later');
    await until(() => later.got.length > 0, 5000);
    const retained = later.got[0]!;
    expect(retained.m.retain).toBe(true);
    const seenLater = willPublishedAt(retained.m, retained.at)!;
    // Whole seconds on the wire: the broker's count-down is accurate to about a second.
    expect(Math.abs(seenLater.getTime() - killedAt)).toBeLessThan(2000);
    expect(retained.at.getTime() - seenLater.getTime()).toBeGreaterThan(2000);
  }, 60_000);
});

// The dev mosquitto (src/adapters/mqtt/dev-mosquitto.ts) for tests: in a temp dir, stopped in afterAll.
import { afterAll } from 'vitest';
import { type DevBroker, startDevMosquitto } from '../../src/adapters/mqtt/dev-mosquitto.js';
import { tempDir } from './tmp.js';

export type TestBroker = DevBroker;

export async function startMosquitto(
  devices: readonly { id: string; site: string }[],
  options: { prefix?: string } = {},
): Promise<TestBroker> {
  const broker = await startDevMosquitto(tempDir('bcrp-mosq-'), devices, options);
  afterAll(() => broker.stop());
  return broker;
}

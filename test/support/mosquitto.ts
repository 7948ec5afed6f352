// The dev mosquitto (src/adapters/mqtt/dev-mosquitto.ts) for tests. Call it from beforeAll with a directory made
// at module level (tempDir) and stop it in the file's own afterAll: hooks registered inside a hook never run.
import { type DevBroker, startDevMosquitto } from '../../src/adapters/mqtt/dev-mosquitto.js';

export type TestBroker = DevBroker;

export function startMosquitto(
  dir: string,
  devices: readonly { id: string; site: string }[],
  options: { prefix?: string } = {},
): Promise<TestBroker> {
  return startDevMosquitto(dir, devices, { ttlSeconds: 900, ...options });
}

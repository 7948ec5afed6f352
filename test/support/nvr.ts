// Starts the project's own NVR emulator (ISAPI + GStreamer RTSP) for a test file and stops it afterwards. The
// cleanup hook is registered once at file level: vitest ignores afterAll registered inside beforeAll or a test.
import { afterAll } from 'vitest';
import {
  type EmulatorOptions,
  type RunningEmulator,
  startNvrEmulator,
} from '../../src/adapters/nvr/emulator/emulator.js';
import { IsapiClient } from '../../src/adapters/nvr/isapi/client.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startNvrEmulator(options);
  cleanups.push(() => emu.stop());
  return emu;
}

export function clientFor(
  emu: RunningEmulator,
  overrides: Partial<ConstructorParameters<typeof IsapiClient>[0]> = {},
): IsapiClient {
  const c = new IsapiClient({
    scheme: 'http',
    host: '127.0.0.1',
    port: emu.httpPort,
    username: emu.username,
    password: emu.password,
    timeoutMs: 3000,
    retries: 0,
    ...overrides,
  });
  cleanups.push(() => c.close());
  return c;
}

/** A JPEG starts with FF D8 and ends with FF D9. */
export function isJpeg(b: Buffer): boolean {
  return b.length > 100 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
}

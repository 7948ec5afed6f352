// The NVR password changed under a running appliance (the real `bcrp-edge run` against the emulator): the appliance
// stops after the first refused login instead of hammering the recorder into its illegal-login lock, says so on
// the status strip, records one nvr-login-refused entry in the audit chain, and still records the trigger.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { systemClock } from '../../../src/core/ports/clock.js';
import { type ApplianceStack, startApplianceStack, type WebClient } from '../../support/appliance-stack.js';
import { waitFor } from '../../support/cli.js';
import { captureChildOutput } from '../../support/log-capture.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('bcrp-nvr-password-');
let stack: ApplianceStack;
let web: WebClient;

beforeAll(async () => {
  stack = await startApplianceStack(dir, { onOutput: captureChildOutput });
  // The shop changed the recorder's password; the appliance still has the old one.
  writeFileSync(join(dir, 'nvr-emulator-password'), 'the-old-password', { mode: 0o600 });
  await stack.start();
  web = await stack.web();
}, 90_000);
afterAll(async () => {
  await stack?.close();
});

describe('a changed NVR password', () => {
  it('one failed login, then silence towards the recorder; the status strip and the audit chain say so', async () => {
    const status = async () =>
      (await web.call<{ nvr: { state: string; detail: string } }>('GET', '/api/status')).body.nvr;
    await waitFor(async () => (await status()).state === 'down', 30_000, 'the recorder shown down');
    const id = await web.trigger();
    for (let i = 0; i < 5; i++) await status(); // every open page polls the strip
    await new Promise((r) => setTimeout(r, 2000));
    const nvr = await status();
    expect(nvr.detail).toMatch(/Recorder refused the password: not trying again before \d\d:\d\d UTC/);
    expect(stack.emulator.failedLogins()).toBe(1);
    const inc = (await web.call<{ status: string; statusReason: string | null }>('GET', `/api/incidents/${id}`)).body;
    expect(inc.status).toBe('capture-failed');
    expect(inc.statusReason).toMatch(/not trying again until/);
    const db = openDatabase(stack.dataDir, { clock: systemClock });
    try {
      const rows = db.prepare("SELECT details FROM audit_log WHERE action = 'nvr-login-refused'").all() as {
        details: string;
      }[];
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]!.details)).toMatchObject({ locked: false, attempts: 1 });
    } finally {
      db.close();
    }
  }, 90_000);
});

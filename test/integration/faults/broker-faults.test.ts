// Broker faults against the real `bcrp-edge run` (dist/main.js), the dev mosquitto with mTLS, the NVR emulator and
// the reference hub on SQLite: the broker comes back with a new server certificate from the same CA (the appliance
// reconnects and drains), then refuses the appliance's revoked certificate (the outbox keeps every report and the
// status API and the page's status strip say why in words).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/adapters/store/sqlite-store.js';
import { systemClock } from '../../../src/core/ports/clock.js';
import { type ApplianceStack, startApplianceStack, type WebClient } from '../../support/appliance-stack.js';
import { waitFor } from '../../support/cli.js';
import { captureChildOutput } from '../../support/log-capture.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('bcrp-broker-faults-');
let stack: ApplianceStack;
let web: WebClient;

beforeAll(async () => {
  stack = await startApplianceStack(dir, { onOutput: captureChildOutput });
  await stack.start();
  web = await stack.web();
}, 90_000);
afterAll(async () => {
  await stack?.close();
});

const incident = async (id: string) =>
  (await web.call<{ status: string; statusReason: string | null }>('GET', `/api/incidents/${id}`)).body;

/** Triggers a capture and, once it is in review, picks a face and sends it; the incident id. */
async function captureAndSend(): Promise<string> {
  const id = await web.trigger();
  await waitFor(async () => (await incident(id)).status === 'in-review', 60_000, `incident ${id} to be in review`);
  expect(await web.reviewAndSend(id)).toBe('sent');
  return id;
}

const serverCert = () =>
  createHash('sha256')
    .update(readFileSync(join(stack.broker.dir, 'certs', 'server.crt')))
    .digest('hex');

describe('broker faults seen by the running appliance', () => {
  it('a broker restarted with a new server certificate from the same CA: the appliance reconnects and drains', async () => {
    const first = await captureAndSend();
    await waitFor(async () => (await incident(first)).status === 'acked', 30_000, 'the first report to be acked');
    const before = serverCert();
    await stack.broker.renewServerCertificate();
    expect(serverCert()).not.toBe(before);
    const second = await captureAndSend();
    await waitFor(async () => (await incident(second)).status === 'acked', 30_000, 'the report after the renewal');
    const status = await web.status();
    expect(status.broker).toEqual({ state: 'ok', detail: 'Connected to the broker', code: 'brokerConnected' });
    expect(await stack.hub.store.count()).toBe(2);
  }, 150_000);

  it('a revoked client certificate: reports stay queued and the status says the certificate was refused', async () => {
    const hubBefore = await stack.hub.store.count();
    await stack.broker.revoke('device-shop-001');
    const ids = [await captureAndSend(), await captureAndSend()];
    await waitFor(
      async () => /revoked/.test((await web.status()).broker.detail),
      30_000,
      'the status to say the certificate was revoked',
    );
    const status = await web.status();
    expect(status.broker.state).toBe('down');
    expect(status.broker.detail).toContain(
      "Not connected to the broker: the hub's broker refused this appliance's certificate: it has been revoked",
    );
    expect(status.queueDepth).toBe(2);
    // Every page's status strip shows the reason in words, not only in a tooltip.
    const page = await web.call<string>('GET', '/incidents');
    expect(page.body).toMatch(/<span class="why">[^<]*certificate: it has been revoked/);
    expect(stack.broker.log()).toMatch(/certificate verify failed|revoked/);
    for (const id of ids) expect((await incident(id)).status).toBe('queued');
    expect(await stack.hub.store.count()).toBe(hubBefore);

    // The outbox keeps them through a restart of the appliance as well.
    await stack.close();
    const db = openDatabase(stack.dataDir, { clock: systemClock });
    try {
      const rows = db.prepare("SELECT state, incident_id FROM outbox WHERE kind = 'incident'").all() as {
        state: string;
        incident_id: string;
      }[];
      expect(rows.filter((r) => ids.includes(r.incident_id)).map((r) => r.state)).toEqual(['queued', 'queued']);
    } finally {
      db.close();
    }
  }, 150_000);
});

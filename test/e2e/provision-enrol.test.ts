// An installer's visit end to end, on loopback: scripted `provision` against the NVR emulator (cameras found with
// --cameras auto) asks the reference hub to enrol it over a real mosquitto with mutual TLS, using the shared
// enrolment certificate the ACL confines to its own topics; the operator lists the pending request, a wrong code
// leaves it pending, `hub enrol --approve` with the right one registers the device and answers it; the appliance
// installs its certificate, `doctor` passes the NVR, camera, enrolment, broker and checkpoint checks, and a packet
// it publishes is stored and acknowledged by the hub.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateKeys, KEY_FILES, loadPrivateKey, loadPublicKey } from '../../src/adapters/crypto/keys.js';
import { JosePacketSealer } from '../../src/adapters/crypto/packet-codec.js';
import { MqttBroker } from '../../src/adapters/mqtt/mqtt-broker.js';
import type { RunningEmulator } from '../../src/adapters/nvr/emulator/emulator.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { SqliteOutbox } from '../../src/adapters/store/sqlite-outbox.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { createPublishModule } from '../../src/app/publish-module.js';
import { loadConfigFile } from '../../src/config/load.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import { loadHubConfig } from '../../src/hub/config.js';
import { type RunningHub, startHub } from '../../src/hub/create-hub.js';
import { enrolTopics } from '../../src/services/enrolment-online.js';
import { queuePacket } from '../../src/services/publish/queue-packet.js';
import { runCli, waitFor } from '../support/cli.js';
import { startMosquitto, type TestBroker } from '../support/mosquitto.js';
import { emulator } from '../support/nvr.js';
import { insertIncident, redactedImage } from '../support/packets.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const brokerDir = tempDir('bcrp-mosq-');
const SITE = 'shop-042';
const CODE = 'ABCD-1234';
const quiet = { info: () => {}, warn: () => {} };
let broker: TestBroker;
let hub: RunningHub;
let emu: RunningEmulator;
let hubYaml: string;
const etc = join(dir, 'etc');
const data = join(dir, 'data');
const env = { PATH: process.env['PATH'], BCRP_EDGE_ENROL_REPUBLISH_MS: '500' };

beforeAll(async () => {
  // The appliance's certificate will name its site (CN = site id): that is the broker user the ACL knows.
  [broker, emu] = await Promise.all([startMosquitto(brokerDir, [{ id: SITE, site: SITE }]), emulator({ channels: 2 })]);
  const hubKeys = join(dir, 'hub-keys');
  generateKeys(hubKeys);
  hubYaml = join(dir, 'hub.yaml');
  writeFileSync(
    hubYaml,
    stringify({
      mqtt: { url: broker.url, ca: broker.ca, cert: broker.hub.cert, key: broker.hub.key, clientId: 'hub-e2e' },
      store: join(dir, 'hub.sqlite'),
      signingKey: join(hubKeys, KEY_FILES.signingPrivate),
      encryptionKey: join(hubKeys, KEY_FILES.encryptionPrivate),
      enrolment: { caCert: broker.ca, caKey: broker.caKey, certificateDays: 30 },
    }),
  );
  hub = await startHub(loadHubConfig(hubYaml), { clock: systemClock, log: quiet });
}, 90_000);

afterAll(async () => {
  await hub?.stop();
  await broker?.stop();
});

describe('provision → online enrolment → doctor → publish', () => {
  it('enrols a freshly provisioned appliance over MQTT once the operator approves it with the right code', async () => {
    writeFileSync(join(dir, 'nvr-pw'), `${emu.password}\n`, { mode: 0o600 });
    const provisioning = runCli(
      [
        'provision',
        '--no-input',
        '--config-dir',
        etc,
        '--data-dir',
        data,
        '--site-id',
        SITE,
        '--nvr-host',
        '127.0.0.1',
        '--nvr-port',
        String(emu.httpPort),
        '--nvr-user',
        emu.username,
        '--nvr-password-file',
        join(dir, 'nvr-pw'),
        '--cameras',
        'auto',
        '--broker-url',
        broker.url,
        '--broker-ca',
        broker.ca,
        '--web-bind',
        '127.0.0.1',
        '--enrolment-code',
        CODE,
        '--enrol-online',
        '--enrol-cert',
        broker.enrolment.cert,
        '--enrol-key',
        broker.enrolment.key,
        '--wait',
        '60',
      ],
      env,
    );
    await waitFor(async () => (await hub.store.enrolmentRequests({ state: 'pending' })).length > 0, 30_000, 'pending');
    const list = await runCli(['hub', 'enrol', 'list', '--json', '--config', hubYaml], env);
    const pending = JSON.parse(list.stdout) as { requestId: string; site: string; hasCodeProof: boolean }[];
    expect(pending).toEqual([expect.objectContaining({ site: SITE, hasCodeProof: true })]);
    const id = pending[0]!.requestId;

    const wrong = await runCli(['hub', 'enrol', '--approve', id, '--code', 'WXYZ-0000', '--config', hubYaml], env);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/enrolment code does not match/);
    expect((await hub.store.enrolmentRequest(id))?.state).toBe('pending');

    const ok = await runCli(['hub', 'enrol', '--approve', id, '--code', CODE, '--config', hubYaml], env);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(new RegExp(`approved ${id}: device [0-9a-f]{64} enrolled for ${SITE}; the answer is on`));
    const r = await provisioning;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/waiting for the partnership to approve it/);
    expect(r.stdout).toMatch(new RegExp(`enrolled: site ${SITE}, device ${id}`));

    // The cameras came from the NVR; the certificate and hub keys are installed as --accept-enrolment installs them.
    const { config } = loadConfigFile(join(etc, 'config.yaml'));
    expect(config.nvr.channels.map((c) => c.id)).toEqual([1, 2]);
    expect(config.mqtt.cert).toBe(join(etc, 'pki/mqtt-client.pem'));
    expect(config.hub.signingKeys).toHaveLength(1);
    expect(config.hub.encrypt).toBe(true);
    const devices = await hub.store.devices();
    expect(devices).toEqual([expect.objectContaining({ siteId: SITE, state: 'enrolled' })]);
    expect(readFileSync(join(etc, 'pki/device-signing.pub.pem'), 'utf8').trim()).toBe(devices[0]!.publicKeyPem.trim());
  }, 90_000);

  it('the enrolment certificate reaches only its own enrolment topics', async () => {
    const mine = '01900000-0000-7000-8000-000000000001';
    const other = enrolTopics('bcrp', '01900000-0000-7000-8000-000000000000');
    // The hub leaves an answer for another device, and one for this client.
    for (const t of [other.response, enrolTopics('bcrp', mine).response])
      await hub.broker.publish(t, Buffer.from(`{"for":"${t}"}`), { retain: true });
    const b = new MqttBroker({
      url: broker.url,
      clientId: mine,
      ca: broker.ca,
      cert: broker.enrolment.cert,
      key: broker.enrolment.key,
      reconnectPeriodMs: 0,
    });
    try {
      await b.waitConnected(5000);
      await expect(b.publish(other.request, Buffer.from('{}'))).rejects.toThrow(/not authorized/);
      await expect(b.publish(`bcrp/${SITE}/incidents/x`, Buffer.from('{}'))).rejects.toThrow(/not authorized/);
      const heard: string[] = [];
      // mosquitto grants any filter and checks each delivery: only this client's own answer comes through.
      await b.subscribe('bcrp/_enrol/+/response', (m) => heard.push(m.topic));
      await b.subscribe(`bcrp/${SITE}/#`, (m) => heard.push(m.topic));
      await waitFor(() => heard.length > 0, 5000, 'its own answer');
      await new Promise((r) => setTimeout(r, 300));
      expect(heard).toEqual([enrolTopics('bcrp', mine).response]);
    } finally {
      await b.close();
      for (const t of [other.response, enrolTopics('bcrp', mine).response])
        await hub.broker.publish(t, Buffer.alloc(0), { retain: true });
    }
  });

  it('a packet the enrolled appliance publishes is stored and acknowledged by the hub; then doctor passes', async () => {
    const loaded = loadConfigFile(join(etc, 'config.yaml'));
    const c = loaded.config;
    const db = openDatabase(data, { clock: systemClock });
    const acked: string[] = [];
    const mod = createPublishModule({
      config: c,
      db,
      clock: systemClock,
      ids: uuidV7Source(systemClock),
      log: quiet,
      version: 'e2e',
      reconnectPeriodMs: 300,
      tuning: { ackTimeoutMs: 5000, onEvent: (e) => e.type === 'acked' && acked.push(e.id) },
    });
    try {
      const sealer = new JosePacketSealer({
        signingKey: loadPrivateKey(c.hub.deviceKey!, 'ed25519'),
        encryptTo: loadPublicKey(c.hub.encryptionKey!, 'x25519'),
      });
      insertIncident(db, 'inc-e2e-1', SITE);
      const audit = new SqliteAuditLog(db, systemClock);
      const { packetId } = await queuePacket(
        {
          sealer,
          outbox: new SqliteOutbox(db, systemClock, audit),
          ids: uuidV7Source(systemClock),
          clock: systemClock,
          siteId: SITE,
          topicPrefix: c.mqtt.topicPrefix,
        },
        {
          incidentId: 'inc-e2e-1',
          incidentTime: new Date(),
          category: 'theft',
          images: [{ image: await redactedImage(1), role: 'subject' }],
          actor: 'test',
        },
      );
      await mod.start();
      await waitFor(() => acked.includes(packetId), 20_000, 'the hub ack');
      expect((await hub.store.get(packetId))?.siteId).toBe(SITE);
      await waitFor(
        () => [...audit.entries({})].some((e) => e.action === 'checkpoint'),
        10_000,
        'a checkpoint accepted by the broker',
      );
    } finally {
      await mod.stop();
      db.close();
    }

    const doctor = await runCli(['doctor', '--json', '--config', join(etc, 'config.yaml'), '--data-dir', data], env);
    const report = JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] };
    const status = Object.fromEntries(report.checks.map((x) => [x.id, x.status]));
    expect(status).toMatchObject({
      config: 'ok',
      nvr: 'ok',
      'camera-stills': 'ok',
      enrolment: 'ok',
      broker: 'ok',
      'audit-checkpoint': 'ok',
    });
    // What may legitimately differ on a build machine: no systemd, no NTP, no storage key before the first capture,
    // and the throwaway test CA lives two days (so its certificates warn that they expire soon).
    for (const x of report.checks)
      if (!['ok', 'skip'].includes(x.status))
        expect(['clock', 'storage-key', 'model', 'service', 'data-dir', 'certificates']).toContain(x.id);
  }, 60_000);
});

// `bcrp-edge hub run` with a `web:` section, as a partnership runs it: the built binary receives a packet through
// real mosquitto (mTLS) into PostgreSQL (SQLite where PostgreSQL is absent) and serves the hub page over HTTPS; an
// administrator added with `hub users add` signs in, sees the packet and its image; `hub audit verify` then
// checks the chain the page wrote.
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { KEY_FILES, loadPrivateKey, loadPublicKey } from '../../src/adapters/crypto/keys.js';
import { sealPacket } from '../../src/adapters/crypto/packet-codec.js';
import type { DevPostgres } from '../../src/adapters/hub-store/dev-postgres.js';
import { MOSQUITTO } from '../../src/adapters/mqtt/dev-mosquitto.js';
import { MqttBroker } from '../../src/adapters/mqtt/mqtt-broker.js';
import { buildPacketContents } from '../../src/core/packet/build.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { uuidV7Source } from '../../src/core/ports/ids.js';
import { throwawayCertificate } from '../../src/demo/throwaway-certificate.js';
import { runBin, startBin, waitFor } from '../support/cli.js';
import { type EdgeHubRig, makeEdgeHubRig } from '../support/edge-hub-rig.js';
import { startMosquitto, type TestBroker } from '../support/mosquitto.js';
import { redactedImage } from '../support/packets.js';
import { POSTGRES_PRESENT, startTestPostgres } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

if (!MOSQUITTO) console.log('skipped: mosquitto not present');

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

describe.skipIf(!MOSQUITTO)('hub run serves the hub page', () => {
  let broker: TestBroker;
  let rig: EdgeHubRig;
  let db: DevPostgres | undefined;
  let worker: (ChildProcess & { output: () => string }) | undefined;
  let config = '';
  let ca: Buffer;
  const dir = tempDir('bcrp-hub-run-page-');

  beforeAll(async () => {
    broker = await startMosquitto(tempDir('bcrp-mosq-'), [{ id: 'device-shop-001', site: 'shop-001' }]);
    rig = makeEdgeHubRig(dir, broker);
    if (POSTGRES_PRESENT) db = await startTestPostgres();
    const tls = throwawayCertificate(join(dir, 'tls'));
    ca = tls.cert;
    const base = parse(readFileSync(rig.hubConfig, 'utf8')) as Record<string, unknown>;
    const { store, ...rest } = base;
    config = join(dir, 'hub-page.yaml');
    writeFileSync(
      config,
      stringify({
        ...rest,
        ...(db ? { postgres: { url: db.url, poolSize: 4 } } : { store }),
        web: {
          port: 0,
          tlsCert: tls.certPath,
          tlsKey: join(dir, 'tls', 'web.key'),
          sessionSecretFile: join(dir, 'hub-web-session.key'),
        },
      }),
    );
  }, 90_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await broker?.stop();
    await db?.stop();
  });

  function call(base: string, method: string, path: string, cookie = '', body?: object): Promise<Reply> {
    const data = body ? Buffer.from(JSON.stringify(body)) : undefined;
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, base),
        {
          method,
          ca,
          headers: {
            ...(cookie ? { cookie } : {}),
            ...(data ? { 'content-type': 'application/json', 'content-length': String(data.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  it('receives a packet and shows it, with its image, to a signed-in administrator; every view is audited', async () => {
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'an administrator pass phrase\n', { mode: 0o600 });
    const add = await runBin([
      'hub',
      'users',
      'add',
      'ada',
      '--role',
      'administrator',
      '--password-file',
      pw,
      '--config',
      config,
    ]);
    expect(add.code, add.stderr).toBe(0);

    worker = startBin(['hub', 'run', '--config', config]);
    await waitFor(
      () => /hub page: https:\/\/127\.0\.0\.1:\d+/.test(worker!.output()) || worker!.exitCode !== null,
      30_000,
      'hub page',
    );
    const url = /hub page: (https:\/\/127\.0\.0\.1:\d+)/.exec(worker.output())?.[1] ?? '';
    expect(url, worker.output()).not.toBe('');

    const anonymous = await call(url, 'GET', '/api/packets');
    expect(anonymous.status).toBe(401);

    const device = broker.device('device-shop-001');
    const client = new MqttBroker({
      url: broker.url,
      clientId: 'device-shop-001',
      ca: broker.ca,
      cert: device.cert,
      key: device.key,
    });
    await client.waitConnected(10_000);
    const id = uuidV7Source(systemClock).next();
    const image = await redactedImage(5);
    const contents = buildPacketContents(
      {
        id,
        siteId: 'shop-001',
        deviceId: rig.deviceId,
        createdAt: new Date(),
        incidentTime: new Date(),
        category: 'theft',
        retentionClass: 'shared-12m',
      },
      [{ image, role: 'subject' }],
    );
    const payload = await sealPacket(contents, {
      signingKey: loadPrivateKey(join(rig.deviceKeys, KEY_FILES.signingPrivate), 'ed25519'),
      encryptTo: loadPublicKey(join(rig.hubKeys, KEY_FILES.encryptionPublic), 'x25519'),
    });
    await client.publish(`${broker.prefix}/shop-001/incidents/${id}`, payload, { qos: 1 });
    await client.close();

    const login = await call(url, 'POST', '/api/login', '', {
      username: 'ada',
      password: 'an administrator pass phrase',
    });
    expect(login.status).toBe(200);
    const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const cookie = setCookie.find((c) => c.startsWith('bcrp_hub_session='))?.split(';')[0] ?? '';
    const session = setCookie.find((c) => c.startsWith('bcrp_hub_session=')) ?? '';
    for (const flag of ['Secure', 'HttpOnly', 'SameSite=Strict']) expect(session).toContain(flag);

    let packets: { id: string; signature: { state: string } }[] = [];
    await waitFor(
      async () => {
        const r = await call(url, 'GET', '/api/packets', cookie);
        packets = (JSON.parse(r.body.toString()) as { packets: typeof packets }).packets;
        return packets.some((p) => p.id === id);
      },
      20_000,
      'the packet on the hub page',
    );
    expect(packets.find((p) => p.id === id)?.signature.state).toBe('verified');
    const img = await call(url, 'GET', `/packets/${id}/images/subject-1.jpg`, cookie);
    expect(img.status).toBe(200);
    // The served image carries the viewer and the time in its pixels: a re-encoded JPEG of the same size, not the
    // bytes the device signed (those stay in the packet, and verify).
    expect(createHash('sha256').update(img.body).digest('hex')).not.toBe(image.sha256);
    const served = await sharp(img.body).metadata();
    expect([served.format, served.width, served.height]).toEqual(['jpeg', image.width, image.height]);

    const exited = new Promise<number | null>((r) => worker!.once('exit', (code) => r(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);

    const verify = await runBin(['hub', 'audit', 'verify', '--json', '--config', config]);
    expect(verify.code).toBe(0);
    const report = JSON.parse(verify.stdout) as { ok: boolean; entries: number };
    // user-change, login, one list view per poll, the image view.
    expect(report.ok).toBe(true);
    expect(report.entries).toBeGreaterThanOrEqual(4);
  }, 120_000);
});

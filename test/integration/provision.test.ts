// `bcrp-edge provision` as an installer runs it: scripted with flags into a temp config dir, then the offline
// enrolment answered by a test CA made with openssl, then the web certificate renewed. Checks what a person would:
// where secrets land and with which modes, that the config validates, the first manager can log in (hash
// verifies), the audit log records it, and every mistake is named without leaking a password.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeClientCsr, makeSelfSignedSync } from '../../src/adapters/pki/openssl.js';
import { scriptedPrompter } from '../../src/cli/prompt.js';
import { gather } from '../../src/cli/provision.js';
import { hashPassword, verifyPassword } from '../../src/core/password-hash.js';
import { type ApproveOptions, approveEnrolment } from '../../src/hub/enrolment.js';
import { checkCodeProof, type EnrolmentRequest, RESPONSE_FORMAT } from '../../src/services/provisioning.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const NVR_PW = 'Nvr-Secret-771';
const MGR_PW = 'manager-pass-9000';
const env = { PATH: process.env['PATH'] };
const mode = (f: string) => (statSync(f).mode & 0o777).toString(8);

function openssl(...args: string[]) {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

let etc: string;
let data: string;
let ca: { cert: string; key: string };

function flags(extra: string[] = []) {
  writeFileSync(join(dir, 'nvr-pw'), `${NVR_PW}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'mgr-pw'), `${MGR_PW}\n`, { mode: 0o600 });
  return [
    'provision',
    '--config-dir',
    etc,
    '--data-dir',
    data,
    '--site-id',
    'shop-042',
    '--site-name',
    'Corner Shop',
    '--nvr-host',
    '192.168.1.64',
    '--nvr-password-file',
    join(dir, 'nvr-pw'),
    '--camera',
    '1:Till',
    '--camera',
    '2:Front door',
    '--button',
    'gpio:17,led=27',
    '--button',
    'nvr-io:1,camera=2,output=1',
    '--broker-url',
    'mqtts://broker.partnership.test:8883',
    '--broker-ca',
    ca.cert,
    '--manager',
    'alice',
    '--manager-password-file',
    join(dir, 'mgr-pw'),
    '--web-bind',
    '192.168.1.20',
    '--enrolment-code',
    'ABCD-1234',
    '--no-input',
    ...extra,
  ];
}

beforeAll(() => {
  etc = join(dir, 'etc');
  data = join(dir, 'data');
  ca = { cert: join(dir, 'ca.pem'), key: join(dir, 'ca.key') };
  makeSelfSignedSync({ certFile: ca.cert, keyFile: ca.key, subject: '/CN=Test Partnership CA', days: 365 });
});

describe('bcrp-edge provision (scripted)', () => {
  it('writes a valid config with the NVR password only in a 0600 secrets file', async () => {
    const r = await runCli(flags(), env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/provisioned site shop-042/);
    const config = readFileSync(join(etc, 'config.yaml'), 'utf8');
    expect(config).not.toContain(NVR_PW);
    expect(readFileSync(join(etc, 'secrets/nvr-password'), 'utf8').trim()).toBe(NVR_PW);
    for (const s of ['nvr-password', 'web.key', 'mqtt-client.key', 'device-signing.key'])
      expect([s, mode(join(etc, 'secrets', s))]).toEqual([s, '600']);
    expect(`${r.stdout}${r.stderr}`).not.toContain(NVR_PW);
    expect(`${r.stdout}${r.stderr}`).not.toContain(MGR_PW);
    expect(config).toMatch(/kind: nvr-io\n\s+input: 1\n\s+camera: 2\n\s+output: 1/);
    const v = await runCli(['config', 'validate', join(etc, 'config.yaml')]);
    expect(v.stdout).toMatch(/ok: .*site shop-042, NVR hikvision at 192.168.1.64:80 \(2 cameras\)/);
  });

  it('makes a web certificate for the shop-LAN address and a CSR named for the site', () => {
    const cert = new X509Certificate(readFileSync(join(etc, 'pki/web.crt')));
    expect(cert.subjectAltName).toContain('IP Address:192.168.1.20');
    expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(800 * 86_400_000);
    const csr = execFileSync(
      'openssl',
      ['req', '-in', join(etc, 'pki/mqtt-client.csr'), '-noout', '-subject', '-verify'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(csr).toMatch(/CN ?= ?shop-042/);
  });

  it('stores the first manager with a scrypt hash and records provisioning in the audit log', async () => {
    const db = new Database(join(data, 'bcrp-edge.sqlite'), { readonly: true });
    const user = db.prepare("SELECT role, password_hash FROM users WHERE username = 'alice'").get() as {
      role: string;
      password_hash: string;
    };
    const actions = db.prepare('SELECT action, subject FROM audit_log ORDER BY seq').all();
    db.close();
    expect(user.role).toBe('manager');
    expect(user.password_hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    expect(await verifyPassword(MGR_PW, user.password_hash)).toBe(true);
    expect(await verifyPassword('wrong-password-1', user.password_hash)).toBe(false);
    expect(actions).toEqual([
      { action: 'provision', subject: 'shop-042' },
      { action: 'config-change', subject: 'shop-042' },
      { action: 'user-change', subject: 'alice' },
    ]);
  });

  it('writes an enrolment request the hub can check against the one-time code', () => {
    const req = JSON.parse(readFileSync(join(etc, 'enrolment/request.json'), 'utf8')) as EnrolmentRequest;
    expect(req.siteId).toBe('shop-042');
    expect(req.signingPublicKey).toMatch(/BEGIN PUBLIC KEY/);
    expect(JSON.stringify(req)).not.toContain('ABCD-1234');
    expect(checkCodeProof('abcd-1234', req)).toBe(true);
    expect(checkCodeProof('WXYZ-9999', req)).toBe(false);
  });

  it('doctor says the new appliance is not enrolled yet, and how to enrol it', async () => {
    const r = await runCli(['doctor', '--config', join(etc, 'config.yaml'), '--data-dir', data], env);
    expect(r.stdout).toMatch(/^FAIL {2}hub enrolment +not enrolled: no MQTT client certificate$/m);
    expect(r.stdout).toMatch(
      /fix: enrol: bcrp-edge provision --enrol-online, or send enrolment\/request.json to the partnership/,
    );
    expect(r.code).toBe(1);
  });

  it.skipIf(process.getuid?.() !== 0)('--owner gives the secrets and the data to the service user', async () => {
    const owned = join(dir, 'owned');
    const r = await runCli(
      flags(['--config-dir', owned, '--data-dir', join(dir, 'owned-data'), '--owner', 'nobody']),
      env,
    );
    expect(r.code).toBe(0);
    const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
    expect(statSync(join(owned, 'secrets', 'nvr-password')).uid).toBe(nobody);
    expect(statSync(join(owned, 'config.yaml')).uid).toBe(0);
    expect(statSync(join(dir, 'owned-data', 'bcrp-edge.sqlite')).uid).toBe(nobody);
    const before = readFileSync(join(owned, 'secrets', 'web.key'), 'utf8');
    const bad = await runCli(flags(['--force', '--config-dir', owned, '--owner', 'no-such-user-x']), env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot give the files to no-such-user-x: no such user/);
    expect(readFileSync(join(owned, 'secrets', 'web.key'), 'utf8')).toBe(before);
  });

  it('a config dir that cannot be written is named, not a crash', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const r = await runCli(flags(['--config-dir', join(dir, 'a-file', 'etc')]), env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot create .*a-file\/etc: ENOTDIR$/m);
  });

  it('refuses to provision twice without --force', async () => {
    const r = await runCli(flags(), env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/provisioned already \(use --force/);
  });

  it('names every missing flag at once and never asks when there is no terminal', async () => {
    const r = await runCli(
      ['provision', '--config-dir', join(dir, 'x'), '--data-dir', join(dir, 'xd'), '--no-input'],
      {},
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /missing: --site-id, --nvr-host, --nvr-password-file .*, --camera \(or --cameras auto\), --broker-url/,
    );
  });

  it('rejects a bad site id with exit 78 before making any key, and a broker URL with a password', async () => {
    const bad = await runCli(flags(['--force', '--config-dir', join(dir, 'bad'), '--site-id', 'Shop 42']), env);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/\/site\/id/);
    expect(existsSync(join(dir, 'bad', 'secrets', 'web.key'))).toBe(false);
    const creds = await runCli(
      flags(['--force', '--config-dir', join(dir, 'bad2'), '--broker-url', 'mqtts://u:hunter2@b:8883']),
      env,
    );
    expect(creds.code).toBe(2);
    expect(creds.stderr).not.toContain('hunter2');
    writeFileSync(join(dir, 'weak'), 'alice123');
    const weak = await runCli(
      flags(['--force', '--config-dir', join(dir, 'bad3'), '--manager-password-file', join(dir, 'weak')]),
      env,
    );
    expect(weak.stderr).toMatch(/too weak: at least 12 characters/);
    const button = await runCli(flags(['--force', '--config-dir', join(dir, 'bad4'), '--button', 'usb:1']), env);
    expect(button.stderr).toMatch(/start with gpio:, keyboard: or nvr-io:/);
  });
});

describe('offline enrolment', () => {
  const respond = (over: Record<string, unknown> = {}, csrFile = join(etc, 'pki/mqtt-client.csr')) => {
    const req = JSON.parse(readFileSync(join(etc, 'enrolment/request.json'), 'utf8')) as EnrolmentRequest;
    const certFile = join(dir, 'client.pem');
    openssl(
      'x509',
      '-req',
      '-in',
      csrFile,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-out',
      certFile,
      '-days',
      '365',
    );
    const hubKey = join(dir, 'hub-signing.pub');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, 'hub.key')]);
    execFileSync('openssl', ['pkey', '-in', join(dir, 'hub.key'), '-pubout', '-out', hubKey]);
    // The hub's X25519 key: packets are encrypted to it by default, so every response carries it.
    const hubEnc = join(dir, 'hub-encryption.pub');
    execFileSync('openssl', ['genpkey', '-algorithm', 'x25519', '-out', join(dir, 'hub-encryption.key')]);
    execFileSync('openssl', ['pkey', '-in', join(dir, 'hub-encryption.key'), '-pubout', '-out', hubEnc]);
    const file = join(dir, `response-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        format: RESPONSE_FORMAT,
        siteId: req.siteId,
        deviceId: req.deviceId,
        certificate: readFileSync(certFile, 'utf8'),
        ca: readFileSync(ca.cert, 'utf8'),
        hubSigningKeys: [readFileSync(hubKey, 'utf8')],
        hubEncryptionKey: readFileSync(hubEnc, 'utf8'),
        ...over,
      }),
    );
    return file;
  };

  it('refuses a certificate made for another key', async () => {
    const otherCsr = join(dir, 'other.csr');
    await makeClientCsr({ keyFile: join(dir, 'other.key'), csrFile: otherCsr, siteId: 'shop-042', deviceId: 'other' });
    const r = await runCli([
      'provision',
      '--accept-enrolment',
      respond({}, otherCsr),
      '--config-dir',
      etc,
      '--data-dir',
      data,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not for this device's MQTT key/);
    const wrongSite = await runCli([
      'provision',
      '--accept-enrolment',
      respond({ siteId: 'shop-999' }),
      '--config-dir',
      etc,
      '--data-dir',
      data,
    ]);
    expect(wrongSite.stderr).toMatch(/for site "shop-999", this device is shop-042/);
    // Packets are encrypted by default, so a hub that sends no encryption key is named before anything is written.
    const noKey = await runCli([
      'provision',
      '--accept-enrolment',
      respond({ hubEncryptionKey: undefined }),
      '--config-dir',
      etc,
      '--data-dir',
      data,
    ]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/the hub sent no encryption key \(give the hub an encryptionKey\)/);
  });

  it("installs the hub's certificate and keys, and the config still validates", async () => {
    const r = await runCli(['provision', '--accept-enrolment', respond(), '--config-dir', etc, '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const config = readFileSync(join(etc, 'config.yaml'), 'utf8');
    expect(config).toMatch(/cert: pki\/mqtt-client\.pem/);
    expect(config).toMatch(/signingKeys:\n\s+- pki\/hub-signing-1\.pem/);
    expect(config).toMatch(/encryptionKey: pki\/hub-encryption\.pem/);
    const v = await runCli(['config', 'validate', join(etc, 'config.yaml')]);
    expect(v.code).toBe(0);
    const doctor = await runCli(['doctor', '--config', join(etc, 'config.yaml'), '--data-dir', data, '--json'], env);
    const enrol = (
      JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }
    ).checks.find((c) => c.id === 'enrolment');
    expect(enrol).toMatchObject({ status: 'ok', detail: 'enrolled as shop-042; 1 hub key(s)' });
    const certs = (
      JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }
    ).checks.find((c) => c.id === 'certificates');
    expect(certs?.detail).toMatch(/mqtt\.ca: \d+ days left; mqtt\.cert: \d+ days left; web\.tlsCert: \d+ days left/);
  });

  it('--web-cert-only makes a new web certificate and leaves the rest', async () => {
    const before = new X509Certificate(readFileSync(join(etc, 'pki/web.crt'))).serialNumber;
    const key = readFileSync(join(etc, 'secrets/mqtt-client.key'), 'utf8');
    const r = await runCli(['provision', '--web-cert-only', '--config-dir', etc], env);
    expect(r.code).toBe(0);
    expect(new X509Certificate(readFileSync(join(etc, 'pki/web.crt'))).serialNumber).not.toBe(before);
    expect(readFileSync(join(etc, 'secrets/mqtt-client.key'), 'utf8')).toBe(key);
    expect(mode(join(etc, 'secrets/web.key'))).toBe('600');
  });
});

describe('interactive provisioning', () => {
  it('asks for what the flags did not give, secrets without echo, and builds the same answers', async () => {
    const { values } = parseArgs({
      args: ['--site-id', 'shop-007'],
      options: { 'site-id': { type: 'string' } },
      strict: false,
    });
    const p = scriptedPrompter([
      'Bakery',
      '10.0.0.5',
      '',
      '',
      'nvr-pw',
      '1:Till,3:Back',
      'keyboard:Big Red Button,key=KEY_F13',
      'mqtts://b:8883',
      '',
      'bob',
      MGR_PW,
      '10.0.0.9',
      '',
    ]);
    const g = await gather(values as Parameters<typeof gather>[0], {}, p, {
      listCameras: async () => ({ error: 'no answer within 5000 ms' }),
    });
    expect(p.asked[0]).toMatch(/Shop name/);
    expect(p.asked.find((q) => /Cameras/.test(q))).toMatch(/did not list its cameras \(no answer within 5000 ms\)/);
    expect(g.answers).toMatchObject({
      siteId: 'shop-007',
      siteName: 'Bakery',
      nvr: { host: '10.0.0.5', port: 80, username: 'admin' },
      cameras: [
        { id: 1, name: 'Till' },
        { id: 3, name: 'Back' },
      ],
      buttons: [{ kind: 'keyboard', device: 'Big Red Button', key: 'KEY_F13', camera: 1 }],
      brokerUrl: 'mqtts://b:8883',
      web: { bind: '10.0.0.9', port: 8443 },
    });
    expect(g.nvrPassword).toBe('nvr-pw');
    expect(g.manager).toEqual({ username: 'bob', password: MGR_PW });
  });

  it("offers a search of the shop LAN for the NVR ('search'), lists what answered and takes the choice", async () => {
    const interfaces: string[] = [];
    const findRecorders = async (iface: string) => {
      interfaces.push(iface);
      return [
        { address: '10.0.0.21', xaddrs: [], name: 'Door cam', hardware: 'DS-2CD2143', isapi: 'no' as const },
        { address: '10.0.0.5', xaddrs: [], name: 'Shop NVR', hardware: 'DS-7608NI', isapi: 'login' as const },
      ];
    };
    const answers = (pick: string) => [
      '',
      'search',
      'eth1',
      pick,
      '',
      '',
      'nvr-pw',
      '1:Till',
      'none',
      'mqtts://b:8883',
      '',
      'bob',
      MGR_PW,
      '',
      '',
    ];
    const noCameras = async () => ({ error: 'no answer' });
    const p = scriptedPrompter(answers('2'));
    const g = await gather({ 'site-id': 'shop-007' } as Parameters<typeof gather>[0], {}, p, {
      listCameras: noCameras,
      findRecorders,
    });
    expect(interfaces).toEqual(['eth1']);
    const listing = p.asked.find((q) => /Found on eth1/.test(q));
    expect(listing).toContain('  2  10.0.0.5  DS-7608NI  Shop NVR  ISAPI (login needed)');
    expect(g.answers.nvr.host).toBe('10.0.0.5');
    // Nothing answered: the reason is given and the address is asked for by hand.
    const quiet = scriptedPrompter(answers('10.0.0.7'));
    const g2 = await gather({ 'site-id': 'shop-007' } as Parameters<typeof gather>[0], {}, quiet, {
      listCameras: noCameras,
      findRecorders: async () => [],
    });
    expect(quiet.asked.find((q) => /nothing answered on eth1 within 3 s/.test(q))).toBeTruthy();
    expect(g2.answers.nvr.host).toBe('10.0.0.7');
  });

  it('offers the cameras the NVR lists and takes the installer’s choice; --cameras picks them in scripts', async () => {
    const found = [
      { id: 1, name: 'Camera 1' },
      { id: 2, name: 'Door' },
      { id: 3, name: 'Back' },
    ];
    const seen: unknown[] = [];
    const listCameras = async (t: unknown) => {
      seen.push(t);
      return { cameras: found };
    };
    const p = scriptedPrompter([
      '',
      '10.0.0.5',
      '',
      '',
      'nvr-pw',
      '3, 2',
      'none',
      'mqtts://b:8883',
      '',
      'bob',
      MGR_PW,
      '',
      '',
    ]);
    const g = await gather({ 'site-id': 'shop-007' } as Parameters<typeof gather>[0], {}, p, { listCameras });
    expect(p.asked.find((q) => /Cameras on the NVR/.test(q))).toContain('  2  Door');
    expect(g.answers.cameras).toEqual([found[2], found[1]]);
    expect(seen[0]).toMatchObject({ host: '10.0.0.5', port: 80, username: 'admin', password: 'nvr-pw' });
    const scripted = (cameras: string) =>
      gather(
        {
          'site-id': 'shop-007',
          'nvr-host': '10.0.0.5',
          'broker-url': 'mqtts://b:8883',
          cameras,
        } as Parameters<typeof gather>[0],
        { BCRP_EDGE_NVR_PASSWORD: 'nvr-pw' },
        undefined,
        { listCameras },
      );
    expect((await scripted('auto')).answers.cameras).toEqual(found);
    expect((await scripted('2')).answers.cameras).toEqual([found[1]]);
    await expect(scripted('7')).rejects.toThrow(/"7" is not a camera on this NVR \(it has 1, 2, 3\)/);
    await expect(
      gather(
        { 'site-id': 's-1', 'nvr-host': 'h', 'broker-url': 'mqtts://b', cameras: 'auto' } as Parameters<
          typeof gather
        >[0],
        { BCRP_EDGE_NVR_PASSWORD: 'pw' },
        undefined,
        { listCameras: async () => ({ error: 'the NVR refused the user name or password' }) },
      ),
    ).rejects.toThrow(/--cameras auto: the NVR refused/);
  });

  it('password hashes are salted and self-describing', async () => {
    const a = await hashPassword('correct horse battery', { ln: 10, r: 8, p: 1 });
    const b = await hashPassword('correct horse battery', { ln: 10, r: 8, p: 1 });
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse battery', 'plain')).toBe(false);
  });
});

describe('hub side of enrolment', () => {
  const hubKeys = () => {
    const pub = join(dir, 'hub-approve.pub');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, 'hub-approve.key')]);
    execFileSync('openssl', ['pkey', '-in', join(dir, 'hub-approve.key'), '-pubout', '-out', pub]);
    execFileSync('openssl', ['genpkey', '-algorithm', 'x25519', '-out', join(dir, 'hub-approve-enc.key')]);
    execFileSync('openssl', [
      'pkey',
      '-in',
      join(dir, 'hub-approve-enc.key'),
      '-pubout',
      '-out',
      join(dir, 'hub-approve-enc.pub'),
    ]);
    return [pub];
  };
  const opts = (over: Partial<ApproveOptions> = {}): ApproveOptions => ({
    code: 'ABCD-1234',
    siteId: 'shop-042',
    caCertFile: ca.cert,
    caKeyFile: ca.key,
    hubSigningKeyFiles: hubKeys(),
    hubEncryptionKeyFile: join(dir, 'hub-approve-enc.pub'),
    ...over,
  });
  const request = () => JSON.parse(readFileSync(join(etc, 'enrolment/request.json'), 'utf8')) as EnrolmentRequest;

  it('refuses a wrong code, another site, and a request changed after the code proof was made', async () => {
    await expect(approveEnrolment(request(), opts({ code: 'WXYZ-0000' }))).rejects.toMatchObject({
      details: ['the enrolment code does not match (wrong code, or the request was changed)'],
    });
    await expect(approveEnrolment(request(), opts({ siteId: 'shop-043' }))).rejects.toMatchObject({
      details: [expect.stringMatching(/for site "shop-042", the code is for shop-043/)],
    });
    const swapped = { ...request(), signingPublicKey: readFileSync(join(dir, 'hub-approve.pub'), 'utf8') };
    await expect(approveEnrolment(swapped, opts())).rejects.toThrow(/enrolment refused/);
  });

  it('an approved request round-trips: the device accepts the response the hub made', async () => {
    const response = await approveEnrolment(request(), opts());
    const cert = new X509Certificate(response.certificate);
    expect(cert.subject).toMatch(/CN=shop-042/);
    expect(cert.checkIssued(new X509Certificate(readFileSync(ca.cert)))).toBe(true);
    const file = join(dir, 'approved.json');
    writeFileSync(file, JSON.stringify(response));
    const r = await runCli(['provision', '--accept-enrolment', file, '--config-dir', etc, '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^enrolled: site shop-042/);
  });

  it('hub enrol approves a request file offline: the device is registered and accepts the response', async () => {
    const hubYaml = join(dir, 'hub.yaml');
    const base = {
      mqtt: { url: 'mqtts://broker.partnership.test:8883' },
      store: join(dir, 'hub.sqlite'),
      signingKey: join(dir, 'hub-approve.key'),
      encryptionKey: join(dir, 'hub-approve-enc.key'),
    };
    hubKeys();
    writeFileSync(hubYaml, JSON.stringify(base));
    const out = join(dir, 'offline-response.json');
    const req = join(etc, 'enrolment/request.json');
    const noCa = await runCli([
      'hub',
      'enrol',
      '--request',
      req,
      '--out',
      out,
      '--code',
      'ABCD-1234',
      '--config',
      hubYaml,
    ]);
    expect(noCa.code).not.toBe(0);
    expect(noCa.stderr).toMatch(/hub.yaml has no enrolment section: give enrolment.caCert and enrolment.caKey/);
    writeFileSync(hubYaml, JSON.stringify({ ...base, enrolment: { caCert: ca.cert, caKey: ca.key } }));
    const wrong = await runCli([
      'hub',
      'enrol',
      '--request',
      req,
      '--out',
      out,
      '--code',
      'NOPE-0000',
      '--config',
      hubYaml,
    ]);
    expect(wrong.stderr).toMatch(/code does not match/);
    expect(existsSync(out)).toBe(false);
    const ok = await runCli([
      'hub',
      'enrol',
      '--request',
      req,
      '--out',
      out,
      '--code',
      'ABCD-1234',
      '--config',
      hubYaml,
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/enrolled for shop-042; give .*offline-response.json to the installer/);
    const listed = JSON.parse((await runCli(['hub', 'enrol', 'list', '--all', '--json', '--config', hubYaml])).stdout);
    expect(listed).toEqual([expect.objectContaining({ site: 'shop-042', state: 'approved' })]);
    const devices = JSON.parse((await runCli(['hub', 'devices', '--json', '--config', hubYaml])).stdout);
    expect(devices).toEqual([expect.objectContaining({ site: 'shop-042', state: 'enrolled' })]);
    const r = await runCli(['provision', '--accept-enrolment', out, '--config-dir', etc, '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^enrolled: site shop-042/);
  });
});

describe('terminal prompts', () => {
  it('shows the default, takes it on an empty answer, and does not echo a secret', async () => {
    const { PassThrough } = await import('node:stream');
    const { terminalPrompter } = await import('../../src/cli/prompt.js');
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d) => {
      shown += d;
    });
    const p = terminalPrompter(input, output);
    const port = p.ask('NVR HTTP port', '80');
    input.write('\n');
    expect(await port).toBe('80');
    const pw = p.secret('NVR password');
    input.write('s3cret-typed\n');
    expect(await pw).toBe('s3cret-typed');
    p.close();
    expect(shown).toContain('NVR HTTP port [80]: ');
    expect(shown).toContain('NVR password: ');
    expect(shown).not.toContain('s3cret-typed');
  });
});

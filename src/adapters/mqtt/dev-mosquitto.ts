// A throwaway mosquitto 2.x for tests, the publish benchmark and demos (never production): its own PKI made with
// openssl (EC P-256), mutual TLS with the certificate CN as user name, a per-site ACL, 127.0.0.1 on a free port.
// The caller stops it; it can be restarted on the same port to simulate an outage.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/errors.js';

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

export interface ClientCert {
  cert: string;
  key: string;
}

export interface DevBroker {
  port: number;
  url: string;
  dir: string;
  prefix: string;
  ca: string;
  /** The CA's private key, for a hub that signs device certificates at enrolment (`hub.yaml` enrolment.caKey). */
  caKey: string;
  hub: ClientCert;
  /** The partnership's shared enrolment certificate (CN bcrp-enrol): only <prefix>/_enrol/<client id>/… */
  enrolment: ClientCert;
  device(id: string): ClientCert;
  /** A client certificate signed by a CA the broker does not trust. */
  stranger: ClientCert;
  log(): string;
  /**
   * Revokes a client certificate (e.g. device-shop-001) in the CA's CRL, which the broker checks (`crlfile`).
   * mosquitto reads the CRL when it starts: this restarts it on the same port.
   */
  revoke(id: string): Promise<void>;
  /** Gives the broker a new server certificate (new key, same CA) and restarts it on the same port. */
  renewServerCertificate(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=BCRP Edge test ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

function issue(dir: string, ca: string, stem: string, cn: string, ext: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${stem}.key`], dir);
  openssl(['req', '-new', '-key', `${stem}.key`, '-subj', `/CN=${cn}`, '-out', `${stem}.csr`], dir);
  writeFileSync(join(dir, `${stem}.ext`), ext);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${stem}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      `${stem}.ext`,
      '-out',
      `${stem}.crt`,
    ],
    dir,
  );
}

// A minimal `openssl ca` set-up, only to keep the revocation list: certificates are issued with `x509 -req` above.
function caDatabase(dir: string): void {
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = dev',
      '[dev]',
      `database = ${join(dir, 'index.txt')}`,
      `crlnumber = ${join(dir, 'crlnumber')}`,
      `certificate = ${join(dir, 'ca.crt')}`,
      `private_key = ${join(dir, 'ca.key')}`,
      'default_md = sha256',
      'default_crl_days = 2',
      '',
    ].join('\n'),
  );
  writeCrl(dir);
}

function writeCrl(dir: string): void {
  openssl(['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'ca.crl'], dir);
}

const SERVER_EXT =
  'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n';
const CLIENT_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';

/** The user name (certificate CN) of the shared enrolment certificate. */
export const ENROL_USER = 'bcrp-enrol';

/**
 * The ACL: a device user (its certificate CN) writes only <prefix>/<site>/#, reads only its acks; the hub reads all,
 * writes acks and enrolment answers. The patterns give every client, the shared enrolment certificate included,
 * only its own enrolment topics, keyed by its client id (the request id): a not-yet-enrolled device can ask and
 * hear its answer, and nothing else.
 */
export function renderAcl(prefix: string, devices: readonly { id: string; site: string }[]): string {
  const lines = [
    `pattern write ${prefix}/_enrol/%c/request`,
    `pattern readwrite ${prefix}/_enrol/%c/response`,
    '',
    'user hub',
    `topic read ${prefix}/+/#`,
    `topic write ${prefix}/+/ack/#`,
    `topic write ${prefix}/_enrol/+/response`,
    '',
    `user ${ENROL_USER}`,
    '',
  ];
  for (const d of devices)
    lines.push(
      `user ${d.id}`,
      `topic write ${prefix}/${d.site}/#`,
      `topic read ${prefix}/${d.site}/ack/#`,
      `topic read ${prefix}/${d.site}/status`,
      '',
    );
  return lines.join('\n');
}

export async function startDevMosquitto(
  dir: string,
  devices: readonly { id: string; site: string }[],
  options: { prefix?: string; ttlSeconds?: number } = {},
): Promise<DevBroker> {
  if (!MOSQUITTO) throw new AppError('mosquitto-missing', 'mosquitto is not installed (apt-get install mosquitto)');
  const prefix = options.prefix ?? 'bcrp';
  const certs = join(dir, 'certs');
  mkdirSync(certs, { recursive: true });
  makeCa(certs, 'ca');
  issue(certs, 'ca', 'server', 'localhost', SERVER_EXT);
  issue(certs, 'ca', 'hub', 'hub', CLIENT_EXT);
  issue(certs, 'ca', 'enrol', ENROL_USER, CLIENT_EXT);
  for (const d of devices) issue(certs, 'ca', d.id, d.id, CLIENT_EXT);
  caDatabase(certs);
  makeCa(certs, 'other-ca');
  issue(certs, 'other-ca', 'stranger', devices[0]?.id ?? 'hub', CLIENT_EXT);
  writeFileSync(join(dir, 'acl'), renderAcl(prefix, devices));
  const port = await freePort();
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      // Running as root would otherwise drop to the mosquitto user, who cannot read this temp dir.
      `user ${userInfo().username}`,
      'per_listener_settings false',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      'connection_messages true',
      'allow_anonymous false',
      `acl_file ${join(dir, 'acl')}`,
      'max_inflight_messages 100',
      'set_tcp_nodelay true',
      'max_queued_messages 10000',
      'message_size_limit 4194304',
      `listener ${port} 127.0.0.1`,
      'protocol mqtt',
      `cafile ${join(certs, 'ca.crt')}`,
      `certfile ${join(certs, 'server.crt')}`,
      `keyfile ${join(certs, 'server.key')}`,
      'tls_version tlsv1.2',
      'require_certificate true',
      `crlfile ${join(certs, 'ca.crl')}`,
      'use_identity_as_username true',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    if (child) return;
    const argv = [MOSQUITTO!, '-c', join(dir, 'mosquitto.conf')];
    // A safety net: if whoever started it dies without stopping it, the broker still goes away.
    const c = options.ttlSeconds
      ? spawn('timeout', [String(options.ttlSeconds), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', (d) => {
      output += d;
    });
    c.stderr?.on('data', (d) => {
      output += d;
    });
    c.on('exit', () => {
      if (child === c) child = undefined;
    });
    const end = performance.now() + 10_000;
    const mark = output.length;
    while (!output.slice(mark).includes(' running')) {
      if (!child || performance.now() > end)
        throw new AppError('mosquitto-failed', `mosquitto did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = async () => {
    const c = child;
    if (!c) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    child = undefined;
  };
  await start();
  const pair = (stem: string): ClientCert => ({ cert: join(certs, `${stem}.crt`), key: join(certs, `${stem}.key`) });
  return {
    port,
    url: `mqtts://127.0.0.1:${port}`,
    dir,
    prefix,
    ca: join(certs, 'ca.crt'),
    caKey: join(certs, 'ca.key'),
    hub: pair('hub'),
    enrolment: pair('enrol'),
    device: (id) => pair(id),
    stranger: pair('stranger'),
    log: () => output,
    async revoke(id) {
      openssl(['ca', '-config', 'ca.cnf', '-revoke', `${id}.crt`], certs);
      writeCrl(certs);
      await stop();
      await start();
    },
    async renewServerCertificate() {
      issue(certs, 'ca', 'server', 'localhost', SERVER_EXT);
      await stop();
      await start();
    },
    stop,
    start,
  };
}

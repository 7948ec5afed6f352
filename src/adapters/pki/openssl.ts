// Keys, certificate requests and the self-signed web certificate, made with the `openssl` command: Node can make
// keys but cannot write X.509 certificates or CSRs, and openssl is on every Debian and Raspberry Pi OS image.
// Private keys are written 0600 from the start (umask), never world-readable even for a moment.
import { execFile, execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/errors.js';

/** `openssl req` options for a fresh unencrypted P-256 key (the curve every TLS stack here accepts). */
const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'] as const;

function openssl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const old = process.umask(0o077);
    const child = execFile('openssl', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new AppError(
            'openssl-failed',
            missing
              ? 'openssl not found: apt-get install openssl'
              : `openssl ${args[0]} failed: ${stderr.trim().split('\n')[0]}`,
          ),
        );
      } else resolve(stdout);
    });
    process.umask(old);
    // openssl may exit without reading stdin (it reads none for most commands): writing to it then fails with EPIPE,
    // which must not crash the process; the exit status above says whether openssl succeeded.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}

/** The subject of a PEM CSR, checking its self-signature first ("CN=shop-042, OU=…"). */
export async function csrSubject(csrPem: string): Promise<string> {
  const out = await openssl(['req', '-noout', '-verify', '-subject', '-nameopt', 'sep_comma_plus_space'], csrPem);
  return out.replace(/^.*subject=\s*/s, '').trim();
}

/** Signs a CSR as a TLS client certificate with the partnership CA (the hub side of enrolment). */
export async function signClientCsr(o: {
  csrPem: string;
  caCertFile: string;
  caKeyFile: string;
  days: number;
}): Promise<string> {
  // openssl reads the extensions from a file: a private temporary one, removed whatever happens.
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-csr-'));
  const ext = join(dir, 'client-ext.cnf');
  writeFileSync(
    ext,
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
  );
  try {
    return await openssl(
      [
        'x509',
        '-req',
        '-CA',
        o.caCertFile,
        '-CAkey',
        o.caKeyFile,
        '-set_serial',
        `0x${randomBytes(16).toString('hex')}`,
        '-days',
        String(o.days),
        '-extfile',
        ext,
      ],
      o.csrPem,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A self-signed P-256 certificate: subject as openssl writes it (`/CN=…`), the names it is valid for. */
export interface SelfSignedRequest {
  certFile: string;
  keyFile: string;
  subject: string;
  days: number;
  /** Host names and IP addresses, written as subjectAltName. */
  names?: string[];
  /** More `-addext` values, e.g. `extendedKeyUsage=serverAuth` or `basicConstraints=critical,CA:TRUE`. */
  extensions?: string[];
  /**
   * The start of the validity period, from the caller's clock (a test's fixed clock). Without it openssl dates the
   * certificate from the system time. OpenSSL 3.0's `req -x509` cannot be given a start, so this path makes a
   * request and has `openssl ca -selfsign` sign it with an explicit -startdate/-enddate.
   */
  validFrom?: Date;
}

/** `YYYYMMDDHHMMSSZ`, the form `openssl ca -startdate/-enddate` takes. */
const opensslTime = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/** The openssl runs that make the certificate, in order; `work` is a private directory for the dated path. */
function selfSignedSteps(o: SelfSignedRequest, work: () => string): string[][] {
  const san = (o.names ?? []).map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const extensions = [...(san ? [`subjectAltName=${san}`] : []), ...(o.extensions ?? [])];
  const addext = extensions.flatMap((e) => ['-addext', e]);
  if (!o.validFrom) {
    return [
      ['req', '-x509', ...NEW_P256_KEY, '-keyout', o.keyFile, '-out', o.certFile, '-days', String(o.days)]
        .concat(['-subj', o.subject])
        .concat(addext),
    ];
  }
  const dir = work();
  const csr = join(dir, 'request.csr');
  const config = join(dir, 'ca.cnf');
  writeFileSync(join(dir, 'index.txt'), '');
  // A throwaway CA database: the request's extensions are copied as they are, its subject kept whole.
  writeFileSync(
    config,
    `[ca]\ndefault_ca = this\n[this]\ndatabase = ${join(dir, 'index.txt')}\nnew_certs_dir = ${dir}\nrand_serial = yes\ndefault_md = sha256\npolicy = any\ncopy_extensions = copyall\nunique_subject = no\n[any]\n`,
  );
  const end = new Date(o.validFrom.getTime() + o.days * 86_400_000);
  return [
    ['req', '-new', ...NEW_P256_KEY, '-keyout', o.keyFile, '-out', csr, '-subj', o.subject, ...addext],
    [
      'ca',
      '-batch',
      '-selfsign',
      '-preserveDN',
      '-notext',
      '-config',
      config,
      '-keyfile',
      o.keyFile,
      '-in',
      csr,
    ].concat(['-out', o.certFile, '-startdate', opensslTime(o.validFrom), '-enddate', opensslTime(end)]),
  ];
}

export async function makeSelfSigned(o: SelfSignedRequest): Promise<void> {
  let dir: string | undefined;
  try {
    for (const args of selfSignedSteps(o, () => (dir = mkdtempSync(join(tmpdir(), 'bcrp-cert-'))))) await openssl(args);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  chmodSync(o.keyFile, 0o600);
  chmodSync(o.certFile, 0o644);
}

/** The same, blocking: for start-up paths (the demo's throwaway certificate) and test set-up. */
export function makeSelfSignedSync(o: SelfSignedRequest): void {
  const old = process.umask(0o077);
  let dir: string | undefined;
  try {
    for (const args of selfSignedSteps(o, () => (dir = mkdtempSync(join(tmpdir(), 'bcrp-cert-')))))
      execFileSync('openssl', args, { stdio: 'ignore', timeout: 30_000 });
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AppError(
      'openssl-failed',
      missing ? 'openssl not found: apt-get install openssl' : 'openssl could not make a certificate',
      { cause: e },
    );
  } finally {
    process.umask(old);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  chmodSync(o.keyFile, 0o600);
  chmodSync(o.certFile, 0o644);
}

/** A self-signed P-256 certificate for the web UI, valid for `days`, naming each address staff may type. */
export async function makeWebCertificate(o: {
  certFile: string;
  keyFile: string;
  commonName: string;
  names: string[];
  days: number;
}): Promise<void> {
  await makeSelfSigned({
    certFile: o.certFile,
    keyFile: o.keyFile,
    subject: `/O=BCRP Edge/CN=${o.commonName}`,
    names: o.names,
    days: o.days,
    extensions: ['extendedKeyUsage=serverAuth'],
  });
}

/** The MQTT client key and a CSR for the hub to sign: CN is the site id (the broker ACL keys on it). */
export async function makeClientCsr(o: {
  keyFile: string;
  csrFile: string;
  siteId: string;
  deviceId: string;
}): Promise<void> {
  await openssl([
    'req',
    '-new',
    ...NEW_P256_KEY,
    '-keyout',
    o.keyFile,
    '-out',
    o.csrFile,
    '-subj',
    `/O=BCRP Edge/OU=${o.deviceId}/CN=${o.siteId}`,
  ]);
  chmodSync(o.keyFile, 0o600);
  chmodSync(o.csrFile, 0o644);
}

/** The device's Ed25519 packet-signing key pair (PKCS#8 / SPKI PEM). */
export function makeSigningKey(o: { keyFile: string; publicFile: string }): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(o.keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'w' });
  chmodSync(o.keyFile, 0o600);
  const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  writeFileSync(o.publicFile, pub, { mode: 0o644 });
  return pub;
}

/** True when the certificate carries the public half of the private key in keyPem. */
export function certificateMatchesKey(certPem: string, keyPem: string): boolean {
  const cert = new X509Certificate(certPem);
  const a = cert.publicKey.export({ type: 'spki', format: 'der' });
  const b = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return Buffer.compare(a, b) === 0;
}

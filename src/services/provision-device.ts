// Provisioning a new appliance once the installer's answers are in: the configuration directory with its secrets,
// the web certificate, the MQTT client key and CSR, the device signing key, a validated config.yaml, the offline
// enrolment request, and the store's record of it all (with the first manager account).
import { X509Certificate } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { hashPassword, weakPasswordReason } from '../core/password-hash.js';
import type { Clock } from '../core/ports/clock.js';
import type { IdSource } from '../core/ports/ids.js';
import type {
  ConfigDirectory,
  DevicePki,
  InstallerFiles,
  ServiceOwner,
  ValidatedConfig,
  WithProvisioningRecords,
} from '../core/ports/provisioning.js';
import { auditConfigChange } from './config-audit.js';
import { handOverFiles, writeEnrolmentRequest } from './enrolment.js';
import {
  buildConfig,
  codeProof,
  type EnrolmentRequest,
  LAYOUT,
  type ProvisionAnswers,
  REQUEST_FORMAT,
} from './provisioning.js';
import { WEB_CERT_DAYS, webCertificateNames } from './web-certificate.js';

/** A secret file named by `flag`, without its final newline; a UsageError names the flag when it cannot be read. */
export function readSecret(files: InstallerFiles, file: string, flag: string): string {
  try {
    return files
      .read(file)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file} (${(e as NodeJS.ErrnoException).code})`);
  }
}

/** The first manager account as the installer gave it; a UsageError says why a password is too weak. */
export function managerAccount(username: string, password: string): { username: string; password: string } {
  const weak = weakPasswordReason(password, username);
  if (weak) throw new UsageError(`the manager password is too weak: ${weak}`);
  return { username, password };
}

/** Copies the partnership's shared enrolment certificate and key in (only for enrolling over MQTT). */
export function installEnrolIdentity(
  deps: { dir: ConfigDirectory<unknown>; files: InstallerFiles },
  cert: string | undefined,
  key: string | undefined,
): void {
  if (!cert || !key) throw new UsageError('--enrol-cert and --enrol-key go together (the partnership gives both)');
  try {
    new X509Certificate(deps.files.read(cert));
  } catch {
    throw new UsageError(`--enrol-cert ${cert} is not a readable PEM certificate`);
  }
  deps.dir.writePrivate(LAYOUT.enrolKey, readSecret(deps.files, key, '--enrol-key'));
  deps.dir.copyIn(LAYOUT.enrolCert, cert, 0o644);
}

export interface NewDevice {
  answers: ProvisionAnswers;
  nvrPassword: string;
  manager: { username: string; password: string } | undefined;
  brokerCaFile: string | undefined;
  webNames: string[];
  enrolmentCode: string | undefined;
  /** The shared enrolment certificate and key to copy in, when either was given. */
  enrolIdentity: { cert: string | undefined; key: string | undefined } | undefined;
  /** This machine's host name, for the web certificate. */
  host: string;
}

export interface ProvisionDeps<C> {
  pki: DevicePki;
  dir: ConfigDirectory<C>;
  files: InstallerFiles;
  withRecords: WithProvisioningRecords;
  clock: Clock;
  ids: IdSource;
  /** The service user the files go to once written (`--owner`); checked before anything is written. */
  owner?: ServiceOwner;
}

export interface ProvisionedDevice<C> {
  deviceId: string;
  loaded: ValidatedConfig<C>;
  webCertificateNames: string[];
  enrolmentRequest: string;
}

export async function provisionDevice<C>(deps: ProvisionDeps<C>, d: NewDevice): Promise<ProvisionedDevice<C>> {
  const { dir, pki, clock } = deps;
  const a = d.answers;
  deps.owner?.ownership.check(deps.owner.name);
  const deviceId = deps.ids.next();
  dir.prepareLayout();

  dir.writePrivate(LAYOUT.nvrPassword, d.nvrPassword);
  // Check the answers against the schema before any key is made (the certificate paths do not exist yet).
  const { web: _web, mqtt, ...rest } = buildConfig(a) as { web: object; mqtt: { url: string } };
  dir.checkConfig({ ...rest, mqtt: { url: mqtt.url } });
  if (d.brokerCaFile) {
    try {
      new X509Certificate(deps.files.read(d.brokerCaFile));
    } catch {
      throw new UsageError(`--broker-ca ${d.brokerCaFile} is not a readable PEM certificate`);
    }
    dir.copyIn(LAYOUT.brokerCa, d.brokerCaFile, 0o644);
  }
  if (d.enrolIdentity) installEnrolIdentity(deps, d.enrolIdentity.cert, d.enrolIdentity.key);
  const names = webCertificateNames(d.host, a.web.bind, d.webNames);
  await pki.makeWebCertificate({
    certFile: dir.path(LAYOUT.webCert),
    keyFile: dir.path(LAYOUT.webKey),
    commonName: `${a.siteId} bcrp-edge`,
    names,
    days: WEB_CERT_DAYS,
  });
  await pki.makeClientCsr({
    keyFile: dir.path(LAYOUT.mqttKey),
    csrFile: dir.path(LAYOUT.mqttCsr),
    siteId: a.siteId,
    deviceId,
  });
  const signingPublicKey = pki.makeSigningKey({
    keyFile: dir.path(LAYOUT.signingKey),
    publicFile: dir.path(LAYOUT.signingPublic),
  });

  const loaded = dir.writeValidatedConfig(buildConfig(a));

  const csr = dir.readText(LAYOUT.mqttCsr);
  const request: EnrolmentRequest = {
    format: REQUEST_FORMAT,
    siteId: a.siteId,
    deviceId,
    createdAt: clock.now().toISOString(),
    csr,
    signingPublicKey,
    codeProof: null,
  };
  if (d.enrolmentCode) request.codeProof = codeProof(d.enrolmentCode, request);
  writeEnrolmentRequest(dir, request);

  await deps.withRecords(async ({ audit, history, setAccount }) => {
    audit.append({
      actor: 'installer',
      action: 'provision',
      subject: a.siteId,
      details: {
        deviceId,
        cameras: a.cameras.map((c) => c.id),
        buttons: a.buttons.map((b) => b.kind),
        nvr: `${a.nvr.kind} ${a.nvr.host}:${a.nvr.port}`,
        broker: new URL(a.brokerUrl).host,
      },
    });
    auditConfigChange({ audit, history }, loaded.config, {
      actor: 'installer',
      reason: 'provision',
      subject: a.siteId,
    });
    if (d.manager) {
      const what = setAccount({
        username: d.manager.username,
        passwordHash: await hashPassword(d.manager.password),
        role: 'manager',
        now: clock.now(),
      });
      audit.append({
        actor: 'installer',
        action: 'user-change',
        subject: d.manager.username,
        details: { role: 'manager', change: what },
      });
    }
  });
  handOverFiles(dir, deps.owner);
  return { deviceId, loaded, webCertificateNames: names, enrolmentRequest: dir.path(LAYOUT.enrolmentRequest) };
}

// Installing the hub's answer to an enrolment request, whether it came as a file (--accept-enrolment) or over MQTT:
// the answer is checked against this device, its certificate and keys are written, config.yaml is pointed at them,
// and the change is audited.
import { X509Certificate } from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type {
  ConfigDirectory,
  DevicePki,
  InstallerFiles,
  ServiceOwner,
  WithProvisioningRecords,
} from '../core/ports/provisioning.js';
import { auditConfigChange } from './config-audit.js';
import { type EnrolmentRequest, type EnrolmentResponse, LAYOUT, responseProblems } from './provisioning.js';

/** The request provisioning left in the configuration directory; without it the device is not provisioned. */
export function readEnrolmentRequest(dir: ConfigDirectory<unknown>): EnrolmentRequest {
  try {
    return JSON.parse(dir.readText(LAYOUT.enrolmentRequest)) as EnrolmentRequest;
  } catch (e) {
    throw new AppError(
      'not-provisioned',
      `cannot read ${dir.path(LAYOUT.enrolmentRequest)} (${(e as NodeJS.ErrnoException).code ?? 'not JSON'}): run bcrp-edge provision first`,
    );
  }
}

/** Rewrites the request with a proof of the one-time enrolment code. */
export function writeEnrolmentRequest(dir: ConfigDirectory<unknown>, request: EnrolmentRequest): void {
  dir.writeText(LAYOUT.enrolmentRequest, `${JSON.stringify(request, null, 2)}\n`, 0o640);
}

export interface EnrolmentInstallDeps {
  pki: Pick<DevicePki, 'certificateMatchesKey'>;
  dir: ConfigDirectory<unknown>;
  withRecords: WithProvisioningRecords;
  clock: Clock;
  /** The service user the files go to once installed (`--owner`). */
  owner?: ServiceOwner;
}

/** Gives the service user its secrets and data, root the rest of the configuration (when an owner was named). */
export function handOverFiles(dir: ConfigDirectory<unknown>, owner: ServiceOwner | undefined): void {
  if (!owner) return;
  owner.ownership.handOver(owner.name, {
    configDir: dir.path('.'),
    secretsDir: dir.path('secrets'),
    dataDir: owner.dataDir,
  });
}

/** The hub's answer as the installer brought it (a JSON file); not checked yet beyond being JSON. */
export function readEnrolmentResponse(files: InstallerFiles, file: string): EnrolmentResponse {
  try {
    return JSON.parse(files.read(file).toString('utf8')) as EnrolmentResponse;
  } catch (e) {
    throw new AppError('enrolment-invalid', `${file} is not a readable JSON file: ${(e as Error).message}`);
  }
}

/** Offline enrolment (`--accept-enrolment FILE`): installs the hub's answer file for the request made here. */
export async function acceptEnrolmentFile(
  deps: EnrolmentInstallDeps & { files: InstallerFiles },
  file: string,
): Promise<{ siteId: string; deviceId: string; config: string }> {
  deps.owner?.ownership.check(deps.owner.name);
  const request = readEnrolmentRequest(deps.dir);
  const response = readEnrolmentResponse(deps.files, file);
  const config = await installEnrolmentResponse(deps, request, response, 'file');
  return { siteId: request.siteId, deviceId: request.deviceId, config };
}

/** Sets `value` at `path` in plain data, making the maps on the way that are missing. */
function setIn(data: Record<string, unknown>, path: string[], value: unknown): void {
  let at = data;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
}

/** Checks the hub's response against this device and installs it; returns the configuration file. */
export async function installEnrolmentResponse(
  deps: EnrolmentInstallDeps,
  request: EnrolmentRequest,
  response: EnrolmentResponse,
  via: 'file' | 'mqtt',
): Promise<string> {
  const { dir } = deps;
  const problems = responseProblems(response, request);
  if (problems.length === 0 && !deps.pki.certificateMatchesKey(response.certificate, dir.readText(LAYOUT.mqttKey)))
    problems.push("the certificate is not for this device's MQTT key");
  if (problems.length === 0) {
    const cert = new X509Certificate(response.certificate);
    if (!/\bCN=([^,\n]+)/.exec(cert.subject)?.[1]?.includes(request.siteId))
      problems.push(`the certificate is not issued to site ${request.siteId}`);
    if (response.ca && !cert.verify(new X509Certificate(response.ca).publicKey))
      problems.push('the certificate was not signed by the CA in the response');
    if (Date.parse(cert.validTo) < deps.clock.now().getTime())
      problems.push(`the certificate expired on ${cert.validTo}`);
  }
  // Packets are encrypted by default: a hub that sends no encryption key could not open them, so say so now rather
  // than writing a configuration that fails to validate. Only an explicit hub.encrypt: false enrols without one.
  const hubSection = dir.readConfigData()['hub'] as { encrypt?: unknown } | undefined;
  if (!response.hubEncryptionKey && hubSection?.encrypt !== false)
    problems.push(
      'the hub sent no encryption key (give the hub an encryptionKey), and this appliance encrypts packets (hub.encrypt)',
    );
  if (problems.length > 0)
    throw new AppError('enrolment-invalid', `the enrolment response cannot be used`, { details: problems });

  dir.writeText(LAYOUT.mqttCert, response.certificate, 0o644);
  if (response.ca) dir.writeText(LAYOUT.brokerCa, response.ca, 0o644);
  const signingKeys = response.hubSigningKeys.map((k, i) => {
    dir.writeText(LAYOUT.hubSigningKey(i), k, 0o644);
    return LAYOUT.hubSigningKey(i);
  });
  if (response.hubEncryptionKey) dir.writeText(LAYOUT.hubEncryptionKey, response.hubEncryptionKey, 0o644);
  const config = dir.readConfigData();
  setIn(config, ['mqtt', 'cert'], LAYOUT.mqttCert);
  setIn(config, ['mqtt', 'key'], LAYOUT.mqttKey);
  if (response.ca) setIn(config, ['mqtt', 'ca'], LAYOUT.brokerCa);
  setIn(config, ['hub', 'signingKeys'], signingKeys);
  // The key provisioning made signs packets and checkpoints from now on; it is set only here, with the hub's keys.
  setIn(config, ['hub', 'deviceKey'], LAYOUT.signingKey);
  if (response.hubEncryptionKey) {
    setIn(config, ['hub', 'encryptionKey'], LAYOUT.hubEncryptionKey);
    setIn(config, ['hub', 'encrypt'], true);
  }
  const loaded = dir.writeValidatedConfig(config);
  await deps.withRecords(({ audit, history }) => {
    audit.append({
      actor: 'installer',
      action: 'enrol',
      subject: request.siteId,
      details: {
        deviceId: request.deviceId,
        certificateSerial: new X509Certificate(response.certificate).serialNumber,
        via,
      },
    });
    auditConfigChange({ audit, history }, loaded.config, {
      actor: 'installer',
      reason: 'enrol',
      subject: request.siteId,
    });
  });
  handOverFiles(dir, deps.owner);
  return loaded.file;
}

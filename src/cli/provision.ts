// `bcrp-edge provision`: sets an appliance up for one shop in one go — site, NVR (password into a 0600 secrets
// file, never the main config), cameras, buttons, broker, first manager account, web certificate, MQTT client key
// + CSR, device signing key and an offline enrolment request — then validates the result with the config loader.
// Scripted with flags, or asks for what is missing when run on a terminal. `--accept-enrolment` installs the hub's
// answer; `--web-cert-only` renews the web certificate.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { MqttBroker } from '../adapters/mqtt/mqtt-broker.js';
import { listCameras } from '../adapters/nvr/isapi/cameras.js';
import { IsapiClient } from '../adapters/nvr/isapi/client.js';
import { type DiscoveredDevice, discover } from '../adapters/nvr/onvif/discovery.js';
import { certificateMatchesKey, makeClientCsr, makeSigningKey, makeWebCertificate } from '../adapters/pki/openssl.js';
import { FileConfigDirectory, localInstallerFiles } from '../adapters/provisioning/config-directory.js';
import { SqliteConfigHistory } from '../adapters/store/sqlite-config-history.js';
import { openDatabase } from '../adapters/store/sqlite-store.js';
import { upsertUser } from '../adapters/store/users.js';
import { dataDir, loadConfigFile } from '../config/load.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { weakPasswordReason } from '../core/password-hash.js';
import { systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import type { WithProvisioningRecords } from '../core/ports/provisioning.js';
import { scrubCredentials } from '../core/secrets.js';
import { installEnrolmentResponse, readEnrolmentRequest, writeEnrolmentRequest } from '../services/enrolment.js';
import { clearResponse, enrolOnline } from '../services/enrolment-online.js';
import { installEnrolIdentity, type NewDevice, provisionDevice, readSecret } from '../services/provision-device.js';
import {
  codeProof,
  type EnrolmentRequest,
  type EnrolmentResponse,
  LAYOUT,
  parseButton,
  parseCamera,
} from '../services/provisioning.js';
import { renewWebCertificate } from '../services/web-certificate.js';
import { parse } from './args.js';
import { CliAuditLog, cliOrigin } from './cli-audit.js';
import { type Command, printJson } from './io.js';
import { type Prompter, terminalPrompter } from './prompt.js';

export const DEFAULT_CONFIG_DIR = '/etc/bcrp-edge';

const options = {
  'config-dir': { type: 'string' },
  'data-dir': { type: 'string', short: 'd' },
  'site-id': { type: 'string' },
  'site-name': { type: 'string' },
  'nvr-host': { type: 'string' },
  'nvr-port': { type: 'string' },
  'nvr-scheme': { type: 'string' },
  'nvr-kind': { type: 'string' },
  'nvr-user': { type: 'string' },
  'nvr-password-file': { type: 'string' },
  camera: { type: 'string', multiple: true },
  cameras: { type: 'string' },
  button: { type: 'string', multiple: true },
  'broker-url': { type: 'string' },
  'broker-ca': { type: 'string' },
  manager: { type: 'string' },
  'manager-password-file': { type: 'string' },
  'web-bind': { type: 'string' },
  'web-port': { type: 'string' },
  'web-name': { type: 'string', multiple: true },
  'enrolment-code': { type: 'string' },
  owner: { type: 'string' },
  force: { type: 'boolean' },
  'no-input': { type: 'boolean' },
  'web-cert-only': { type: 'boolean' },
  'accept-enrolment': { type: 'string' },
  'enrol-online': { type: 'boolean' },
  'enrol-cert': { type: 'string' },
  'enrol-key': { type: 'string' },
  wait: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse<typeof options>>['values'];

const USAGE = `bcrp-edge provision --site-id ID --nvr-host HOST (--camera 1:Till [--camera 2:Door] | --cameras auto|1,2) --broker-url mqtts://HOST:8883
         [--site-name NAME] [--nvr-port 80] [--nvr-scheme http|https] [--nvr-kind hikvision|onvif] [--nvr-user USER]
         [--nvr-password-file FILE | env BCRP_EDGE_NVR_PASSWORD] [--button gpio:17,led=27 | keyboard:DEVICE,key=KEY_F13 | nvr-io:1,output=1]
         [--broker-ca FILE] [--manager NAME --manager-password-file FILE | env BCRP_EDGE_MANAGER_PASSWORD]
         [--web-bind ADDR] [--web-port 8443] [--web-name NAME]... [--enrolment-code CODE] [--owner USER]
         [--config-dir /etc/bcrp-edge] [--data-dir /var/lib/bcrp-edge] [--force] [--no-input] [--json]
         [--enrol-online --enrol-cert FILE --enrol-key FILE [--wait SECONDS]]
       bcrp-edge provision --enrol-online [--enrolment-code CODE] [--enrol-cert FILE --enrol-key FILE] [--wait 600] [--config-dir DIR]
       bcrp-edge provision --accept-enrolment RESPONSE.json [--config-dir DIR] [--data-dir DIR]
       bcrp-edge provision --web-cert-only [--config-dir DIR]`;

export function readSecretFile(file: string, flag: string): string {
  return readSecret(localInstallerFiles, file, flag);
}

function int(v: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`${flag} must be a number from ${min} to ${max}`);
  return Number(v);
}

/** The installer's answers: what provisionDevice takes, less what the command adds itself (host, copied identity). */
interface Gathered extends Omit<NewDevice, 'enrolIdentity' | 'host'> {
  /** Given on a terminal: enrol over MQTT right after provisioning with this shared enrolment certificate. */
  enrolIdentity?: { cert: string; key: string };
}

/** Turns flags (and, when a prompter is given, answers to questions) into everything provisioning needs. Every
 * missing or bad value is reported at once. */
export interface NvrTarget {
  kind: string;
  scheme: string;
  host: string | undefined;
  port: number;
  username: string | undefined;
  password: string | undefined;
}

export type CameraListing = { cameras: { id: number; name: string }[] } | { error: string };

/** Asks the NVR which cameras it has (Hikvision ISAPI), bounded, never throwing: the reason comes back instead. */
export async function camerasFromNvr(t: NvrTarget): Promise<CameraListing> {
  if (t.kind !== 'hikvision') return { error: 'only a Hikvision NVR can list its cameras; give --camera CHANNEL:NAME' };
  if (!t.host || !t.password || !Number.isInteger(t.port)) return { error: 'the NVR address or password is missing' };
  const client = new IsapiClient({
    scheme: t.scheme === 'https' ? 'https' : 'http',
    host: t.host,
    port: t.port,
    username: t.username ?? 'admin',
    password: t.password,
    timeoutMs: 5000,
    retries: 0,
  });
  try {
    const found = await listCameras(client);
    return { cameras: found.map((c) => ({ id: c.id, name: c.name.trim() || `Camera ${c.id}` })) };
  } catch (e) {
    return { error: scrubCredentials((e as Error).message) };
  } finally {
    await client.close();
  }
}

/** "all"/"auto" → every camera found; "1,3" → those channels (each must exist on the NVR). */
export function pickCameras(
  found: { id: number; name: string }[],
  choice: string,
  flag: string,
): { id: number; name: string }[] {
  if (found.length === 0) throw new AppError('nvr-cameras', `${flag}: the NVR lists no cameras`);
  const c = choice.trim().toLowerCase();
  if (c === 'all' || c === 'auto') return found;
  const ids = c.split(',').map((x) => x.trim());
  return ids.map((x) => {
    const cam = /^\d{1,3}$/.test(x) ? found.find((f) => f.id === Number(x)) : undefined;
    if (!cam)
      throw new UsageError(
        `${flag}: ${JSON.stringify(x)} is not a camera on this NVR (it has ${found.map((f) => f.id).join(', ')})`,
      );
    return cam;
  });
}

export interface GatherDeps {
  listCameras: (t: NvrTarget) => Promise<CameraListing>;
  /** `bcrp-edge discover` on one interface: the recorders and cameras that answer a WS-Discovery probe. */
  findRecorders: (interfaceName: string) => Promise<DiscoveredDevice[]>;
}

const recordersOnLan = (interfaceName: string) => discover({ interfaceName, timeoutMs: 3000 });

/** The first non-loopback IPv4 interface: the likeliest shop-LAN port on a Pi or NUC. */
function lanInterface(): string | undefined {
  return Object.entries(networkInterfaces()).find(([, as]) => as?.some((a) => a.family === 'IPv4' && !a.internal))?.[0];
}

/** Runs discovery on the interface the installer names, lists what answered and returns the address chosen. */
async function searchRecorders(prompt: Prompter, find: GatherDeps['findRecorders']): Promise<string | undefined> {
  const iface = (await prompt.ask('Search from which network interface', lanInterface()))?.trim() || lanInterface();
  let found: DiscoveredDevice[] = [];
  let why = '';
  try {
    found = iface ? await find(iface) : [];
    if (!iface) why = 'this machine has no network interface besides loopback';
    else if (found.length === 0) why = `nothing answered on ${iface} within 3 s`;
  } catch (e) {
    why = e instanceof AppError ? e.message : `the search failed: ${(e as Error).message}`;
  }
  if (found.length === 0) return (await prompt.ask(`${why}.\nNVR address on the shop LAN`))?.trim() || undefined;
  const isapi = { yes: 'ISAPI open', login: 'ISAPI (login needed)', no: 'no ISAPI', unknown: 'ISAPI unknown' };
  const list = found
    .map((d, i) => `  ${i + 1}  ${d.address}  ${d.hardware ?? '?'}  ${d.name ?? ''}  ${isapi[d.isapi]}`)
    .join('\n');
  const pick = (await prompt.ask(`Found on ${iface}:\n${list}\nRecorder (number, or type an address)`, '1'))?.trim();
  const n = Number(pick);
  if (Number.isInteger(n) && n >= 1 && n <= found.length) return found[n - 1]!.address;
  return pick || undefined;
}

export async function gather(
  v: Values,
  env: NodeJS.ProcessEnv,
  prompt: Prompter | undefined,
  given: Partial<GatherDeps> = {},
): Promise<Gathered> {
  const deps: GatherDeps = { listCameras: camerasFromNvr, findRecorders: recordersOnLan, ...given };
  const missing: string[] = [];
  const ask = async (flag: string, question: string, current: string | undefined, dflt?: string) => {
    if (current !== undefined) return current;
    const answer = prompt ? (await prompt.ask(question, dflt)) || dflt : dflt;
    if (answer === undefined) missing.push(`--${flag}`);
    return answer;
  };
  const siteId = await ask('site-id', 'Site id given by the partnership (e.g. shop-001)', v['site-id']);
  const siteName =
    v['site-name'] ?? (prompt ? await prompt.ask('Shop name (shown on the web pages only)', '') : undefined);
  let nvrHost = v['nvr-host'];
  if (nvrHost === undefined && prompt) {
    const answer = (await prompt.ask("NVR address on the shop LAN (or 'search' to look for recorders)"))?.trim();
    nvrHost = answer?.toLowerCase() === 'search' ? await searchRecorders(prompt, deps.findRecorders) : answer;
  }
  if (!nvrHost) missing.push('--nvr-host');
  const nvrPort = await ask('nvr-port', 'NVR HTTP port', v['nvr-port'], '80');
  const nvrUser = await ask('nvr-user', 'NVR user name', v['nvr-user'], 'admin');
  let nvrPassword = v['nvr-password-file']
    ? readSecretFile(v['nvr-password-file'], '--nvr-password-file')
    : env['BCRP_EDGE_NVR_PASSWORD'];
  if (nvrPassword === undefined && prompt) nvrPassword = await prompt.secret('NVR password');
  if (!nvrPassword) missing.push('--nvr-password-file (or BCRP_EDGE_NVR_PASSWORD)');
  let cameraSpecs = v.camera ?? [];
  let cameras: { id: number; name: string }[] = [];
  if (v.cameras !== undefined && cameraSpecs.length > 0)
    throw new UsageError('give --camera CHANNEL:NAME or --cameras auto|LIST, not both');
  const nvrTarget = () => ({
    kind: v['nvr-kind'] ?? 'hikvision',
    scheme: v['nvr-scheme'] ?? 'http',
    host: nvrHost,
    port: Number(nvrPort),
    username: nvrUser,
    password: nvrPassword,
  });
  if (v.cameras !== undefined) {
    // Scripted: the NVR must answer, or provisioning stops here with the reason (nothing has been written yet).
    const found = await deps.listCameras(nvrTarget());
    if ('error' in found) throw new AppError('nvr-cameras', `--cameras ${v.cameras}: ${found.error}`);
    cameras = pickCameras(found.cameras, v.cameras, '--cameras');
  } else if (cameraSpecs.length === 0 && prompt) {
    const found =
      nvrHost && nvrPassword ? await deps.listCameras(nvrTarget()) : { error: 'no NVR address or password' };
    if ('cameras' in found && found.cameras.length > 0) {
      const list = found.cameras.map((c) => `  ${c.id}  ${c.name}`).join('\n');
      const line = await prompt.ask(
        `Cameras on the NVR:\n${list}\nCameras to offer (numbers separated by commas, or all)`,
        'all',
      );
      cameras = pickCameras(found.cameras, line || 'all', 'cameras');
    } else {
      const line = await prompt.ask(
        `The NVR did not list its cameras (${'error' in found ? found.error : 'none found'}).\nCameras to offer, as CHANNEL:NAME separated by commas (e.g. 1:Till,2:Door)`,
        '1:Camera 1',
      );
      cameraSpecs = (line ?? '').split(',').filter((s) => s.trim());
    }
  }
  if (cameras.length === 0) {
    if (cameraSpecs.length === 0) missing.push('--camera (or --cameras auto)');
    cameras = cameraSpecs.map(parseCamera);
  }
  const firstCamera = cameras[0]?.id ?? 1;
  let buttonSpecs = v.button ?? [];
  if (buttonSpecs.length === 0 && prompt) {
    const line = await prompt.ask('Button (gpio:17,led=27 | keyboard:DEVICE,key=KEY_F13 | nvr-io:1 | none)', 'none');
    buttonSpecs = line && line !== 'none' ? [line] : [];
  }
  const buttons = buttonSpecs.map((s) => parseButton(s, firstCamera));
  const brokerUrl = await ask('broker-url', 'Partnership broker URL (mqtts://host:8883)', v['broker-url']);
  const brokerCaFile =
    v['broker-ca'] ??
    (prompt ? (await prompt.ask('Broker CA file (PEM), blank for none', '')) || undefined : undefined);
  let manager: Gathered['manager'];
  const managerName = v.manager ?? (prompt ? await prompt.ask('First manager account name', 'manager') : undefined);
  if (managerName) {
    let pw = v['manager-password-file']
      ? readSecretFile(v['manager-password-file'], '--manager-password-file')
      : env['BCRP_EDGE_MANAGER_PASSWORD'];
    if (pw === undefined && prompt) pw = await prompt.secret(`Password for ${managerName} (12 characters or more)`);
    if (!pw) missing.push('--manager-password-file (or BCRP_EDGE_MANAGER_PASSWORD)');
    else {
      const weak = weakPasswordReason(pw, managerName);
      if (weak) throw new UsageError(`the manager password is too weak: ${weak}`);
      manager = { username: managerName, password: pw };
    }
  }
  const webBind = await ask(
    'web-bind',
    'Address the web UI listens on (the shop-LAN address)',
    v['web-bind'],
    '0.0.0.0',
  );
  const enrolmentCode =
    v['enrolment-code'] ??
    (prompt
      ? (await prompt.ask('One-time enrolment code from the partnership (blank: later)', '')) || undefined
      : undefined);

  let enrolIdentity: Gathered['enrolIdentity'];
  if (prompt && enrolmentCode && !v['enrol-online'] && !v['enrol-cert']) {
    const cert = await prompt.ask(
      'To enrol now over MQTT: the enrolment certificate file from the partnership (blank: later, or offline)',
      '',
    );
    if (cert) {
      const key = await prompt.ask('Its key file', cert.replace(/\.(pem|crt)$/, '.key'));
      if (key) enrolIdentity = { cert, key };
    }
  }
  if (missing.length > 0)
    throw new UsageError(`missing: ${missing.join(', ')} (or run it on a terminal to be asked)\nusage: ${USAGE}`);
  if (brokerUrl && /^[a-z]+:\/\/[^/]*@/i.test(brokerUrl))
    throw new UsageError(
      '--broker-url must not carry a user or password: the device signs in with its client certificate',
    );
  const kind = v['nvr-kind'] ?? 'hikvision';
  const scheme = v['nvr-scheme'] ?? 'http';
  if (kind !== 'hikvision' && kind !== 'onvif') throw new UsageError('--nvr-kind is hikvision or onvif');
  if (scheme !== 'http' && scheme !== 'https') throw new UsageError('--nvr-scheme is http or https');
  return {
    answers: {
      siteId: siteId!,
      ...(siteName ? { siteName } : {}),
      nvr: { kind, scheme, host: nvrHost!, port: int(nvrPort, '--nvr-port', 1, 65535)!, username: nvrUser! },
      cameras,
      buttons,
      brokerUrl: brokerUrl!,
      brokerCa: brokerCaFile !== undefined,
      web: { bind: webBind!, port: int(v['web-port'], '--web-port', 1, 65535) ?? 8443 },
    },
    nvrPassword: nvrPassword!,
    manager,
    brokerCaFile,
    webNames: v['web-name'] ?? [],
    enrolmentCode,
    ...(enrolIdentity ? { enrolIdentity } : {}),
  };
}

/** The service user's group, checked before anything is written so a typo in --owner changes nothing. */
function ownerGroup(owner: string): string {
  try {
    return execFileSync('id', ['-gn', owner], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new AppError(
      'no-such-user',
      `cannot give the files to ${owner}: no such user (scripts/install.sh creates bcrp-edge)`,
    );
  }
}

/** The service user owns its secrets (mode 0600) and data; the rest of the config stays root's, group-readable. */
function chownForService(configDir: string, data: string, owner: string): void {
  const group = ownerGroup(owner);
  try {
    execFileSync('chown', ['-R', `root:${group}`, configDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('chown', ['-R', `${owner}:${group}`, join(configDir, 'secrets'), data], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    throw new AppError('chown-failed', `cannot give the files to ${owner}: ${(e as Error).message.split('\n')[0]}`);
  }
}

async function provisionNew(v: Values, io: Parameters<NonNullable<Command['run']>>[1], prompt: Prompter | undefined) {
  const configDir = resolve(v['config-dir'] ?? DEFAULT_CONFIG_DIR);
  const data = dataDir(v['data-dir'], io.env);
  if (existsSync(join(configDir, LAYOUT.config)) && !v.force)
    throw new AppError(
      'already-provisioned',
      `${join(configDir, LAYOUT.config)} exists: this appliance is provisioned already (use --force to start again; keys are made anew)`,
    );
  if (v.owner) ownerGroup(v.owner);
  const g = await gather(v, io.env, prompt);
  if (g.enrolIdentity)
    v = { ...v, 'enrol-online': true, 'enrol-cert': g.enrolIdentity.cert, 'enrol-key': g.enrolIdentity.key };
  const a = g.answers;
  const p = (rel: string) => join(configDir, rel);
  const {
    deviceId,
    loaded,
    webCertificateNames: names,
  } = await provisionDevice(
    {
      pki: { certificateMatchesKey, makeWebCertificate, makeClientCsr, makeSigningKey },
      dir: new FileConfigDirectory(configDir),
      files: localInstallerFiles,
      withRecords: storeRecords(data, io.env),
      clock: systemClock,
      ids: uuidV7Source(systemClock),
    },
    {
      answers: a,
      nvrPassword: g.nvrPassword,
      manager: g.manager,
      brokerCaFile: g.brokerCaFile,
      webNames: g.webNames,
      enrolmentCode: g.enrolmentCode,
      enrolIdentity: v['enrol-cert'] || v['enrol-key'] ? { cert: v['enrol-cert'], key: v['enrol-key'] } : undefined,
      host: hostname(),
    },
  );
  if (v.owner) chownForService(configDir, data, v.owner);

  const result = {
    siteId: a.siteId,
    deviceId,
    config: loaded.file,
    dataDir: data,
    enrolmentRequest: p(LAYOUT.enrolmentRequest),
    webCertificateNames: names,
    manager: g.manager?.username ?? null,
    warnings: loaded.warnings.map((w) => `${w.path}: ${w.message}`),
  };
  if (v['enrol-online']) {
    if (!v.json) io.out(`provisioned site ${a.siteId} (device ${deviceId}); asking the hub to enrol it over MQTT`);
    const enrolled = await enrolOverMqtt(v, io, configDir);
    if (v.json) printJson(io, { ...result, enrolled });
    return;
  }
  if (v.json) printJson(io, result);
  else {
    io.out(`provisioned site ${a.siteId} (device ${deviceId})`);
    io.out(`  config:     ${loaded.file} (validated)`);
    io.out(`  secrets:    ${p('secrets')}/ (NVR password, web key, MQTT client key, signing key; mode 0600)`);
    io.out(`  web UI:     https://${names[0]}:${a.web.port}/  (certificate for ${names.join(', ')})`);
    if (g.manager) io.out(`  manager:    ${g.manager.username}`);
    io.out(
      `  enrolment:  online: bcrp-edge provision --enrol-online --config-dir ${configDir}${g.enrolmentCode ? '' : ' --enrolment-code CODE'}`,
    );
    io.out(
      `              or offline: send ${p(LAYOUT.enrolmentRequest)} to the partnership, then: bcrp-edge provision --accept-enrolment RESPONSE.json --config-dir ${configDir}`,
    );
    io.out('  next:       bcrp-edge doctor');
    for (const w of result.warnings) io.err(`warning: ${w}`);
  }
}

async function acceptEnrolment(v: Values, io: Parameters<NonNullable<Command['run']>>[1], file: string) {
  const configDir = resolve(v['config-dir'] ?? DEFAULT_CONFIG_DIR);
  if (v.owner) ownerGroup(v.owner);
  const request = readEnrolmentRequest(new FileConfigDirectory(configDir));
  let response: EnrolmentResponse;
  try {
    response = JSON.parse(readFileSync(file, 'utf8')) as EnrolmentResponse;
  } catch (e) {
    throw new AppError('enrolment-invalid', `${file} is not a readable JSON file: ${(e as Error).message}`);
  }
  const installed = await installResponse(v, io, configDir, request, response, 'file');
  if (v.json) printJson(io, { enrolled: true, siteId: request.siteId, deviceId: request.deviceId, config: installed });
  else
    io.out(
      `enrolled: site ${request.siteId}, device ${request.deviceId}; ${installed} now uses the hub's certificate and keys`,
    );
}

/**
 * Online enrolment: signs in to the broker with the shared enrolment certificate (client id = the request's id,
 * which the ACL keys on), sends the request and waits for the partnership's decision, then installs the answer
 * exactly as --accept-enrolment does.
 */
async function enrolOverMqtt(
  v: Values,
  io: Parameters<NonNullable<Command['run']>>[1],
  configDir: string,
): Promise<{ siteId: string; deviceId: string; config: string }> {
  const p = (rel: string) => join(configDir, rel);
  if (v.owner) ownerGroup(v.owner);
  if (v['enrol-cert'] || v['enrol-key'])
    installEnrolIdentity(
      { dir: new FileConfigDirectory(configDir), files: localInstallerFiles },
      v['enrol-cert'],
      v['enrol-key'],
    );
  const waitSeconds = int(v.wait, '--wait', 5, 86_400) ?? 600;
  const request = readEnrolmentRequest(new FileConfigDirectory(configDir));
  if (v['enrolment-code']) {
    request.codeProof = codeProof(v['enrolment-code'], request);
    writeEnrolmentRequest(new FileConfigDirectory(configDir), request);
  }
  if (!request.codeProof)
    throw new UsageError('the request carries no proof of the enrolment code: add --enrolment-code CODE');
  if (!existsSync(p(LAYOUT.enrolCert)) || !existsSync(p(LAYOUT.enrolKey)))
    throw new UsageError(
      'no enrolment certificate: give --enrol-cert FILE --enrol-key FILE (from the partnership), or enrol offline with --accept-enrolment',
    );
  const { mqtt } = loadConfigFile(p(LAYOUT.config)).config;
  const broker = new MqttBroker({
    url: mqtt.url,
    clientId: request.deviceId,
    ca: mqtt.ca,
    cert: p(LAYOUT.enrolCert),
    key: p(LAYOUT.enrolKey),
    reconnectPeriodMs: 2000,
    connectTimeoutMs: 10_000,
  });
  try {
    await broker.waitConnected(Math.min(30_000, waitSeconds * 1000));
    const response = await enrolOnline({
      broker,
      topicPrefix: mqtt.topicPrefix,
      request,
      timeoutMs: waitSeconds * 1000,
      republishMs: Number(io.env['BCRP_EDGE_ENROL_REPUBLISH_MS'] ?? 30_000) || 30_000,
      onStatus: (s) => {
        if (s.status === 'pending' && !v.json)
          io.out(`the hub has request ${request.deviceId}; waiting for the partnership to approve it`);
      },
    });
    const installed = await installResponse(v, io, configDir, request, response, 'mqtt');
    await clearResponse(broker, mqtt.topicPrefix, request.deviceId).catch(() => undefined);
    if (!v.json)
      io.out(
        `enrolled: site ${request.siteId}, device ${request.deviceId}; ${installed} now uses the hub's certificate and keys`,
      );
    return { siteId: request.siteId, deviceId: request.deviceId, config: installed };
  } finally {
    await broker.close().catch(() => undefined);
  }
}

/** The appliance store's records as the CLI writes them (the audit names the OS account and terminal). */
function storeRecords(data: string, env: NodeJS.ProcessEnv): WithProvisioningRecords {
  return async (use) => {
    const db = openDatabase(data, { clock: systemClock });
    try {
      return await use({
        audit: new CliAuditLog(db, systemClock, cliOrigin(env)),
        history: new SqliteConfigHistory(db),
        setAccount: (a) => upsertUser(db, a),
      });
    } finally {
      db.close();
    }
  };
}

/** Checks the hub's response against this device and installs it; returns the configuration file. */
async function installResponse(
  v: Values,
  io: Parameters<NonNullable<Command['run']>>[1],
  configDir: string,
  request: EnrolmentRequest,
  response: EnrolmentResponse,
  via: 'file' | 'mqtt',
): Promise<string> {
  const data = dataDir(v['data-dir'], io.env);
  const file = await installEnrolmentResponse(
    {
      pki: { certificateMatchesKey },
      dir: new FileConfigDirectory(configDir),
      withRecords: storeRecords(data, io.env),
      clock: systemClock,
    },
    request,
    response,
    via,
  );
  if (v.owner) chownForService(configDir, data, v.owner);
  return file;
}

async function renewWebCert(v: Values, io: Parameters<NonNullable<Command['run']>>[1]) {
  const configDir = resolve(v['config-dir'] ?? DEFAULT_CONFIG_DIR);
  const r = await renewWebCertificate(
    { pki: { makeWebCertificate }, dir: new FileConfigDirectory(configDir) },
    hostname(),
    v['web-name'] ?? [],
  );
  if (v.json) printJson(io, { renewed: r.certFile, names: r.names, days: r.days });
  else io.out(`renewed ${r.certFile} for ${r.names.join(', ')}, valid ${r.days} days; restart the service to use it`);
}

export const provision: Command = {
  name: 'provision',
  summary: 'set the appliance up for a shop (config, secrets, certificates, first manager, enrolment request)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parse(args, options, USAGE);
    const standaloneEnrol =
      values['enrol-online'] &&
      !values.force &&
      existsSync(join(resolve(values['config-dir'] ?? DEFAULT_CONFIG_DIR), LAYOUT.config));
    if (values['accept-enrolment']) await acceptEnrolment(values, io, values['accept-enrolment']);
    else if (standaloneEnrol) {
      const r = await enrolOverMqtt(values, io, resolve(values['config-dir'] ?? DEFAULT_CONFIG_DIR));
      if (values.json) printJson(io, { enrolled: true, ...r });
    } else if (values['web-cert-only']) await renewWebCert(values, io);
    else {
      const interactive =
        !values['no-input'] && !values.json && process.stdin.isTTY === true && io.env['CI'] === undefined;
      const prompt = interactive ? terminalPrompter() : undefined;
      try {
        await provisionNew(values, io, prompt);
      } finally {
        prompt?.close();
      }
    }
    return ExitCode.ok;
  },
};

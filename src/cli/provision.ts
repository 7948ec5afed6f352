// `bcrp-edge provision`: sets an appliance up for one shop in one go — site, NVR (password into a 0600 secrets
// file, never the main config), cameras, buttons, broker, first manager account, web certificate, MQTT client key
// + CSR, device signing key and an offline enrolment request — then validates the result with the config loader.
// Scripted with flags, or asks for what is missing when run on a terminal. `--accept-enrolment` installs the hub's
// answer; `--web-cert-only` renews the web certificate.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { certificateMatchesKey, makeClientCsr, makeSigningKey, makeWebCertificate } from '../adapters/pki/openssl.js';
import { SqliteAuditLog } from '../adapters/store/sqlite-audit-log.js';
import { openDatabase } from '../adapters/store/sqlite-store.js';
import { upsertUser } from '../adapters/store/users.js';
import { dataDir, loadConfigFile, parseConfig } from '../config/load.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { hashPassword, weakPasswordReason } from '../core/password-hash.js';
import { systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import {
  buildConfig,
  codeProof,
  type EnrolmentRequest,
  type EnrolmentResponse,
  LAYOUT,
  type ProvisionAnswers,
  parseButton,
  parseCamera,
  REQUEST_FORMAT,
  responseProblems,
} from '../services/provisioning.js';
import { parse } from './args.js';
import { type Command, printJson } from './io.js';
import { type Prompter, terminalPrompter } from './prompt.js';

export const DEFAULT_CONFIG_DIR = '/etc/bcrp-edge';
const WEB_CERT_DAYS = 825;

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
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse<typeof options>>['values'];

const USAGE = `bcrp-edge provision --site-id ID --nvr-host HOST --camera 1:Till [--camera 2:Door] --broker-url mqtts://HOST:8883
         [--site-name NAME] [--nvr-port 80] [--nvr-scheme http|https] [--nvr-kind hikvision|onvif] [--nvr-user USER]
         [--nvr-password-file FILE | env BCRP_EDGE_NVR_PASSWORD] [--button gpio:17,led=27 | keyboard:DEVICE,key=KEY_F13 | nvr-io:1,output=1]
         [--broker-ca FILE] [--manager NAME --manager-password-file FILE | env BCRP_EDGE_MANAGER_PASSWORD]
         [--web-bind ADDR] [--web-port 8443] [--web-name NAME]... [--enrolment-code CODE] [--owner USER]
         [--config-dir /etc/bcrp-edge] [--data-dir /var/lib/bcrp-edge] [--force] [--no-input] [--json]
       bcrp-edge provision --accept-enrolment RESPONSE.json [--config-dir DIR] [--data-dir DIR]
       bcrp-edge provision --web-cert-only [--config-dir DIR]`;

export function readSecretFile(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file} (${(e as NodeJS.ErrnoException).code})`);
  }
}

function int(v: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`${flag} must be a number from ${min} to ${max}`);
  return Number(v);
}

interface Gathered {
  answers: ProvisionAnswers;
  nvrPassword: string;
  manager: { username: string; password: string } | undefined;
  brokerCaFile: string | undefined;
  webNames: string[];
  enrolmentCode: string | undefined;
}

/** Turns flags (and, when a prompter is given, answers to questions) into everything provisioning needs. Every
 * missing or bad value is reported at once. */
export async function gather(v: Values, env: NodeJS.ProcessEnv, prompt: Prompter | undefined): Promise<Gathered> {
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
  const nvrHost = await ask('nvr-host', 'NVR address on the shop LAN', v['nvr-host']);
  const nvrPort = await ask('nvr-port', 'NVR HTTP port', v['nvr-port'], '80');
  const nvrUser = await ask('nvr-user', 'NVR user name', v['nvr-user'], 'admin');
  let nvrPassword = v['nvr-password-file']
    ? readSecretFile(v['nvr-password-file'], '--nvr-password-file')
    : env['BCRP_EDGE_NVR_PASSWORD'];
  if (nvrPassword === undefined && prompt) nvrPassword = await prompt.secret('NVR password');
  if (!nvrPassword) missing.push('--nvr-password-file (or BCRP_EDGE_NVR_PASSWORD)');
  let cameraSpecs = v.camera ?? [];
  if (cameraSpecs.length === 0 && prompt) {
    const line = await prompt.ask(
      'Cameras to offer, as CHANNEL:NAME separated by commas (e.g. 1:Till,2:Door)',
      '1:Camera 1',
    );
    cameraSpecs = (line ?? '').split(',').filter((s) => s.trim());
  }
  if (cameraSpecs.length === 0) missing.push('--camera');
  const cameras = cameraSpecs.map(parseCamera);
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
  };
}

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function ensureDirs(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    mkdirSync(join(dir, 'secrets'), { recursive: true, mode: 0o750 });
    mkdirSync(join(dir, 'pki'), { recursive: true, mode: 0o755 });
    mkdirSync(join(dir, 'enrolment'), { recursive: true, mode: 0o750 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError(
      'config-dir',
      code === 'EACCES' || code === 'EPERM'
        ? `cannot write ${dir}: permission denied (run with sudo, or choose --config-dir)`
        : `cannot create ${dir}: ${code ?? (e as Error).message}`,
    );
  }
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

/** Writes config.yaml only if the loader accepts it, so a bad answer never leaves a broken appliance behind. */
function writeValidatedConfig(configDir: string, config: unknown): ReturnType<typeof loadConfigFile> {
  const file = join(configDir, LAYOUT.config);
  const tmp = `${file}.new`;
  writeFileSync(
    tmp,
    `# Written by bcrp-edge provision. Every key is described in docs/configuration.md.\n${stringify(config)}`,
    { mode: 0o640 },
  );
  try {
    const loaded = loadConfigFile(tmp);
    renameSync(tmp, file);
    return { ...loaded, file };
  } finally {
    rmSync(tmp, { force: true });
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
  const a = g.answers;
  const clock = systemClock;
  const deviceId = uuidV7Source(clock).next();
  ensureDirs(configDir);
  const p = (rel: string) => join(configDir, rel);

  writePrivate(p(LAYOUT.nvrPassword), g.nvrPassword);
  // Check the answers against the schema before any key is made (the certificate paths do not exist yet).
  const { web: _web, mqtt, ...rest } = buildConfig(a) as { web: object; mqtt: { url: string } };
  parseConfig(stringify({ ...rest, mqtt: { url: mqtt.url } }), p(LAYOUT.config));
  if (g.brokerCaFile) {
    try {
      new X509Certificate(readFileSync(g.brokerCaFile));
    } catch {
      throw new UsageError(`--broker-ca ${g.brokerCaFile} is not a readable PEM certificate`);
    }
    copyFileSync(g.brokerCaFile, p(LAYOUT.brokerCa));
    chmodSync(p(LAYOUT.brokerCa), 0o644);
  }
  const host = hostname();
  const names = [
    ...new Set([host, `${host}.local`, 'localhost', ...(a.web.bind !== '0.0.0.0' ? [a.web.bind] : []), ...g.webNames]),
  ];
  await makeWebCertificate({
    certFile: p(LAYOUT.webCert),
    keyFile: p(LAYOUT.webKey),
    commonName: `${a.siteId} bcrp-edge`,
    names,
    days: WEB_CERT_DAYS,
  });
  await makeClientCsr({ keyFile: p(LAYOUT.mqttKey), csrFile: p(LAYOUT.mqttCsr), siteId: a.siteId, deviceId });
  const signingPublicKey = makeSigningKey({ keyFile: p(LAYOUT.signingKey), publicFile: p(LAYOUT.signingPublic) });

  const loaded = writeValidatedConfig(configDir, buildConfig(a));

  const csr = readFileSync(p(LAYOUT.mqttCsr), 'utf8');
  const request: EnrolmentRequest = {
    format: REQUEST_FORMAT,
    siteId: a.siteId,
    deviceId,
    createdAt: clock.now().toISOString(),
    csr,
    signingPublicKey,
    codeProof: null,
  };
  if (g.enrolmentCode) request.codeProof = codeProof(g.enrolmentCode, request);
  writeFileSync(p(LAYOUT.enrolmentRequest), `${JSON.stringify(request, null, 2)}\n`, { mode: 0o640 });

  const db = openDatabase(data, { clock });
  try {
    const audit = new SqliteAuditLog(db, clock);
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
    if (g.manager) {
      const what = upsertUser(db, {
        username: g.manager.username,
        passwordHash: await hashPassword(g.manager.password),
        role: 'manager',
        now: clock.now(),
      });
      audit.append({
        actor: 'installer',
        action: 'user-change',
        subject: g.manager.username,
        details: { role: 'manager', change: what },
      });
    }
  } finally {
    db.close();
  }
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
  if (v.json) printJson(io, result);
  else {
    io.out(`provisioned site ${a.siteId} (device ${deviceId})`);
    io.out(`  config:     ${loaded.file} (validated)`);
    io.out(`  secrets:    ${p('secrets')}/ (NVR password, web key, MQTT client key, signing key; mode 0600)`);
    io.out(`  web UI:     https://${names[0]}:${a.web.port}/  (certificate for ${names.join(', ')})`);
    if (g.manager) io.out(`  manager:    ${g.manager.username}`);
    io.out(
      `  enrolment:  send ${p(LAYOUT.enrolmentRequest)} to the partnership${g.enrolmentCode ? '' : ' (no enrolment code given: the hub will ask for one)'},`,
    );
    io.out(`              then: bcrp-edge provision --accept-enrolment RESPONSE.json --config-dir ${configDir}`);
    io.out('  next:       bcrp-edge doctor');
    for (const w of result.warnings) io.err(`warning: ${w}`);
  }
}

async function acceptEnrolment(v: Values, io: Parameters<NonNullable<Command['run']>>[1], file: string) {
  const configDir = resolve(v['config-dir'] ?? DEFAULT_CONFIG_DIR);
  if (v.owner) ownerGroup(v.owner);
  const p = (rel: string) => join(configDir, rel);
  const request = JSON.parse(readFileSync(p(LAYOUT.enrolmentRequest), 'utf8')) as EnrolmentRequest;
  let response: EnrolmentResponse;
  try {
    response = JSON.parse(readFileSync(file, 'utf8')) as EnrolmentResponse;
  } catch (e) {
    throw new AppError('enrolment-invalid', `${file} is not a readable JSON file: ${(e as Error).message}`);
  }
  const problems = responseProblems(response, request);
  if (problems.length === 0 && !certificateMatchesKey(response.certificate, readFileSync(p(LAYOUT.mqttKey), 'utf8')))
    problems.push("the certificate is not for this device's MQTT key");
  if (problems.length === 0) {
    const cert = new X509Certificate(response.certificate);
    if (!/\bCN=([^,\n]+)/.exec(cert.subject)?.[1]?.includes(request.siteId))
      problems.push(`the certificate is not issued to site ${request.siteId}`);
    if (response.ca && !cert.verify(new X509Certificate(response.ca).publicKey))
      problems.push('the certificate was not signed by the CA in the response');
    if (Date.parse(cert.validTo) < Date.now()) problems.push(`the certificate expired on ${cert.validTo}`);
  }
  if (problems.length > 0)
    throw new AppError('enrolment-invalid', `the enrolment response cannot be used`, { details: problems });

  writeFileSync(p(LAYOUT.mqttCert), response.certificate, { mode: 0o644 });
  if (response.ca) writeFileSync(p(LAYOUT.brokerCa), response.ca, { mode: 0o644 });
  const signingKeys = response.hubSigningKeys.map((k, i) => {
    writeFileSync(p(LAYOUT.hubSigningKey(i)), k, { mode: 0o644 });
    return LAYOUT.hubSigningKey(i);
  });
  if (response.hubEncryptionKey) writeFileSync(p(LAYOUT.hubEncryptionKey), response.hubEncryptionKey, { mode: 0o644 });
  const doc = parseDocument(readFileSync(p(LAYOUT.config), 'utf8'));
  doc.setIn(['mqtt', 'cert'], LAYOUT.mqttCert);
  doc.setIn(['mqtt', 'key'], LAYOUT.mqttKey);
  if (response.ca) doc.setIn(['mqtt', 'ca'], LAYOUT.brokerCa);
  doc.setIn(['hub', 'signingKeys'], signingKeys);
  // The key provisioning made signs packets and checkpoints from now on; it is set only here, with the hub's keys.
  doc.setIn(['hub', 'deviceKey'], LAYOUT.signingKey);
  if (response.hubEncryptionKey) {
    doc.setIn(['hub', 'encryptionKey'], LAYOUT.hubEncryptionKey);
    doc.setIn(['hub', 'encrypt'], true);
  }
  const loaded = writeValidatedConfig(configDir, doc.toJS());
  const data = dataDir(v['data-dir'], io.env);
  const db = openDatabase(data, { clock: systemClock });
  try {
    new SqliteAuditLog(db, systemClock).append({
      actor: 'installer',
      action: 'enrol',
      subject: request.siteId,
      details: {
        deviceId: request.deviceId,
        certificateSerial: new X509Certificate(response.certificate).serialNumber,
        via: 'file',
      },
    });
  } finally {
    db.close();
  }
  if (v.owner) chownForService(configDir, data, v.owner);
  if (v.json)
    printJson(io, { enrolled: true, siteId: request.siteId, deviceId: request.deviceId, config: loaded.file });
  else
    io.out(
      `enrolled: site ${request.siteId}, device ${request.deviceId}; ${loaded.file} now uses the hub's certificate and keys`,
    );
}

async function renewWebCert(v: Values, io: Parameters<NonNullable<Command['run']>>[1]) {
  const configDir = resolve(v['config-dir'] ?? DEFAULT_CONFIG_DIR);
  const loaded = loadConfigFile(join(configDir, LAYOUT.config));
  const c = loaded.config;
  if (!c.web.tlsCert || !c.web.tlsKey)
    throw new AppError('no-web-cert', 'the configuration names no web certificate: set web.tlsCert and web.tlsKey');
  const host = hostname();
  const names = [
    ...new Set([
      host,
      `${host}.local`,
      'localhost',
      ...(c.web.bind !== '0.0.0.0' ? [c.web.bind] : []),
      ...(v['web-name'] ?? []),
    ]),
  ];
  await makeWebCertificate({
    certFile: c.web.tlsCert,
    keyFile: c.web.tlsKey,
    commonName: `${c.site.id} bcrp-edge`,
    names,
    days: WEB_CERT_DAYS,
  });
  if (v.json) printJson(io, { renewed: c.web.tlsCert, names, days: WEB_CERT_DAYS });
  else
    io.out(
      `renewed ${c.web.tlsCert} for ${names.join(', ')}, valid ${WEB_CERT_DAYS} days; restart the service to use it`,
    );
}

export const provision: Command = {
  name: 'provision',
  summary: 'set the appliance up for a shop (config, secrets, certificates, first manager, enrolment request)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parse(args, options, USAGE);
    if (values['accept-enrolment']) await acceptEnrolment(values, io, values['accept-enrolment']);
    else if (values['web-cert-only']) await renewWebCert(values, io);
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

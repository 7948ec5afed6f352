// `bcrp-edge provision`: sets an appliance up for one shop in one go — site, NVR (password into a 0600 secrets
// file, never the main config), cameras, buttons, broker, first manager account, web certificate, MQTT client key
// + CSR, device signing key and an offline enrolment request — then validates the result with the config loader.
// Scripted with flags, or asks for what is missing when run on a terminal. `--accept-enrolment` installs the hub's
// answer; `--web-cert-only` renews the web certificate.
import { existsSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { mqttEnrolmentBrokers } from '../adapters/mqtt/enrolment-brokers.js';
import { lanRecorderLookup } from '../adapters/nvr/recorder-lookup.js';
import { certificateMatchesKey, makeClientCsr, makeSigningKey, makeWebCertificate } from '../adapters/pki/openssl.js';
import { FileConfigDirectory, localInstallerFiles } from '../adapters/provisioning/config-directory.js';
import { chownOwnership } from '../adapters/provisioning/service-ownership.js';
import { SqliteConfigHistory } from '../adapters/store/sqlite-config-history.js';
import { openDatabase } from '../adapters/store/sqlite-store.js';
import { upsertUser } from '../adapters/store/users.js';
import { dataDir } from '../config/load.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import type {
  FoundRecorder,
  RecorderLookup,
  ServiceOwner,
  WithProvisioningRecords,
} from '../core/ports/provisioning.js';
import { acceptEnrolmentFile } from '../services/enrolment.js';
import { enrolThroughBroker } from '../services/enrolment-online.js';
import { managerAccount, type NewDevice, provisionDevice, readSecret } from '../services/provision-device.js';
import { LAYOUT, parseButton, parseCamera, pickCameras } from '../services/provisioning.js';
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

/** What the prompts look up on the shop LAN; a test passes its own. */
export type GatherDeps = RecorderLookup;

/** The first non-loopback IPv4 interface: the likeliest shop-LAN port on a Pi or NUC. */
function lanInterface(): string | undefined {
  return Object.entries(networkInterfaces()).find(([, as]) => as?.some((a) => a.family === 'IPv4' && !a.internal))?.[0];
}

/** Runs discovery on the interface the installer names, lists what answered and returns the address chosen. */
async function searchRecorders(prompt: Prompter, find: RecorderLookup['findRecorders']): Promise<string | undefined> {
  const iface = (await prompt.ask('Search from which network interface', lanInterface()))?.trim() || lanInterface();
  let found: FoundRecorder[] = [];
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

/** Turns flags (and, when a prompter is given, answers to questions) into everything provisioning needs. Every
 * missing or bad value is reported at once. */
export async function gather(
  v: Values,
  env: NodeJS.ProcessEnv,
  prompt: Prompter | undefined,
  given: Partial<GatherDeps> = {},
): Promise<Gathered> {
  const deps: GatherDeps = { ...lanRecorderLookup, ...given };
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
    else manager = managerAccount(managerName, pw);
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

/** The service user the written files go to (`--owner`), if one was named. */
function serviceOwner(v: Values, env: NodeJS.ProcessEnv): ServiceOwner | undefined {
  return v.owner ? { name: v.owner, dataDir: dataDir(v['data-dir'], env), ownership: chownOwnership } : undefined;
}

type Io = Parameters<NonNullable<Command['run']>>[1];

async function provisionNew(v: Values, io: Io, prompt: Prompter | undefined) {
  const configDir = resolve(v['config-dir'] ?? DEFAULT_CONFIG_DIR);
  const data = dataDir(v['data-dir'], io.env);
  if (existsSync(join(configDir, LAYOUT.config)) && !v.force)
    throw new AppError(
      'already-provisioned',
      `${join(configDir, LAYOUT.config)} exists: this appliance is provisioned already (use --force to start again; keys are made anew)`,
    );
  const owner = serviceOwner(v, io.env);
  // A typo in --owner is found before the installer answers any question.
  owner?.ownership.check(owner.name);
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
      ...(owner ? { owner } : {}),
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

/** What installing the hub's answer needs, whichever way it came. */
function installDeps(v: Values, io: Io, configDir: string) {
  const owner = serviceOwner(v, io.env);
  return {
    pki: { certificateMatchesKey },
    dir: new FileConfigDirectory(configDir),
    files: localInstallerFiles,
    withRecords: storeRecords(dataDir(v['data-dir'], io.env), io.env),
    clock: systemClock,
    ...(owner ? { owner } : {}),
  };
}

async function acceptEnrolment(v: Values, io: Io, file: string) {
  const configDir = resolve(v['config-dir'] ?? DEFAULT_CONFIG_DIR);
  const r = await acceptEnrolmentFile(installDeps(v, io, configDir), file);
  if (v.json) printJson(io, { enrolled: true, ...r });
  else io.out(`enrolled: site ${r.siteId}, device ${r.deviceId}; ${r.config} now uses the hub's certificate and keys`);
}

/** Online enrolment over MQTT (services/enrolment-online.ts); this only reads the flags and says what happens. */
async function enrolOverMqtt(
  v: Values,
  io: Io,
  configDir: string,
): Promise<{ siteId: string; deviceId: string; config: string }> {
  const r = await enrolThroughBroker(
    { ...installDeps(v, io, configDir), brokers: mqttEnrolmentBrokers },
    {
      ...(v['enrol-cert'] || v['enrol-key'] ? { identity: { cert: v['enrol-cert'], key: v['enrol-key'] } } : {}),
      ...(v['enrolment-code'] ? { enrolmentCode: v['enrolment-code'] } : {}),
      waitSeconds: int(v.wait, '--wait', 5, 86_400) ?? 600,
      republishMs: Number(io.env['BCRP_EDGE_ENROL_REPUBLISH_MS'] ?? 30_000) || 30_000,
      onPending: (id) => {
        if (!v.json) io.out(`the hub has request ${id}; waiting for the partnership to approve it`);
      },
    },
  );
  if (!v.json)
    io.out(`enrolled: site ${r.siteId}, device ${r.deviceId}; ${r.config} now uses the hub's certificate and keys`);
  return r;
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

async function renewWebCert(v: Values, io: Io) {
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

// Loads the configuration file, fills in defaults and checks it against the schema and against the rules a
// schema cannot say (files that must exist, settings that go together). Every problem is collected and reported
// at once; values are never echoed, so a secret in the wrong place does not end up on a terminal or in a log.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { type Config, ConfigSchema } from './schema.js';

/** Packets are encrypted by default; an enrolled appliance without the hub's key says which key to set. */
export const ENCRYPTION_KEY_MISSING =
  "hub.encrypt is on (the default) but hub.encryptionKey is not set: set it to the hub's X25519 public key (encryption.pub; enrolment writes it to pki/hub-encryption.pem), or set hub.encrypt: false only for a hub configured with requireEncryption: false";

export const DEFAULT_CONFIG_PATH = '/etc/bcrp-edge/config.yaml';
export const DEFAULT_DATA_DIR = '/var/lib/bcrp-edge';

export interface LoadedConfig {
  file: string;
  config: Config;
  /** Things worth fixing that do not stop the appliance (e.g. a secrets file readable by others). */
  warnings: ConfigProblem[];
  /** The NVR password, read from the file or the config; kept apart so that printing `config` never shows it. */
  secrets: { nvrPassword: string | undefined };
}

/** Where the configuration comes from: `--config`, then BCRP_EDGE_CONFIG, then the default path. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env['BCRP_EDGE_CONFIG'] ?? DEFAULT_CONFIG_PATH;
}

export function dataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env['BCRP_EDGE_DATA_DIR'] ?? DEFAULT_DATA_DIR);
}

export function loadConfigFile(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EACCES'
          ? 'permission denied'
          : `cannot read (${code ?? 'error'})`;
    throw new ConfigError(file, [{ path: '', message: why }]);
  }
  return parseConfig(text, file);
}

/** Parses YAML (JSON is YAML too) and validates it. `file` names the source in messages and anchors relative paths. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        message: `not valid YAML at line ${e.linePos?.[0]?.line ?? '?'}, column ${e.linePos?.[0]?.col ?? '?'}: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  let raw: unknown;
  try {
    // Throws on an alias without its anchor, or on alias expansion past the library's limit (a YAML bomb).
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [
      { path: '', message: 'the file must hold a mapping of sections (site, nvr, mqtt, …)' },
    ]);
  }
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw));
  const problems: ConfigProblem[] = [...schemaProblems(withDefaults)];
  if (problems.length > 0) throw new ConfigError(file, problems);

  const config = withDefaults as Config;
  const base = dirname(resolve(file));
  const warnings: ConfigProblem[] = [];
  resolvePaths(config, base);
  problems.push(...ruleProblems(config, warnings));
  const nvrPassword = readNvrPassword(config, problems);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { file, config, warnings, secrets: { nvrPassword } };
}

function* schemaProblems(value: unknown): Generator<ConfigProblem> {
  const seen = new Set<string>();
  for (const e of Value.Errors(ConfigSchema, value)) {
    let message: string;
    switch (e.type) {
      case ValueErrorType.ObjectAdditionalProperties:
        message = 'unknown key (not part of the configuration; check the spelling in docs/configuration.md)';
        break;
      case ValueErrorType.ObjectRequiredProperty:
        message = 'required but missing';
        break;
      case ValueErrorType.Union:
        message = e.schema['description']
          ? `not a valid choice: ${describeUnion(e.schema as Parameters<typeof describeUnion>[0])}`
          : 'not one of the allowed shapes';
        break;
      default:
        message = e.message.replace(/^Expected/, 'expected');
    }
    const key = `${e.path}|${message}`;
    // A union reports each branch's mismatch as well; one line per path and message is enough for a person.
    if (seen.has(key)) continue;
    seen.add(key);
    yield { path: e.path, message };
  }
}

function describeUnion(schema: { anyOf?: { const?: unknown; properties?: { kind?: { const?: unknown } } }[] }): string {
  const options = (schema.anyOf ?? []).map((s) => s.const ?? s.properties?.kind?.const).filter((v) => v !== undefined);
  return options.length > 0
    ? `use one of ${options.map((o) => JSON.stringify(o)).join(', ')}`
    : 'see docs/configuration.md';
}

/** File paths in the config are relative to the config file's folder. */
function resolvePaths(c: Config, base: string): void {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  if (c.nvr.passwordFile) c.nvr.passwordFile = abs(c.nvr.passwordFile);
  if (c.redaction.modelPath) c.redaction.modelPath = abs(c.redaction.modelPath);
  if (c.mqtt.ca) c.mqtt.ca = abs(c.mqtt.ca);
  if (c.mqtt.cert) c.mqtt.cert = abs(c.mqtt.cert);
  if (c.mqtt.key) c.mqtt.key = abs(c.mqtt.key);
  c.hub.signingKeys = c.hub.signingKeys.map(abs);
  if (c.hub.encryptionKey) c.hub.encryptionKey = abs(c.hub.encryptionKey);
  // Written relative by provisioning at enrolment; the service runs with / as its working directory.
  if (c.hub.deviceKey) c.hub.deviceKey = abs(c.hub.deviceKey);
  if (c.web.tlsCert) c.web.tlsCert = abs(c.web.tlsCert);
  if (c.web.tlsKey) c.web.tlsKey = abs(c.web.tlsKey);
  if (c.web.metricsTokenFile) c.web.metricsTokenFile = abs(c.web.metricsTokenFile);
  if (c.users.file) c.users.file = abs(c.users.file);
}

function ruleProblems(c: Config, warnings: ConfigProblem[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const mustRead = (path: string, file: string | undefined) => {
    if (!file) return;
    try {
      accessSync(file, constants.R_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      out.push({ path, message: code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file} (${code})` });
    }
  };
  if (c.nvr.password !== undefined && c.nvr.passwordFile !== undefined) {
    out.push({ path: '/nvr/password', message: 'set either password or passwordFile, not both' });
  }
  if (c.nvr.password === undefined && c.nvr.passwordFile === undefined) {
    out.push({
      path: '/nvr/passwordFile',
      message: 'the NVR password is missing: set passwordFile (recommended) or password',
    });
  }
  if (c.nvr.tlsFingerprint && c.nvr.scheme !== 'https') {
    out.push({ path: '/nvr/tlsFingerprint', message: 'a pinned certificate needs scheme: https' });
  }
  const ids = new Set<number>();
  c.nvr.channels.forEach((ch, i) => {
    if (ids.has(ch.id)) out.push({ path: `/nvr/channels/${i}/id`, message: `camera ${ch.id} is listed twice` });
    ids.add(ch.id);
  });
  c.buttons.sources.forEach((b, i) => {
    if (!ids.has(b.camera))
      out.push({ path: `/buttons/sources/${i}/camera`, message: `camera ${b.camera} is not in nvr.channels` });
  });
  mustRead('/nvr/passwordFile', c.nvr.passwordFile);
  // yunet without modelPath is the default: the file comes from `bcrp-edge models fetch yunet` into the data dir,
  // and until it is there BlazeFace stands in, loudly (docs/redaction.md) — not a configuration error.
  mustRead('/redaction/modelPath', c.redaction.modelPath);
  mustRead('/mqtt/ca', c.mqtt.ca);
  mustRead('/mqtt/cert', c.mqtt.cert);
  mustRead('/mqtt/key', c.mqtt.key);
  if ((c.mqtt.cert === undefined) !== (c.mqtt.key === undefined)) {
    out.push({
      path: c.mqtt.cert ? '/mqtt/key' : '/mqtt/cert',
      message: 'the client certificate and its key go together: set both or neither',
    });
  }
  c.hub.signingKeys.forEach((k, i) => {
    mustRead(`/hub/signingKeys/${i}`, k);
  });
  // Checked once the appliance is enrolled (deviceKey is set only then, with the hub's keys): before that nothing is
  // sent, and provisioning must be able to write and validate a configuration that has no hub keys yet.
  if (c.hub.encrypt && !c.hub.encryptionKey && c.hub.deviceKey) {
    out.push({ path: '/hub/encryptionKey', message: ENCRYPTION_KEY_MISSING });
  }
  mustRead('/hub/encryptionKey', c.hub.encryptionKey);
  if ((c.web.tlsCert === undefined) !== (c.web.tlsKey === undefined)) {
    out.push({
      path: c.web.tlsCert ? '/web/tlsKey' : '/web/tlsCert',
      message: 'the web certificate and its key go together: set both or neither',
    });
  }
  mustRead('/web/tlsCert', c.web.tlsCert);
  mustRead('/web/tlsKey', c.web.tlsKey);
  mustRead('/web/metricsTokenFile', c.web.metricsTokenFile);
  mustRead('/users/file', c.users.file);
  for (const [path, file] of [
    ['/nvr/passwordFile', c.nvr.passwordFile],
    ['/mqtt/key', c.mqtt.key],
    ['/web/tlsKey', c.web.tlsKey],
  ] as const) {
    if (!file) continue;
    try {
      if ((statSync(file).mode & 0o077) !== 0)
        warnings.push({ path, message: `${file} can be read by other users: chmod 600 it` });
    } catch {
      // already reported as unreadable
    }
  }
  if (c.nvr.password !== undefined) {
    warnings.push({
      path: '/nvr/password',
      message: 'the NVR password is in the main config file: move it to passwordFile',
    });
  }
  return out;
}

function readNvrPassword(c: Config, problems: ConfigProblem[]): string | undefined {
  if (c.nvr.password !== undefined) return c.nvr.password;
  if (!c.nvr.passwordFile || problems.some((p) => p.path === '/nvr/passwordFile')) return undefined;
  const pw = readFileSync(c.nvr.passwordFile, 'utf8').replace(/\r?\n$/, '');
  if (pw.length === 0) problems.push({ path: '/nvr/passwordFile', message: `${c.nvr.passwordFile} is empty` });
  return pw;
}

/** A one-line summary without secrets, for `config validate` and the start-up log. */
export function summarise(c: Config): string {
  const cams = c.nvr.channels.filter((ch) => ch.enabled).length;
  return `site ${c.site.id}, NVR ${c.nvr.kind} at ${c.nvr.host}:${c.nvr.port} (${cams} camera${cams === 1 ? '' : 's'}), broker ${c.mqtt.url}, model ${c.redaction.model}, redaction ${c.redaction.mode}, originals kept ${c.retention.originalsDays} days`;
}

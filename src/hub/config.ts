// The reference hub's configuration file (YAML): broker, keys, store, enrolled devices, the optional hub page. One TypeBox schema for
// validation, type and docs/hub.md; every problem is reported at once, as for the appliance's configuration.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_MAX_PACKET_BYTES } from '../core/packet/manifest.js';

const Path = (description: string) => T.String({ minLength: 1, description });

export const HubConfigSchema = T.Object(
  {
    mqtt: T.Object(
      {
        url: T.String({ pattern: '^mqtts?://', description: 'Broker URL.' }),
        ca: T.Optional(Path('CA certificate (PEM) of the broker.')),
        cert: T.Optional(Path('Hub client certificate (PEM); its CN is the hub user in the broker ACL.')),
        key: T.Optional(Path('Hub client key (PEM).')),
        topicPrefix: T.String({ pattern: '^[a-z0-9][a-z0-9/_-]*[a-z0-9]$', default: 'bcrp' }),
        clientId: T.Optional(T.String({ minLength: 1, maxLength: 64, description: 'Default: hub-<pid>.' })),
        group: T.String({
          pattern: '^[A-Za-z0-9_-]+$',
          default: 'hub',
          description: 'Shared subscription group: workers in one group share the packets.',
        }),
      },
      { additionalProperties: false },
    ),
    store: T.Optional(Path('SQLite file of the hub store (one host). Give this or `postgres`, not both.')),
    postgres: T.Optional(
      T.Object(
        {
          url: T.String({
            pattern: '^postgres(ql)?://',
            description:
              'Connection string of the PostgreSQL hub store (several workers on several hosts). Prefer PGPASSWORD or ~/.pgpass to a password here.',
          }),
          poolSize: T.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Connections per worker.' }),
        },
        { additionalProperties: false },
      ),
    ),
    signingKey: Path('Hub Ed25519 private key (PEM) that signs acks.'),
    encryptionKey: T.Optional(Path('Hub X25519 private key (PEM) that opens encrypted packets.')),
    requireEncryption: T.Boolean({
      default: true,
      description:
        'Refuse packets that are only signed, not encrypted to the hub key (the device gets a signed rejection, reason not-encrypted). Set false only for tests and `bench hub --plain`.',
    }),
    maxPacketBytes: T.Integer({ minimum: 65536, maximum: 16777216, default: DEFAULT_MAX_PACKET_BYTES }),
    sweepMinutes: T.Integer({
      minimum: 1,
      maximum: 1440,
      default: 60,
      description: 'How often retention is applied while the hub runs.',
    }),
    enrolment: T.Optional(
      T.Object(
        {
          caCert: Path('CA certificate (PEM) that signs device client certificates: the CA the broker trusts.'),
          caKey: Path('Private key (PEM) of that CA. Keep it on the hub host only, mode 0600.'),
          certificateDays: T.Integer({
            minimum: 1,
            maximum: 825,
            default: 397,
            description: 'Validity of the client certificates `bcrp-edge hub enrol --approve` signs.',
          }),
        },
        { additionalProperties: false, description: 'Enrolment: what `bcrp-edge hub enrol --approve` signs with.' },
      ),
    ),
    web: T.Optional(
      T.Object(
        {
          bind: T.String({
            minLength: 1,
            default: '127.0.0.1',
            description: 'Address the hub page listens on (keep 127.0.0.1 behind a reverse proxy).',
          }),
          port: T.Integer({
            minimum: 0,
            maximum: 65535,
            default: 8444,
            description: 'HTTPS port of the hub page (0: any free port).',
          }),
          tlsCert: Path('TLS certificate (PEM) of the hub page.'),
          tlsKey: Path('TLS key (PEM, mode 0600) of the hub page.'),
          sessionSecretFile: Path(
            'Secret that signs session cookies; made (0600) on first start. Give every worker serving the page the same file.',
          ),
          sessionHours: T.Number({
            minimum: 0.25,
            maximum: 24,
            default: 8,
            description: 'Sessions expire after this.',
          }),
          name: T.String({
            minLength: 1,
            maxLength: 80,
            default: 'BCRP hub',
            description: 'The partnership name in the page header.',
          }),
        },
        {
          additionalProperties: false,
          description:
            'The read-only hub page for members and administrators. Give it to one worker (or a few behind a proxy); without it `hub run` only receives.',
        },
      ),
    ),
    scheme: T.Optional(
      T.Object(
        {
          name: T.Optional(
            T.String({ minLength: 1, maxLength: 120, description: "The scheme's name, as printed on notices." }),
          ),
          membersSeeNames: T.Optional(
            T.Boolean({
              description:
                'Members see the names and aliases administrators recorded (default false: only administrators).',
            }),
          ),
          exclusionAfterSecondReport: T.Optional(
            T.Boolean({
              description:
                'Offer an exclusion only for a subject reported again while shared (seed 001). Default true.',
            }),
          ),
          exclusionMaxMonths: T.Optional(
            T.Integer({ minimum: 1, maximum: 60, description: 'Longest exclusion the scheme allows. Default 24.' }),
          ),
          appealRoute: T.Optional(
            T.String({ minLength: 1, maxLength: 1000, description: 'How an excluded person appeals, in plain words.' }),
          ),
          privacyNotice: T.Optional(
            T.String({
              minLength: 1,
              maxLength: 4000,
              description: 'The short privacy notice printed on exclusion notices.',
            }),
          ),
        },
        { additionalProperties: false, description: "The scheme's own rules for exclusions and notices." },
      ),
    ),
    devices: T.Array(
      T.Object(
        {
          site: T.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
          publicKey: Path("Device's Ed25519 public key (PEM), from `bcrp-edge keys generate`."),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Enrolled devices: each key may send only for its site.' },
    ),
  },
  { additionalProperties: false },
);
export type HubConfig = Static<typeof HubConfigSchema>;

export function loadHubConfig(file: string): HubConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [{ path: '', message: code ? `cannot read the file (${code})` : 'not valid YAML' }]);
  }
  const value = Value.Default(HubConfigSchema, Value.Clone(raw ?? {}));
  const problems = [...Value.Errors(HubConfigSchema, value)].map((e) => ({ path: e.path, message: e.message }));
  const given = value as { store?: unknown; postgres?: unknown };
  if ((given.store === undefined) === (given.postgres === undefined))
    problems.push({ path: '/store', message: 'give exactly one of store (SQLite file) or postgres (url, poolSize)' });
  if (problems.length > 0) throw new ConfigError(file, problems);
  const config = value as HubConfig;
  // Relative paths are relative to the configuration file.
  const base = dirname(resolve(file));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const m = config.mqtt;
  return {
    ...config,
    mqtt: {
      ...m,
      ...(m.ca ? { ca: abs(m.ca) } : {}),
      ...(m.cert ? { cert: abs(m.cert) } : {}),
      ...(m.key ? { key: abs(m.key) } : {}),
    },
    ...(config.store ? { store: abs(config.store) } : {}),
    signingKey: abs(config.signingKey),
    ...(config.encryptionKey ? { encryptionKey: abs(config.encryptionKey) } : {}),
    devices: config.devices.map((d) => ({ ...d, publicKey: abs(d.publicKey) })),
    ...(config.enrolment
      ? {
          enrolment: {
            ...config.enrolment,
            caCert: abs(config.enrolment.caCert),
            caKey: abs(config.enrolment.caKey),
          },
        }
      : {}),
    ...(config.web
      ? {
          web: {
            ...config.web,
            tlsCert: abs(config.web.tlsCert),
            tlsKey: abs(config.web.tlsKey),
            sessionSecretFile: abs(config.web.sessionSecretFile),
          },
        }
      : {}),
  };
}

// What provisioning decides, apart from how it asks and where it writes: the configuration an installer's answers
// make, the button spec syntax, and the offline enrolment request/response formats (docs/installation.md).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ButtonConfig } from '../config/schema.js';
import { AppError, UsageError } from '../core/errors.js';

export interface ProvisionAnswers {
  siteId: string;
  siteName?: string;
  nvr: { kind: 'hikvision' | 'onvif'; host: string; port: number; scheme: 'http' | 'https'; username: string };
  cameras: { id: number; name: string }[];
  buttons: ButtonConfig[];
  brokerUrl: string;
  /** Broker CA copied into pki/ (relative path in the config), if given. */
  brokerCa: boolean;
  web: { bind: string; port: number };
}

/** The layout under the configuration directory; paths in config.yaml are relative to it. */
export const LAYOUT = {
  config: 'config.yaml',
  nvrPassword: 'secrets/nvr-password',
  webKey: 'secrets/web.key',
  webCert: 'pki/web.crt',
  brokerCa: 'pki/broker-ca.pem',
  mqttKey: 'secrets/mqtt-client.key',
  mqttCsr: 'pki/mqtt-client.csr',
  mqttCert: 'pki/mqtt-client.pem',
  signingKey: 'secrets/device-signing.key',
  signingPublic: 'pki/device-signing.pub.pem',
  hubSigningKey: (i: number) => `pki/hub-signing-${i + 1}.pem`,
  hubEncryptionKey: 'pki/hub-encryption.pem',
  enrolmentRequest: 'enrolment/request.json',
  /** The partnership's shared enrolment certificate: only for asking to be enrolled over MQTT. */
  enrolCert: 'pki/enrol-client.pem',
  enrolKey: 'secrets/enrol-client.key',
} as const;

export function buildConfig(a: ProvisionAnswers): Record<string, unknown> {
  return {
    site: { id: a.siteId, ...(a.siteName ? { name: a.siteName } : {}) },
    nvr: {
      kind: a.nvr.kind,
      host: a.nvr.host,
      port: a.nvr.port,
      scheme: a.nvr.scheme,
      username: a.nvr.username,
      passwordFile: LAYOUT.nvrPassword,
      channels: a.cameras.map((c) => ({ id: c.id, name: c.name, enabled: true })),
    },
    mqtt: { url: a.brokerUrl, ...(a.brokerCa ? { ca: LAYOUT.brokerCa } : {}) },
    web: { bind: a.web.bind, port: a.web.port, tlsCert: LAYOUT.webCert, tlsKey: LAYOUT.webKey },
    buttons: { sources: a.buttons },
  };
}

/** "1:Till" → {id 1, name Till}. */
export function parseCamera(spec: string): { id: number; name: string } {
  const m = /^(\d{1,3}):(.{1,60})$/.exec(spec.trim());
  if (!m) throw new UsageError(`--camera ${JSON.stringify(spec)}: write CHANNEL:NAME, e.g. 1:Till`);
  return { id: Number(m[1]), name: m[2]!.trim() };
}

/**
 * A button source in one word: `gpio:LINE[,chip=gpiochip0][,led=LINE]`, `keyboard:DEVICE[,key=KEY_F13]` or
 * `nvr-io:INPUT[,output=N]`, each with an optional `,camera=N` (default: the first camera).
 */
/** "all"/"auto" → every camera the recorder listed; "1,3" → those channels (each must exist on the recorder). */
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

export function parseButton(spec: string, defaultCamera: number): ButtonConfig {
  const [head = '', ...opts] = spec.split(',');
  const colon = head.indexOf(':');
  const kind = colon > 0 ? head.slice(0, colon) : head;
  const target = colon > 0 ? head.slice(colon + 1) : '';
  const o = new Map<string, string>();
  for (const kv of opts) {
    const [k, v] = kv.split('=');
    if (!k || v === undefined) throw new UsageError(`--button ${JSON.stringify(spec)}: options are key=value`);
    o.set(k, v);
  }
  const int = (v: string | undefined, what: string) => {
    if (v === undefined || !/^\d+$/.test(v))
      throw new UsageError(`--button ${JSON.stringify(spec)}: ${what} must be a number`);
    return Number(v);
  };
  const camera = o.has('camera') ? int(o.get('camera'), 'camera') : defaultCamera;
  switch (kind) {
    case 'gpio':
      return {
        kind: 'gpio',
        chip: o.get('chip') ?? 'gpiochip0',
        line: int(target, 'the GPIO line'),
        camera,
        ...(o.has('led') ? { ledLine: int(o.get('led'), 'led') } : {}),
      };
    case 'keyboard':
      if (!target) throw new UsageError(`--button ${JSON.stringify(spec)}: name the input device`);
      return { kind: 'keyboard', device: target, key: o.get('key') ?? 'KEY_ENTER', camera };
    case 'nvr-io':
      return {
        kind: 'nvr-io',
        input: int(target, 'the NVR alarm input'),
        camera,
        ...(o.has('output') ? { output: int(o.get('output'), 'output') } : {}),
      };
    default:
      throw new UsageError(
        `--button ${JSON.stringify(spec)}: start with gpio:, keyboard: or nvr-io: (e.g. gpio:17,led=27)`,
      );
  }
}

export const REQUEST_FORMAT = 'bcrp-edge/enrolment-request/1';
export const RESPONSE_FORMAT = 'bcrp-edge/enrolment-response/1';

export interface EnrolmentRequest {
  format: typeof REQUEST_FORMAT;
  siteId: string;
  deviceId: string;
  createdAt: string;
  /** PEM CSR for the MQTT client certificate (CN = site id). */
  csr: string;
  /** PEM SPKI of the device's Ed25519 packet-signing key. */
  signingPublicKey: string;
  /** HMAC-SHA256 keyed with the one-time enrolment code over what is requested: the code itself never travels. */
  codeProof: string | null;
}

export interface EnrolmentResponse {
  format: typeof RESPONSE_FORMAT;
  siteId: string;
  deviceId: string;
  /** PEM MQTT client certificate signed by the partnership CA. */
  certificate: string;
  /** PEM CA the broker's certificate chains to. */
  ca?: string;
  /** PEM Ed25519 public keys whose signed acknowledgements the device accepts. */
  hubSigningKeys: string[];
  /** PEM X25519 public key packets are encrypted to, if the partnership encrypts. */
  hubEncryptionKey?: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export function codeProof(code: string, r: Pick<EnrolmentRequest, 'siteId' | 'deviceId' | 'csr' | 'signingPublicKey'>) {
  return createHmac('sha256', code.trim().toUpperCase())
    .update([REQUEST_FORMAT, r.siteId, r.deviceId, sha(r.csr), sha(r.signingPublicKey)].join('\n'))
    .digest('hex');
}

/** For the hub side: is this request's proof made with `code`? */
export function checkCodeProof(code: string, r: EnrolmentRequest): boolean {
  if (!r.codeProof || !/^[0-9a-f]{64}$/.test(r.codeProof)) return false;
  return timingSafeEqual(Buffer.from(codeProof(code, r), 'hex'), Buffer.from(r.codeProof, 'hex'));
}

/** Checks the shape of a response file; returns the problems (empty when usable). */
export function responseProblems(x: unknown, expect: { siteId: string; deviceId: string }): string[] {
  const out: string[] = [];
  if (!x || typeof x !== 'object') return ['not a JSON object'];
  const r = x as Partial<EnrolmentResponse>;
  const pem = (v: unknown) => typeof v === 'string' && /-----BEGIN [A-Z ]+-----/.test(v);
  if (r.format !== RESPONSE_FORMAT) out.push(`format must be ${RESPONSE_FORMAT}`);
  if (r.siteId !== expect.siteId)
    out.push(`it is for site ${JSON.stringify(r.siteId)}, this device is ${expect.siteId}`);
  if (r.deviceId !== expect.deviceId) out.push('it answers another device’s request (deviceId differs)');
  if (!pem(r.certificate)) out.push('certificate is missing or not PEM');
  if (r.ca !== undefined && !pem(r.ca)) out.push('ca is not PEM');
  if (!Array.isArray(r.hubSigningKeys) || r.hubSigningKeys.length === 0 || !r.hubSigningKeys.every(pem))
    out.push('hubSigningKeys must list at least one PEM public key');
  if (r.hubEncryptionKey !== undefined && !pem(r.hubEncryptionKey)) out.push('hubEncryptionKey is not PEM');
  return out;
}

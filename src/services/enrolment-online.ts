// Online enrolment over MQTT: the topics, the status document the hub answers with, the shape check the hub makes
// on a request, and the device's side (publish the request, wait for the decision). Before it has a client
// certificate of its own the device signs in with the partnership's shared enrolment certificate, which the broker
// ACL confines to <prefix>/_enrol/<its client id>/… (docs/installation.md, docs/hub.md).
import type { Config } from '../config/schema.js';
import { AppError, UsageError } from '../core/errors.js';
import type { Broker } from '../core/ports/broker.js';
import type { ConfigDirectory, EnrolmentBrokers, InstallerFiles } from '../core/ports/provisioning.js';
import {
  type EnrolmentInstallDeps,
  installEnrolmentResponse,
  readEnrolmentRequest,
  writeEnrolmentRequest,
} from './enrolment.js';
import { installEnrolIdentity } from './provision-device.js';
import {
  codeProof,
  type EnrolmentRequest,
  type EnrolmentResponse,
  LAYOUT,
  REQUEST_FORMAT,
  responseProblems,
} from './provisioning.js';

/** Not a possible site id (they have no underscore), so enrolment topics never meet a site's topics. */
export const ENROL_SEGMENT = '_enrol';
export const STATUS_FORMAT = 'bcrp-edge/enrolment-status/1';
/** A request is a few kB (CSR, public key, proof); anything much larger is not one. */
export const MAX_REQUEST_BYTES = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type EnrolmentDecision = 'pending' | 'approved' | 'rejected';

/** What the hub publishes (retained) on a request's response topic. */
export interface EnrolmentStatus {
  format: typeof STATUS_FORMAT;
  requestId: string;
  status: EnrolmentDecision;
  at: string;
  /** Why it was rejected, in plain words. */
  reason?: string;
  /** Present when approved: the same document the offline path returns as a file. */
  response?: EnrolmentResponse;
}

export function enrolTopics(prefix: string, requestId: string): { request: string; response: string } {
  const base = `${prefix}/${ENROL_SEGMENT}/${requestId}`;
  return { request: `${base}/request`, response: `${base}/response` };
}

/** The request topic's id, or undefined when the topic is not <prefix>/_enrol/<uuid>/request. */
export function requestIdOf(prefix: string, topic: string): string | undefined {
  const rest = topic.startsWith(`${prefix}/${ENROL_SEGMENT}/`)
    ? topic.slice(prefix.length + ENROL_SEGMENT.length + 2)
    : '';
  const m = /^([^/]+)\/request$/.exec(rest);
  return m && UUID.test(m[1]!) ? m[1] : undefined;
}

/** The hub's shape check of a request before it is kept; returns the problems (empty when it may be kept). */
export function requestProblems(x: unknown): string[] {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return ['not a JSON object'];
  const r = x as Partial<Record<keyof EnrolmentRequest, unknown>>;
  const out: string[] = [];
  const pem = (v: unknown, kind: string) => typeof v === 'string' && v.includes(`-----BEGIN ${kind}-----`);
  if (r.format !== REQUEST_FORMAT) out.push(`format must be ${REQUEST_FORMAT}`);
  if (typeof r.siteId !== 'string' || !/^[a-z0-9][a-z0-9-]{1,62}$/.test(r.siteId))
    out.push('siteId is not a site id (a-z, 0-9 and -)');
  if (typeof r.deviceId !== 'string' || !UUID.test(r.deviceId)) out.push('deviceId is not a UUID');
  if (typeof r.createdAt !== 'string' || Number.isNaN(Date.parse(r.createdAt))) out.push('createdAt is not a time');
  if (!pem(r.csr, 'CERTIFICATE REQUEST')) out.push('csr is not a PEM certificate request');
  if (!pem(r.signingPublicKey, 'PUBLIC KEY')) out.push('signingPublicKey is not a PEM public key');
  if (r.codeProof !== null && (typeof r.codeProof !== 'string' || !/^[0-9a-f]{64}$/.test(r.codeProof)))
    out.push('codeProof is not null or 64 hex digits');
  return out;
}

export function parseStatus(payload: Buffer): EnrolmentStatus | undefined {
  if (payload.length === 0 || payload.length > MAX_REQUEST_BYTES) return undefined;
  try {
    const s = JSON.parse(payload.toString('utf8')) as Partial<EnrolmentStatus>;
    if (s.format !== STATUS_FORMAT || typeof s.requestId !== 'string') return undefined;
    if (s.status !== 'pending' && s.status !== 'approved' && s.status !== 'rejected') return undefined;
    return s as EnrolmentStatus;
  } catch {
    return undefined;
  }
}

export interface OnlineEnrolmentOptions {
  /** Connected with the shared enrolment certificate and the request's id as client id. */
  broker: Broker;
  topicPrefix: string;
  request: EnrolmentRequest;
  /** The request is sent again this often while no decision has come (the hub may have been down). */
  republishMs?: number;
  /** Give up after this long; the request stays at the hub, so waiting again later picks up the decision. */
  timeoutMs: number;
  onStatus?: (s: EnrolmentStatus) => void;
}

/** Sends the request and resolves with the hub's response once an operator approves it; rejects when refused. */
export async function enrolOnline(o: OnlineEnrolmentOptions): Promise<EnrolmentResponse> {
  const requestId = o.request.deviceId;
  const topics = enrolTopics(o.topicPrefix, requestId);
  const payload = Buffer.from(JSON.stringify(o.request));
  let timer: NodeJS.Timeout | undefined;
  let repeat: NodeJS.Timeout | undefined;
  try {
    return await new Promise<EnrolmentResponse>((resolve, reject) => {
      let lastStatus: EnrolmentDecision | undefined;
      timer = setTimeout(
        () =>
          reject(
            new AppError(
              'enrolment-timeout',
              `no decision from the hub within ${Math.round(o.timeoutMs / 1000)} s (${lastStatus === 'pending' ? 'the hub has the request; it waits for an operator' : 'the hub has not answered'}); run the same command again to keep waiting`,
            ),
          ),
        o.timeoutMs,
      );
      const send = () =>
        o.broker.publish(topics.request, payload, { qos: 1 }).catch((e: unknown) => {
          if ((e as { code?: string }).code === 'not-authorized')
            reject(
              new AppError(
                'enrolment-not-authorized',
                `the broker refused the enrolment topic ${topics.request}: check the enrolment certificate and the broker ACL (docs/hub.md)`,
              ),
            );
        });
      o.broker
        .subscribe(topics.response, (m) => {
          const s = parseStatus(m.payload);
          if (!s || s.requestId !== requestId) return;
          lastStatus = s.status;
          o.onStatus?.(s);
          if (s.status === 'rejected')
            reject(
              new AppError('enrolment-rejected', `the hub refused the enrolment: ${s.reason ?? 'no reason given'}`),
            );
          else if (s.status === 'approved') {
            const problems = responseProblems(s.response, o.request);
            if (problems.length > 0)
              reject(new AppError('enrolment-invalid', 'the hub’s response cannot be used', { details: problems }));
            else resolve(s.response as EnrolmentResponse);
          }
        })
        .then(() => {
          void send();
          repeat = setInterval(() => void send(), o.republishMs ?? 30_000);
        }, reject);
    });
  } finally {
    clearTimeout(timer);
    clearInterval(repeat);
  }
}

/** After installing the response the device clears the retained answer, so it does not linger at the broker. */
export async function clearResponse(broker: Broker, topicPrefix: string, requestId: string): Promise<void> {
  await broker.publish(enrolTopics(topicPrefix, requestId).response, Buffer.alloc(0), { qos: 1, retain: true });
}

export interface BrokerEnrolmentDeps extends EnrolmentInstallDeps {
  dir: ConfigDirectory<Config>;
  files: InstallerFiles;
  brokers: EnrolmentBrokers;
}

export interface BrokerEnrolment {
  /** The shared enrolment certificate and key to copy in first, when the installer named either. */
  identity?: { cert: string | undefined; key: string | undefined };
  /** The one-time code, when given now: its proof is added to the stored request. */
  enrolmentCode?: string;
  waitSeconds: number;
  republishMs: number;
  /** Called when the hub says it holds the request and waits for an operator. */
  onPending?: (requestId: string) => void;
}

/**
 * Online enrolment (`provision --enrol-online`): signs in to the broker with the shared enrolment certificate
 * (client id = the request's id, which the ACL keys on), sends the request, waits for the partnership's decision,
 * installs the answer exactly as the offline path does, and clears the retained answer at the broker.
 */
export async function enrolThroughBroker(
  deps: BrokerEnrolmentDeps,
  o: BrokerEnrolment,
): Promise<{ siteId: string; deviceId: string; config: string }> {
  const { dir } = deps;
  deps.owner?.ownership.check(deps.owner.name);
  if (o.identity) installEnrolIdentity(deps, o.identity.cert, o.identity.key);
  const request = readEnrolmentRequest(dir);
  if (o.enrolmentCode) {
    request.codeProof = codeProof(o.enrolmentCode, request);
    writeEnrolmentRequest(dir, request);
  }
  if (!request.codeProof)
    throw new UsageError('the request carries no proof of the enrolment code: add --enrolment-code CODE');
  if (!dir.exists(LAYOUT.enrolCert) || !dir.exists(LAYOUT.enrolKey))
    throw new UsageError(
      'no enrolment certificate: give --enrol-cert FILE --enrol-key FILE (from the partnership), or enrol offline with --accept-enrolment',
    );
  const { mqtt } = dir.loadConfig().config;
  const broker = await deps.brokers.connect({
    url: mqtt.url,
    ca: mqtt.ca,
    cert: dir.path(LAYOUT.enrolCert),
    key: dir.path(LAYOUT.enrolKey),
    clientId: request.deviceId,
    waitMs: Math.min(30_000, o.waitSeconds * 1000),
  });
  try {
    const response = await enrolOnline({
      broker,
      topicPrefix: mqtt.topicPrefix,
      request,
      timeoutMs: o.waitSeconds * 1000,
      republishMs: o.republishMs,
      onStatus: (s) => {
        if (s.status === 'pending') o.onPending?.(request.deviceId);
      },
    });
    const config = await installEnrolmentResponse(deps, request, response, 'mqtt');
    await clearResponse(broker, mqtt.topicPrefix, request.deviceId).catch(() => undefined);
    return { siteId: request.siteId, deviceId: request.deviceId, config };
  } finally {
    await broker.close().catch(() => undefined);
  }
}

// The hub's side of enrolment: keeps requests that arrive over MQTT as pending, checks one against the one-time
// code the partnership issued for that site when an operator approves it, registers the device's signing key for the
// site and answers with the device's signed MQTT client certificate and the hub's keys. The same request and
// response documents travel as files (offline) or over MQTT (online, `bcrp-edge hub enrol`).
import { createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fingerprint, loadPrivateKey } from '../adapters/crypto/keys.js';
import { csrSubject, signClientCsr } from '../adapters/pki/openssl.js';
import { AppError } from '../core/errors.js';
import type { Broker, BrokerMessage } from '../core/ports/broker.js';
import type { Clock } from '../core/ports/clock.js';
import type { EnrolmentRecord, HubStore } from '../core/ports/hub-store.js';
import {
  ENROL_SEGMENT,
  type EnrolmentStatus,
  enrolTopics,
  MAX_REQUEST_BYTES,
  requestIdOf,
  requestProblems,
  STATUS_FORMAT,
} from '../services/enrolment-online.js';
import {
  checkCodeProof,
  type EnrolmentRequest,
  type EnrolmentResponse,
  RESPONSE_FORMAT,
} from '../services/provisioning.js';
import type { HubConfig } from './config.js';
import { HubAudit } from './hub-audit.js';
import type { HubLog } from './receiver.js';

export interface ApproveOptions {
  /** The one-time code issued for this site. */
  code: string;
  /** Which site the code was issued for: a request for another site is refused. */
  siteId: string;
  caCertFile: string;
  caKeyFile: string;
  /** The hub's public keys, as files or as PEM text (the hub derives them from its private keys). */
  hubSigningKeyFiles?: string[];
  hubSigningKeys?: string[];
  hubEncryptionKeyFile?: string;
  hubEncryptionKey?: string;
  days?: number;
}

export async function approveEnrolment(raw: unknown, o: ApproveOptions): Promise<EnrolmentResponse> {
  // The same shape check the online path applies to every request it receives, then what the code was issued for.
  const problems = requestProblems(raw);
  const r = raw as Partial<EnrolmentRequest>;
  if (r?.siteId !== o.siteId)
    problems.push(`the request is for site ${JSON.stringify(r?.siteId)}, the code is for ${o.siteId}`);
  if (problems.length === 0 && !checkCodeProof(o.code, r as EnrolmentRequest))
    problems.push('the enrolment code does not match (wrong code, or the request was changed)');
  if (problems.length > 0) throw new AppError('enrolment-refused', 'enrolment refused', { details: problems });
  const req = r as EnrolmentRequest;
  const subject = await csrSubject(req.csr).catch(() => {
    throw new AppError('enrolment-refused', 'enrolment refused', {
      details: ['the CSR is not valid or its signature does not verify'],
    });
  });
  if (!new RegExp(`(^|, )CN ?= ?${req.siteId}(,|$)`).test(subject))
    throw new AppError('enrolment-refused', 'enrolment refused', {
      details: [`the CSR names ${subject}, not CN=${req.siteId}`],
    });
  const certificate = await signClientCsr({
    csrPem: req.csr,
    caCertFile: o.caCertFile,
    caKeyFile: o.caKeyFile,
    days: o.days ?? 397,
  });
  const ca = readFileSync(o.caCertFile, 'utf8');
  new X509Certificate(certificate).verify(new X509Certificate(ca).publicKey);
  return {
    format: RESPONSE_FORMAT,
    siteId: req.siteId,
    deviceId: req.deviceId,
    certificate,
    ca,
    hubSigningKeys: [...(o.hubSigningKeys ?? []), ...(o.hubSigningKeyFiles ?? []).map((f) => readFileSync(f, 'utf8'))],
    ...(o.hubEncryptionKey || o.hubEncryptionKeyFile
      ? { hubEncryptionKey: o.hubEncryptionKey ?? readFileSync(o.hubEncryptionKeyFile as string, 'utf8') }
      : {}),
  };
}

/** What approving needs from hub.yaml: the CA that signs client certificates and the hub's public keys. */
export type HubEnrolmentKeys = Omit<ApproveOptions, 'code' | 'siteId'>;

export function hubEnrolmentKeys(config: HubConfig): HubEnrolmentKeys {
  if (!config.enrolment)
    throw new AppError(
      'no-enrolment-ca',
      'hub.yaml has no enrolment section: give enrolment.caCert and enrolment.caKey (the CA the broker trusts) to sign client certificates',
    );
  const pem = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'pem' }) as string;
  return {
    caCertFile: config.enrolment.caCert,
    caKeyFile: config.enrolment.caKey,
    days: config.enrolment.certificateDays,
    hubSigningKeys: [pem(createPublicKey(loadPrivateKey(config.signingKey, 'ed25519')))],
    ...(config.encryptionKey
      ? { hubEncryptionKey: pem(createPublicKey(loadPrivateKey(config.encryptionKey, 'x25519'))) }
      : {}),
  };
}

/** The status a record's response topic carries. */
export function statusOf(r: EnrolmentRecord): EnrolmentStatus {
  return {
    format: STATUS_FORMAT,
    requestId: r.requestId,
    status: r.state,
    at: r.decidedAt ?? r.receivedAt,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.response ? { response: r.response as unknown as EnrolmentResponse } : {}),
  };
}

/** Retained, so a device that connects later (or again) still finds the decision. */
export async function publishStatus(broker: Broker, topicPrefix: string, s: EnrolmentStatus): Promise<void> {
  await broker.publish(enrolTopics(topicPrefix, s.requestId).response, Buffer.from(JSON.stringify(s)), {
    qos: 1,
    retain: true,
  });
}

export interface EnrolmentDeps {
  store: HubStore;
  clock: Clock;
  topicPrefix: string;
  log: HubLog;
}

export type ReceivedRequest = 'stored' | 'duplicate' | 'conflict' | 'malformed';

/**
 * One request message: a good one is kept as pending (again: a no-op) and answered with its current status, so a
 * device that asks again after a decision gets it. Bad ones are recorded as rejections; a changed document under a
 * known id is refused and changes nothing.
 */
export async function receiveEnrolmentRequest(
  d: EnrolmentDeps & { broker: Broker },
  message: BrokerMessage,
): Promise<ReceivedRequest> {
  const requestId = requestIdOf(d.topicPrefix, message.topic);
  const reject = async (reason: string, text: string, siteId: string | null = null) => {
    await d.store.recordRejection({
      at: d.clock.now().toISOString(),
      topic: message.topic.slice(0, 200),
      siteId,
      packetId: requestId ?? null,
      deviceId: null,
      reason,
      message: text,
    });
    d.log.warn({ topic: message.topic.slice(0, 200), reason }, `enrolment request refused: ${text}`);
  };
  if (!requestId) {
    await reject('enrolment-malformed', `the topic is not <prefix>/${ENROL_SEGMENT}/<uuid>/request`);
    return 'malformed';
  }
  let doc: unknown;
  try {
    if (message.payload.length > MAX_REQUEST_BYTES) throw new Error('too large');
    doc = JSON.parse(message.payload.toString('utf8'));
  } catch {
    await reject('enrolment-malformed', 'not a JSON document of at most 64 KiB');
    return 'malformed';
  }
  const problems = requestProblems(doc);
  const request = doc as EnrolmentRequest;
  if (problems.length === 0 && request.deviceId !== requestId) problems.push('deviceId differs from the topic');
  if (problems.length > 0) {
    await reject('enrolment-malformed', problems.join('; '));
    await publishStatus(d.broker, d.topicPrefix, {
      format: STATUS_FORMAT,
      requestId,
      status: 'rejected',
      at: d.clock.now().toISOString(),
      reason: `not a valid enrolment request: ${problems.join('; ')}`,
    });
    return 'malformed';
  }
  const result = await d.store.putEnrolmentRequest({
    requestId,
    siteId: request.siteId,
    receivedAt: d.clock.now().toISOString(),
    request: request as unknown as Record<string, unknown>,
  });
  if (result === 'conflict') {
    // Someone else used this id: the first request stands and its own device still gets its answer.
    await reject('enrolment-conflict', 'another request arrived under a known id; it was ignored', request.siteId);
    return result;
  }
  if (result === 'stored') d.log.info({ requestId, siteId: request.siteId }, 'enrolment request pending');
  const record = await d.store.enrolmentRequest(requestId);
  if (record) await publishStatus(d.broker, d.topicPrefix, statusOf(record));
  return result;
}

/** The running hub's listener for enrolment requests (a shared subscription, like packets). */
export class EnrolmentListener {
  readonly #d: EnrolmentDeps & { broker: Broker; group: string };

  constructor(deps: EnrolmentDeps & { broker: Broker; group: string }) {
    this.#d = deps;
  }

  filter(): string {
    return `$share/${this.#d.group}/${this.#d.topicPrefix}/${ENROL_SEGMENT}/+/request`;
  }

  async start(): Promise<void> {
    await this.#d.broker.subscribe(this.filter(), (m) => {
      receiveEnrolmentRequest(this.#d, m).catch((e: unknown) =>
        this.#d.log.warn({}, `enrolment request not handled: ${(e as Error).message}`),
      );
    });
  }

  async stop(): Promise<void> {
    await this.#d.broker.unsubscribe?.(this.filter()).catch(() => undefined);
  }
}

/**
 * Approves a pending request: checks the code proof and the CSR, signs the client certificate, registers the
 * device's signing key for its site, and records the decision (once). An already approved request gives its stored
 * status again, so a decision the device missed can be re-sent. A wrong code leaves the request pending.
 */
export async function approveRequest(
  store: HubStore,
  requestId: string,
  o: { code: string; siteId?: string; keys: HubEnrolmentKeys; clock: Clock; actor: string; via: 'mqtt' | 'file' },
): Promise<{ status: EnrolmentStatus; deviceKeyId: string; revoked: boolean }> {
  const record = await store.enrolmentRequest(requestId);
  if (!record) throw new AppError('not-found', `no enrolment request ${requestId} (see bcrp-edge hub enrol list)`);
  const request = record.request as unknown as EnrolmentRequest;
  const deviceKey = createPublicKey(request.signingPublicKey);
  const deviceKeyId = fingerprint(deviceKey);
  if (record.state === 'rejected')
    throw new AppError('already-decided', `request ${requestId} was rejected at ${record.decidedAt}: ${record.reason}`);
  if (record.state === 'approved') {
    const d = await store.device(deviceKeyId);
    return { status: statusOf(record), deviceKeyId, revoked: d?.state === 'revoked' };
  }
  const response = await approveEnrolment(request, { ...o.keys, code: o.code, siteId: o.siteId ?? record.siteId });
  const at = o.clock.now().toISOString();
  await store.enrol({
    deviceId: deviceKeyId,
    siteId: record.siteId,
    publicKeyPem: deviceKey.export({ type: 'spki', format: 'pem' }) as string,
    enrolledAt: at,
  });
  if (
    !(await store.decideEnrolment(requestId, {
      state: 'approved',
      at,
      response: response as unknown as Record<string, unknown>,
    }))
  ) {
    const now = await store.enrolmentRequest(requestId);
    if (now?.state !== 'approved')
      throw new AppError(
        'already-decided',
        `request ${requestId} was decided by someone else meanwhile (${now?.state})`,
      );
    return { status: statusOf(now), deviceKeyId, revoked: false };
  }
  await new HubAudit(store, o.clock).append({
    actor: o.actor,
    action: 'enrol',
    subject: deviceKeyId,
    details: { decision: 'approved', requestId, siteId: record.siteId, via: o.via },
  });
  const d = await store.device(deviceKeyId);
  return {
    status: statusOf((await store.enrolmentRequest(requestId)) as EnrolmentRecord),
    deviceKeyId,
    revoked: d?.state === 'revoked',
  };
}

export async function rejectRequest(
  store: HubStore,
  requestId: string,
  reason: string,
  clock: Clock,
  actor: string,
): Promise<EnrolmentStatus> {
  const record = await store.enrolmentRequest(requestId);
  if (!record) throw new AppError('not-found', `no enrolment request ${requestId} (see bcrp-edge hub enrol list)`);
  if (!(await store.decideEnrolment(requestId, { state: 'rejected', at: clock.now().toISOString(), reason })))
    throw new AppError('already-decided', `request ${requestId} is ${record.state} already`);
  await new HubAudit(store, clock).append({
    actor,
    action: 'enrol',
    subject: requestId,
    details: { decision: 'rejected', requestId, siteId: record.siteId, reason },
  });
  return statusOf((await store.enrolmentRequest(requestId)) as EnrolmentRecord);
}

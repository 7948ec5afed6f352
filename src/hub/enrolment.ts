// The hub's side of enrolment: checks a device's enrolment request against the one-time code the partnership
// issued for that site, and answers it with the device's signed MQTT client certificate and the hub's keys. The
// same request and response documents travel as files (offline) or over MQTT (online, wired at merge into
// `bcrp-edge hub enrol --approve`).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { csrSubject, signClientCsr } from '../adapters/pki/openssl.js';
import { AppError } from '../core/errors.js';
import {
  checkCodeProof,
  type EnrolmentRequest,
  type EnrolmentResponse,
  REQUEST_FORMAT,
  RESPONSE_FORMAT,
} from '../services/provisioning.js';

export interface ApproveOptions {
  /** The one-time code issued for this site. */
  code: string;
  /** Which site the code was issued for: a request for another site is refused. */
  siteId: string;
  caCertFile: string;
  caKeyFile: string;
  hubSigningKeyFiles: string[];
  hubEncryptionKeyFile?: string;
  days?: number;
  workDir: string;
}

export async function approveEnrolment(raw: unknown, o: ApproveOptions): Promise<EnrolmentResponse> {
  const r = raw as Partial<EnrolmentRequest>;
  const problems: string[] = [];
  if (r?.format !== REQUEST_FORMAT) problems.push(`format must be ${REQUEST_FORMAT}`);
  if (r?.siteId !== o.siteId)
    problems.push(`the request is for site ${JSON.stringify(r?.siteId)}, the code is for ${o.siteId}`);
  if (typeof r?.deviceId !== 'string' || !/^[0-9a-f-]{36}$/.test(r.deviceId)) problems.push('deviceId is not a UUID');
  if (typeof r?.csr !== 'string' || typeof r?.signingPublicKey !== 'string')
    problems.push('csr and signingPublicKey are required');
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
    workDir: o.workDir,
  });
  const ca = readFileSync(o.caCertFile, 'utf8');
  new X509Certificate(certificate).verify(new X509Certificate(ca).publicKey);
  return {
    format: RESPONSE_FORMAT,
    siteId: req.siteId,
    deviceId: req.deviceId,
    certificate,
    ca,
    hubSigningKeys: o.hubSigningKeyFiles.map((f) => readFileSync(f, 'utf8')),
    ...(o.hubEncryptionKeyFile ? { hubEncryptionKey: readFileSync(o.hubEncryptionKeyFile, 'utf8') } : {}),
  };
}

// Turns what mqtt.js and OpenSSL say when a broker connection fails into the words the status strip, the logs and
// `doctor` show a shop manager or installer: which side refused what, and what to do. Never echoes a credential.
import { scrubCredentials } from '../../core/secrets.js';

const ENROL_AGAIN = 'enrol again (bcrp-edge provision --enrol-online)';
const UNREACHABLE = 'the broker cannot be reached: check mqtt.url, DNS, and that the firewall lets TCP 8883 out';

/** What happened (`reason`, for the status strip and logs) and what to do about it (`fix`, for doctor). */
export interface BrokerProblem {
  reason: string;
  fix: string;
}

// Most specific first: a timeout message from waitConnected carries the last TLS error inside it.
const RULES: readonly [RegExp, BrokerProblem][] = [
  [
    /alert certificate revoked/i,
    {
      reason:
        "the hub's broker refused this appliance's certificate: it has been revoked. Ask the partnership to enrol this appliance again (bcrp-edge provision)",
      fix: `the broker refused this device’s client certificate (revoked): ${ENROL_AGAIN}`,
    },
  ],
  [
    /alert certificate expired/i,
    {
      reason:
        "the hub's broker refused this appliance's certificate: it has expired. Renew it (bcrp-edge provision) and check the appliance's clock",
      fix: `the broker refused this device’s client certificate (expired): check the clock, then ${ENROL_AGAIN}`,
    },
  ],
  [
    /alert certificate required/i,
    {
      reason: "the hub's broker asks for this appliance's certificate and none was sent (set mqtt.cert and mqtt.key)",
      fix: `set mqtt.cert and mqtt.key, or ${ENROL_AGAIN}`,
    },
  ],
  [
    /alert (unknown ca|bad certificate|certificate unknown|unsupported certificate|access denied)/i,
    {
      reason:
        "the hub's broker refused this appliance's certificate (revoked or unknown). Ask the partnership to check this appliance's enrolment",
      fix: `the broker refused this device’s client certificate (revoked, expired or from another CA): ${ENROL_AGAIN}`,
    },
  ],
  [
    /self[- ]signed certificate|unable to (get local issuer|verify the first) certificate|UNABLE_TO_GET_ISSUER|SELF_SIGNED/i,
    {
      reason: "the broker's certificate is not signed by the certificate authority this appliance trusts (mqtt.ca)",
      fix: "the broker's certificate does not chain to mqtt.ca: install the partnership's CA (it comes with the enrolment response)",
    },
  ],
  [
    /certificate has expired|certificate is not yet valid|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/i,
    {
      reason: "the broker's certificate has expired or is not valid yet (check the appliance's clock)",
      fix: "check the appliance's clock (timedatectl); if it is right, the partnership must renew the broker's certificate",
    },
  ],
  [
    /does not match certificate's altnames|ERR_TLS_CERT_ALTNAME/i,
    {
      reason: "the broker's certificate is for another name or address than the one in mqtt.url",
      fix: "the broker's certificate does not name the host in mqtt.url: use the name the partnership gave",
    },
  ],
  [
    /not authori[sz]ed|bad user ?name or password|banned/i,
    {
      reason: "the hub's broker refused this appliance's connection (not authorised for this site)",
      fix: 'the broker accepted the certificate but not the user: the partnership must add this site to the broker ACL',
    },
  ],
  [
    /ECONNREFUSED/,
    { reason: 'the broker is not accepting connections (stopped, or the wrong port in mqtt.url)', fix: UNREACHABLE },
  ],
  [
    /ENOTFOUND|EAI_AGAIN/,
    { reason: "the broker's host name cannot be found (check mqtt.url and DNS)", fix: UNREACHABLE },
  ],
  [
    /ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|connack timeout|no answer|no connection within/i,
    { reason: 'the broker does not answer (network down, or a firewall in the way)', fix: UNREACHABLE },
  ],
  [
    /ECONNRESET|EPIPE|socket hang up|client disconnecting/i,
    {
      reason: 'the broker closed the connection',
      fix: `if it happens at every attempt the broker is refusing this device’s client certificate: ${ENROL_AGAIN}`,
    },
  ],
];

/** The reason and the fix for a failed broker connection; unknown messages are kept, scrubbed and shortened. */
export function brokerProblem(message: string): BrokerProblem {
  for (const [pattern, problem] of RULES) if (pattern.test(message)) return problem;
  const first = scrubCredentials(message.split('\n')[0] ?? '').slice(0, 200);
  return {
    reason: `the connection to the broker failed: ${first}`,
    fix: 'see the detail; bcrp-edge run logs every connection attempt',
  };
}

/** A plain-words reason for a failed broker connection (the status strip's words). */
export function describeBrokerProblem(message: string): string {
  return brokerProblem(message).reason;
}

// Turns what mqtt.js and OpenSSL say when a broker connection fails into the words the status strip, the logs and
// `doctor` show a shop manager or installer: which side refused what, and what to do. Never echoes a credential.
import { scrubCredentials } from '../../core/secrets.js';

const RULES: readonly [RegExp, string][] = [
  [
    /alert certificate revoked/i,
    "the hub's broker refused this appliance's certificate: it has been revoked. Ask the partnership to enrol this appliance again (bcrp-edge provision)",
  ],
  [
    /alert certificate expired/i,
    "the hub's broker refused this appliance's certificate: it has expired. Renew it (bcrp-edge provision) and check the appliance's clock",
  ],
  [
    /alert certificate required/i,
    "the hub's broker asks for this appliance's certificate and none was sent (set mqtt.cert and mqtt.key)",
  ],
  [
    /alert (unknown ca|bad certificate|certificate unknown|unsupported certificate|access denied)/i,
    "the hub's broker refused this appliance's certificate (revoked or unknown). Ask the partnership to check this appliance's enrolment",
  ],
  [
    /self[- ]signed certificate|unable to (get local issuer|verify the first) certificate|UNABLE_TO_GET_ISSUER|SELF_SIGNED/i,
    "the broker's certificate is not signed by the certificate authority this appliance trusts (mqtt.ca)",
  ],
  [
    /certificate has expired|certificate is not yet valid|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/i,
    "the broker's certificate has expired or is not valid yet (check the appliance's clock)",
  ],
  [
    /does not match certificate's altnames|ERR_TLS_CERT_ALTNAME/i,
    "the broker's certificate is for another name or address than the one in mqtt.url",
  ],
  [
    /not authori[sz]ed|bad user ?name or password|banned/i,
    "the hub's broker refused this appliance's connection (not authorised for this site)",
  ],
  [/ECONNREFUSED/, 'the broker is not accepting connections (stopped, or the wrong port in mqtt.url)'],
  [/ENOTFOUND|EAI_AGAIN/, "the broker's host name cannot be found (check mqtt.url and DNS)"],
  [
    /ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|connack timeout|no answer/i,
    'the broker does not answer (network down, or a firewall in the way)',
  ],
  [/ECONNRESET|EPIPE|socket hang up|client disconnecting/i, 'the broker closed the connection'],
];

/** A plain-words reason for a failed broker connection; unknown messages are kept, scrubbed and shortened. */
export function describeBrokerProblem(message: string): string {
  for (const [pattern, words] of RULES) if (pattern.test(message)) return words;
  const first = scrubCredentials(message.split('\n')[0] ?? '').slice(0, 200);
  return `the connection to the broker failed: ${first}`;
}

// Removes credentials from text before it reaches a log, an error message or a web page: user:password@ in
// URLs (rtsp, http, mqtt, …), password-like query parameters, Authorization headers and PEM private keys.

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*)(?::[^\s/@]*)?@/gi;
const QUERY_SECRET = /([?&;](?:password|passwd|pwd|pass|token|access_token|secret|key|auth)=)[^&\s#;"']*/gi;
const AUTH_HEADER =
  /\b((?:proxy-)?authorization\s*[:=]\s*)(?:"[^"]*"|'[^']*'|(?:basic|bearer|digest)\s+[^\r\n,}]*(?:,\s*[a-z]+="[^"]*")*|[^\s,}]+)/gi;
const PEM_PRIVATE = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

export const REDACTED = '[redacted]';

export function scrubCredentials(text: string): string {
  return text
    .replace(PEM_PRIVATE, `-----${REDACTED} PRIVATE KEY-----`)
    .replace(URL_USERINFO, (_m, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(QUERY_SECRET, (_m, prefix: string) => `${prefix}${REDACTED}`)
    .replace(AUTH_HEADER, (_m, prefix: string) => `${prefix}${REDACTED}`);
}

/** Key names whose values are secrets wherever they appear in a structured log line. */
export const SECRET_KEY_PATTERN =
  /pass(word|wd|phrase)?$|secret|token|^authorization$|^cookie$|^set-cookie$|private|^key$|apikey|credential/i;

/** Deep copy of `value` with secret-named keys replaced and credentials scrubbed from every string. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubCredentials(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrubCredentials(value.message),
      stack: value.stack ? scrubCredentials(value.stack) : undefined,
    };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      SECRET_KEY_PATTERN.test(k) && v !== undefined && v !== null && typeof v !== 'boolean'
        ? REDACTED
        : scrubValue(v, depth + 1);
  }
  return out;
}

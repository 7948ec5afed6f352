// HTTP digest authentication (RFC 7616) for the NVR, client and server side. urllib's digestAuth only computes
// MD5 and splits the challenge on every comma (breaking qop="auth,auth-int"), and newer Hikvision firmware offers
// SHA-256, so this small implementation (MD5, SHA-256 and their -sess forms, qop=auth) is used with fetch instead.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';
const ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256-sess', 'SHA-256', 'MD5-sess', 'MD5'];

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  qop: string[];
  algorithm: DigestAlgorithm;
  stale: boolean;
}

/** Splits `k=v, k="v, w"` lists, honouring quotes and backslash escapes. */
export function parseAuthParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/gy;
  let m: RegExpExecArray | null = re.exec(text);
  while (m !== null) {
    out.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
    if (re.lastIndex >= text.length) break;
    m = re.exec(text);
  }
  return out;
}

/**
 * Reads every Digest challenge from WWW-Authenticate values (a server may send one per algorithm, in one header
 * or several) and returns them strongest first; unknown algorithms are ignored.
 */
export function parseDigestChallenges(headers: readonly string[]): DigestChallenge[] {
  const found: DigestChallenge[] = [];
  for (const h of headers) {
    // Several challenges in one header: split before each scheme token.
    for (const part of h.split(/,?\s*(?=\b(?:Digest|Basic|Bearer)\s)/i)) {
      const m = /^\s*Digest\s+(.*)$/is.exec(part);
      if (!m) continue;
      const p = parseAuthParams(m[1]!);
      const realm = p.get('realm');
      const nonce = p.get('nonce');
      if (realm === undefined || !nonce) continue;
      const alg = ALGORITHMS.find((a) => a.toLowerCase() === (p.get('algorithm') ?? 'MD5').toLowerCase());
      if (!alg) continue;
      const opaque = p.get('opaque');
      found.push({
        realm,
        nonce,
        ...(opaque !== undefined ? { opaque } : {}),
        qop: (p.get('qop') ?? '')
          .split(',')
          .map((q) => q.trim())
          .filter(Boolean),
        algorithm: alg,
        stale: (p.get('stale') ?? '').toLowerCase() === 'true',
      });
    }
  }
  return found.sort((a, b) => ALGORITHMS.indexOf(a.algorithm) - ALGORITHMS.indexOf(b.algorithm));
}

function hashFn(alg: DigestAlgorithm): (s: string) => string {
  const name = alg.startsWith('SHA-256') ? 'sha256' : 'md5';
  return (s) => createHash(name).update(s, 'utf8').digest('hex');
}

export interface DigestCredentials {
  username: string;
  password: string;
}

export function digestResponse(args: {
  algorithm: DigestAlgorithm;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: string | undefined;
  method: string;
  uri: string;
}): string {
  const H = hashFn(args.algorithm);
  let ha1 = H(`${args.username}:${args.realm}:${args.password}`);
  if (args.algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${args.nonce}:${args.cnonce}`);
  const ha2 = H(`${args.method.toUpperCase()}:${args.uri}`);
  return args.qop
    ? H(`${ha1}:${args.nonce}:${args.nc}:${args.cnonce}:${args.qop}:${ha2}`)
    : H(`${ha1}:${args.nonce}:${ha2}`);
}

/** Answers one challenge; `nc` counts uses of the same nonce. */
export function authorizationHeader(
  challenge: DigestChallenge,
  creds: DigestCredentials,
  method: string,
  uri: string,
  nc: number,
  cnonce: string = randomBytes(8).toString('hex'),
): string {
  const qop = challenge.qop.includes('auth') ? 'auth' : undefined;
  const ncHex = nc.toString(16).padStart(8, '0');
  const response = digestResponse({
    algorithm: challenge.algorithm,
    username: creds.username,
    password: creds.password,
    realm: challenge.realm,
    nonce: challenge.nonce,
    cnonce,
    nc: ncHex,
    qop,
    method,
    uri,
  });
  const q = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
  const parts = [
    `username=${q(creds.username)}`,
    `realm=${q(challenge.realm)}`,
    `nonce=${q(challenge.nonce)}`,
    `uri=${q(uri)}`,
    `algorithm=${challenge.algorithm}`,
    `response=${q(response)}`,
  ];
  if (challenge.opaque !== undefined) parts.push(`opaque=${q(challenge.opaque)}`);
  if (qop) parts.push(`qop=${qop}`, `nc=${ncHex}`, `cnonce=${q(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}

/** Server side: checks an Authorization header against the expected user; the emulator uses it. */
export function verifyAuthorization(
  header: string | undefined,
  method: string,
  users: ReadonlyMap<string, string>,
  isKnownNonce: (nonce: string) => boolean,
): { ok: true; username: string } | { ok: false; stale: boolean } {
  const m = header ? /^\s*Digest\s+(.*)$/is.exec(header) : null;
  if (!m) return { ok: false, stale: false };
  const p = parseAuthParams(m[1]!);
  const username = p.get('username') ?? '';
  const password = users.get(username);
  const alg = ALGORITHMS.find((a) => a.toLowerCase() === (p.get('algorithm') ?? 'MD5').toLowerCase());
  const nonce = p.get('nonce') ?? '';
  const given = p.get('response') ?? '';
  if (password === undefined || !alg) return { ok: false, stale: false };
  const expected = digestResponse({
    algorithm: alg,
    username,
    password,
    realm: p.get('realm') ?? '',
    nonce,
    cnonce: p.get('cnonce') ?? '',
    nc: p.get('nc') ?? '',
    qop: p.get('qop'),
    method,
    uri: p.get('uri') ?? '',
  });
  const same = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  if (!same) return { ok: false, stale: false };
  if (!isKnownNonce(nonce)) return { ok: false, stale: true };
  return { ok: true, username };
}

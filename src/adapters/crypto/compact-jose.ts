// The two JOSE profiles the project receives — compact JWS with EdDSA (Ed25519) and compact JWE with
// ECDH-ES+A256KW (X25519) and A256GCM — opened with node:crypto directly and synchronously. On a hub this is most
// of the work per packet, and jose on Node 20 spends several times the crypto's own cost on JavaScript base64,
// WebCrypto key imports and thread-pool round trips. It accepts a subset of what jose accepts: anything outside the
// one profile (crit, zip, b64, apu/apv, other algorithms or key types, odd lengths) is refused, never interpreted.
// Sealing stays with jose; test/unit/compact-jose.test.ts checks both agree.
import {
  createDecipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

/** What went wrong: outside the accepted profile (never interpreted), a signature that does not verify, or a JWE
 * that does not decrypt. A caller reports a profile error as such, not as a forged or damaged packet. */
export type JoseFailure = 'profile' | 'signature' | 'decryption';

export class JoseError extends Error {
  constructor(
    message: string,
    readonly kind: JoseFailure = 'profile',
  ) {
    super(message);
  }
}

/** A compact serialization split and decoded; each segment was the one canonical base64url spelling of its bytes. */
export interface CompactSegments {
  text: string[];
  bytes: Buffer[];
  /** The serialization as bytes (ASCII). */
  raw: Buffer;
}

/**
 * Splits and decodes. Re-encoding each decoded segment and comparing is the whole canonical check: Node's decoder
 * skips characters outside the alphabet and accepts padding and the '+' '/' alphabet, none of which survives the
 * round trip, so no character of a packet can change unnoticed.
 */
export function compactSegments(raw: Buffer): CompactSegments | undefined {
  const parts = raw.toString('latin1').split('.');
  const bytes: Buffer[] = [];
  for (const p of parts) {
    const b = Buffer.from(p, 'base64url');
    if (b.toString('base64url') !== p) return undefined;
    bytes.push(b);
  }
  return { text: parts, bytes, raw };
}

// ignoreBOM keeps a leading byte order mark in the text (the default would drop it silently), so JSON.parse refuses
// it: a header is JSON text, and RFC 8259 §8.1 forbids a BOM in front of it.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A protected header: strict UTF-8 JSON of a plain object (no byte order mark), or undefined. */
export function parseHeader(bytes: Buffer): Record<string, unknown> | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

// Header members that would change how the rest is read: refused rather than supported.
const JWS_REFUSED = ['crit', 'b64', 'jku', 'jwk', 'x5u', 'x5c'];
const JWE_REFUSED = ['crit', 'zip', 'apu', 'apv', 'jku', 'jwk', 'x5u', 'x5c'];

/** Why a JWS header is outside the one accepted profile, or undefined when it is inside. */
export function jwsProfileProblem(header: Record<string, unknown>): string | undefined {
  const refused = JWS_REFUSED.find((m) => m in header);
  if (refused) return `the JWS header has "${refused}", which this profile refuses`;
  if (header.alg !== 'EdDSA') return 'the JWS alg is not EdDSA';
  return undefined;
}

/** Verifies a compact EdDSA JWS with an Ed25519 public key; its header and payload, or throws JoseError. */
export function verifyEd25519Jws(
  seg: CompactSegments,
  key: KeyObject,
): { header: Record<string, unknown>; payload: Buffer } {
  if (seg.text.length !== 3) throw new JoseError('not a compact JWS');
  const header = parseHeader(seg.bytes[0]!);
  if (!header) throw new JoseError('the JWS header is not a JSON object');
  const problem = jwsProfileProblem(header);
  if (problem) throw new JoseError(problem);
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') throw new JoseError('not an Ed25519 public key');
  const signature = seg.bytes[2]!;
  if (signature.length !== 64) throw new JoseError('an Ed25519 signature is 64 bytes');
  // The signing input is the serialization up to its last dot, as bytes: no copy of a large payload.
  const input = seg.raw.subarray(0, seg.raw.length - seg.text[2]!.length - 1);
  if (!verify(null, input, key, signature)) throw new JoseError('signature verification failed', 'signature');
  return { header, payload: seg.bytes[1]! };
}

/** Signs `payload` as a compact EdDSA JWS (byte for byte what jose's CompactSign makes with the same header). */
export function signEd25519Jws(payload: Buffer, header: Record<string, unknown>, key: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header), 'utf8').toString('base64url')}.${payload.toString('base64url')}`;
  return `${input}.${sign(null, Buffer.from(input, 'latin1'), key).toString('base64url')}`;
}

const ALG = 'ECDH-ES+A256KW';
// RFC 7518 §4.6.2 OtherInfo for ECDH-ES+A256KW without apu/apv: AlgorithmID, PartyUInfo, PartyVInfo, SuppPubInfo.
const OTHER_INFO = Buffer.concat([u32(ALG.length), Buffer.from(ALG, 'ascii'), u32(0), u32(0), u32(256)]);
// RFC 3394 default initial value for AES key wrap.
const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Decrypts a compact ECDH-ES+A256KW / A256GCM JWE with an X25519 private key; header and plaintext, or throws. */
export function decryptX25519Jwe(
  seg: CompactSegments,
  key: KeyObject,
): { header: Record<string, unknown>; plaintext: Buffer } {
  if (seg.text.length !== 5) throw new JoseError('not a compact JWE');
  const [h, encryptedKey, iv, ciphertext, tag] = seg.bytes as [Buffer, Buffer, Buffer, Buffer, Buffer];
  const header = parseHeader(h);
  if (!header) throw new JoseError('the JWE header is not a JSON object');
  if (JWE_REFUSED.some((m) => m in header)) throw new JoseError('the JWE header has a member this profile refuses');
  if (header.alg !== ALG || header.enc !== 'A256GCM') throw new JoseError(`the JWE is not ${ALG} with A256GCM`);
  if (key.type !== 'private' || key.asymmetricKeyType !== 'x25519') throw new JoseError('not an X25519 private key');
  const epk = header.epk as Record<string, unknown> | undefined;
  if (
    typeof epk !== 'object' ||
    epk === null ||
    Array.isArray(epk) ||
    Object.keys(epk).some((k) => k !== 'kty' && k !== 'crv' && k !== 'x') ||
    epk.kty !== 'OKP' ||
    epk.crv !== 'X25519' ||
    typeof epk.x !== 'string'
  )
    throw new JoseError('the JWE epk is not an X25519 public key');
  // Exactly 32 bytes in the one canonical spelling: Node's decoder would otherwise ignore stray bits, padding or
  // characters and reach the same key from several different headers.
  const x = Buffer.from(epk.x, 'base64url');
  if (x.length !== 32 || x.toString('base64url') !== epk.x)
    throw new JoseError('the JWE epk.x is not 32 bytes of canonical base64url');
  if (encryptedKey.length !== 40 || iv.length !== 12 || tag.length !== 16)
    throw new JoseError('the JWE encrypted key, IV or tag has the wrong length');
  try {
    const ephemeral = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.x }, format: 'jwk' });
    // OpenSSL refuses an all-zero shared secret (a small-order ephemeral key), as WebCrypto does.
    const z = diffieHellman({ privateKey: key, publicKey: ephemeral });
    const kek = createHash('sha256').update(u32(1)).update(z).update(OTHER_INFO).digest();
    const unwrap = createDecipheriv('id-aes256-wrap', kek, KW_IV);
    const cek = Buffer.concat([unwrap.update(encryptedKey), unwrap.final()]);
    if (cek.length !== 32) throw new JoseError('the unwrapped key is not 256 bits');
    const gcm = createDecipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
    gcm.setAAD(Buffer.from(seg.text[0]!, 'latin1'));
    gcm.setAuthTag(tag);
    return { header, plaintext: Buffer.concat([gcm.update(ciphertext), gcm.final()]) };
  } catch (e) {
    if (e instanceof JoseError) throw e;
    throw new JoseError('decryption failed', 'decryption');
  }
}

// Seals incident packets with jose and opens them with compact-jose.ts: a compact JWS (EdDSA, Ed25519 device key)
// over the manifest and the base64 image bytes together, optionally wrapped in a compact JWE (ECDH-ES+A256KW,
// A256GCM) to the hub's X25519 key. Opening never throws: it reports each check (size, format, decryption,
// signature, schema, hashes) by name.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt, CompactSign } from 'jose';
import { AppError } from '../../core/errors.js';
import type { PacketContents, PacketFile } from '../../core/packet/build.js';
import { DEFAULT_MAX_PACKET_BYTES, manifestProblems, type PacketManifest } from '../../core/packet/manifest.js';
import type { PacketSealer } from '../../core/ports/packet-sealer.js';
import {
  compactSegments,
  decryptX25519Jwe,
  JoseError,
  jwsProfileProblem,
  parseHeader,
  signEd25519Jws,
  verifyEd25519Jws,
} from './compact-jose.js';
import { fingerprint } from './keys.js';

export const JWS_TYP = 'bcrp-packet+jws';
export const ACK_TYP = 'bcrp-ack+jws';
export const CHECKPOINT_TYP = 'bcrp-checkpoint+jws';

export class PacketTooLarge extends AppError {
  constructor(size: number, max: number) {
    super(
      'packet-too-large',
      `the packet is ${size} bytes; the limit is ${max} bytes. Send fewer or smaller images (nothing is cut short silently)`,
    );
  }
}

export interface SealOptions {
  signingKey: KeyObject;
  /** The hub's X25519 public key: when given, the signed packet is encrypted to it. */
  encryptTo?: KeyObject | undefined;
  maxBytes?: number;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The packet as one MQTT payload (ASCII text of the compact JWS or JWE). */
export async function sealPacket(contents: PacketContents, options: SealOptions): Promise<Buffer> {
  const { manifest, files, clip } = contents;
  const problems = manifestProblems(manifest);
  if (problems.length > 0)
    throw new AppError('packet-invalid', 'the manifest does not meet the packet schema', { details: problems });
  for (const img of manifest.images) {
    const file = files.find((f) => f.name === img.name);
    if (!file || sha256(file.bytes) !== img.sha256)
      throw new AppError('packet-invalid', `image ${img.name}: its bytes do not match the SHA-256 in the manifest`);
  }
  if (Boolean(manifest.clip) !== Boolean(clip) || (clip && sha256(clip.bytes) !== manifest.clip?.sha256))
    throw new AppError('packet-invalid', 'the clip: its bytes do not match the SHA-256 in the manifest');
  const publicKey = createPublicKey(options.signingKey);
  if (fingerprint(publicKey) !== manifest.deviceId)
    throw new AppError('packet-invalid', 'the manifest deviceId is not the fingerprint of the signing key');
  const payload = JSON.stringify({
    manifest,
    images: files.map((f) => ({ name: f.name, data: f.bytes.toString('base64') })),
    ...(clip ? { clip: { name: clip.name, data: clip.bytes.toString('base64') } } : {}),
  });
  const max = options.maxBytes ?? DEFAULT_MAX_PACKET_BYTES;
  // Fail before signing and encrypting something that cannot be sent anyway.
  if (payload.length * 4 > max * 3 + 4096) throw new PacketTooLarge(Math.ceil((payload.length * 4) / 3), max);
  let text = await new CompactSign(Buffer.from(payload, 'utf8'))
    .setProtectedHeader({ alg: 'EdDSA', typ: JWS_TYP, kid: manifest.deviceId })
    .sign(options.signingKey);
  if (options.encryptTo) {
    text = await new CompactEncrypt(Buffer.from(text, 'ascii'))
      .setProtectedHeader({
        alg: 'ECDH-ES+A256KW',
        enc: 'A256GCM',
        cty: JWS_TYP,
        kid: fingerprint(options.encryptTo),
      })
      .encrypt(options.encryptTo);
  }
  if (text.length > max) throw new PacketTooLarge(text.length, max);
  return Buffer.from(text, 'ascii');
}

export const CHECKS = ['size', 'format', 'decrypt', 'signature', 'schema', 'hashes'] as const;
export type CheckName = (typeof CHECKS)[number];

export interface CheckResult {
  check: CheckName;
  ok: boolean;
  message: string;
}

export interface OpenedPacket {
  ok: boolean;
  encrypted: boolean;
  checks: CheckResult[];
  /** The kid of the signature (the device fingerprint), when the packet got that far. */
  deviceId?: string;
  manifest?: PacketManifest;
  files?: PacketFile[];
  /** The redacted clip (bcrp-packet/2). */
  clip?: PacketFile;
  /** SHA-256 of the inner JWS text: the same packet content gives the same digest, encrypted or not. */
  digest?: string;
}

export interface OpenOptions {
  /** The device's signing public key for a kid (fingerprint), or undefined when not enrolled. */
  /** May be async: the hub looks keys up in its store. */
  deviceKey: (kid: string) => KeyObject | undefined | Promise<KeyObject | undefined>;
  hubKey?: KeyObject | undefined;
  maxBytes?: number;
  /** The packet formats this reader accepts (default: every one this code knows); another is refused by name. */
  formats?: readonly string[];
}

export async function openPacket(bytes: Buffer, options: OpenOptions): Promise<OpenedPacket> {
  const checks: CheckResult[] = [];
  const result: OpenedPacket = { ok: false, encrypted: false, checks };
  const pass = (check: CheckName, message: string) => checks.push({ check, ok: true, message });
  const fail = (check: CheckName, message: string): OpenedPacket => {
    checks.push({ check, ok: false, message });
    return result;
  };
  const max = options.maxBytes ?? DEFAULT_MAX_PACKET_BYTES;
  if (bytes.length > max) return fail('size', `the packet is ${bytes.length} bytes; the limit is ${max}`);
  pass('size', `${bytes.length} bytes (limit ${max})`);

  let seg = compactSegments(bytes);
  if (!seg || (seg.text.length !== 3 && seg.text.length !== 5))
    return fail('format', 'not a compact JWS or JWE (bad characters, padding or segment count)');
  if (seg.text.length === 5) {
    result.encrypted = true;
    if (!options.hubKey)
      return fail('decrypt', "the packet is encrypted to the hub: the hub's X25519 private key is needed (--hub-key)");
    let inner: Buffer;
    try {
      const { plaintext, header } = decryptX25519Jwe(seg, options.hubKey);
      if (header.cty !== JWS_TYP) return fail('decrypt', `unexpected content type ${String(header.cty)}`);
      inner = plaintext;
    } catch (e) {
      return fail('decrypt', `cannot decrypt with this hub key (${(e as Error).message})`);
    }
    seg = compactSegments(inner);
    if (seg?.text.length !== 3) return fail('format', 'the encrypted content is not a compact JWS');
    pass('decrypt', 'decrypted with the hub key');
  }
  const header = parseHeader(seg.bytes[0]!);
  if (!header) return fail('format', 'the JWS header is not readable JSON (UTF-8 without a byte order mark)');
  // Outside the one accepted profile (crit, b64, embedded keys…) is a format problem, never a bad signature.
  const outside = jwsProfileProblem(header);
  if (outside) return fail('format', `outside the accepted JOSE profile: ${outside}`);
  pass('format', result.encrypted ? 'JWE (ECDH-ES+A256KW, A256GCM) around a JWS' : 'compact JWS');

  if (header.alg !== 'EdDSA' || header.typ !== JWS_TYP || typeof header.kid !== 'string')
    return fail('signature', `the JWS header is not alg EdDSA, typ ${JWS_TYP} with a kid`);
  const kid = header.kid;
  result.deviceId = kid;
  const key = await options.deviceKey(kid);
  if (!key) return fail('signature', `no device key for kid ${kid.slice(0, 16)}… (device not known)`);
  let payload: Buffer;
  try {
    payload = verifyEd25519Jws(seg, key).payload;
  } catch (e) {
    if (e instanceof JoseError && e.kind === 'profile')
      return fail('format', `outside the accepted JOSE profile: ${e.message}`);
    return fail('signature', 'the signature does not verify with the device key');
  }
  pass('signature', `EdDSA signature valid, device ${kid.slice(0, 16)}…`);
  result.digest = sha256(seg.raw);

  let body: { manifest?: unknown; images?: unknown; clip?: unknown };
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return fail('schema', 'the signed payload is not JSON');
  }
  const format = (body?.manifest as { schema?: unknown } | undefined)?.schema;
  if (options.formats && typeof format === 'string' && !options.formats.includes(format))
    return fail(
      'schema',
      `packet format ${format.slice(0, 40)} is not accepted here (this reader takes ${options.formats.join(', ')}); nothing was stored`,
    );
  const problems = manifestProblems(body?.manifest);
  if (problems.length > 0) return fail('schema', `manifest: ${problems.slice(0, 5).join('; ')}`);
  const manifest = body.manifest as PacketManifest;
  if (manifest.deviceId !== kid) return fail('schema', 'the manifest deviceId is not the signing key');
  if (
    !Array.isArray(body.images) ||
    !body.images.every(
      (i: unknown) =>
        typeof i === 'object' &&
        i !== null &&
        typeof (i as { name: unknown }).name === 'string' &&
        typeof (i as { data: unknown }).data === 'string' &&
        Object.keys(i).length === 2,
    )
  )
    return fail('schema', 'the payload images are not a list of {name, data}');
  result.manifest = manifest;
  pass(
    'schema',
    `${manifest.schema}, ${manifest.images.length} image(s)${manifest.clip ? `, a ${manifest.clip.durationSeconds} s clip` : ''}`,
  );

  const files: PacketFile[] = [];
  const carried = body.images as { name: string; data: string }[];
  if (carried.length !== manifest.images.length)
    return fail('hashes', `the manifest lists ${manifest.images.length} images but ${carried.length} are carried`);
  for (const img of manifest.images) {
    const found = carried.filter((c) => c.name === img.name);
    if (found.length !== 1) return fail('hashes', `image ${img.name} is not carried exactly once`);
    const data = found[0]!.data;
    const file = Buffer.from(data, 'base64');
    if (file.toString('base64') !== data) return fail('hashes', `image ${img.name} is not canonical base64`);
    if (sha256(file) !== img.sha256) return fail('hashes', `image ${img.name}: SHA-256 does not match the manifest`);
    files.push({ name: img.name, bytes: file });
  }
  result.files = files;
  if (manifest.clip) {
    const c = body.clip as { name?: unknown; data?: unknown } | undefined;
    if (
      !c ||
      typeof c !== 'object' ||
      c.name !== manifest.clip.name ||
      typeof c.data !== 'string' ||
      Object.keys(c).length !== 2
    )
      return fail('hashes', 'the manifest lists a clip but none is carried as {name, data}');
    const bytes = Buffer.from(c.data, 'base64');
    if (bytes.toString('base64') !== c.data) return fail('hashes', 'the clip is not canonical base64');
    if (sha256(bytes) !== manifest.clip.sha256) return fail('hashes', 'the clip: SHA-256 does not match the manifest');
    result.clip = { name: manifest.clip.name, bytes };
  } else if (body.clip !== undefined) return fail('hashes', 'a clip is carried that the manifest does not list');
  pass('hashes', `${files.length} image hash(es)${result.clip ? ' and the clip hash' : ''} match`);
  result.ok = true;
  return result;
}

/** Signs a small JSON document (acks, checkpoints) with an Ed25519 key. */
export async function signJson(value: unknown, key: KeyObject, typ: string, kid: string): Promise<Buffer> {
  return Buffer.from(
    signEd25519Jws(Buffer.from(JSON.stringify(value), 'utf8'), { alg: 'EdDSA', typ, kid }, key),
    'ascii',
  );
}

/** The JSON inside a signed document when one of `keys` verifies it; undefined otherwise (never throws). */
export async function verifyJson(bytes: Buffer, keys: readonly KeyObject[], typ: string): Promise<unknown> {
  const seg = bytes.length > 16384 ? undefined : compactSegments(bytes);
  if (seg?.text.length !== 3 || parseHeader(seg.bytes[0]!)?.typ !== typ) return undefined;
  for (const key of keys) {
    try {
      return JSON.parse(verifyEd25519Jws(seg, key).payload.toString('utf8'));
    } catch {
      // try the next key (a hub may rotate keys)
    }
  }
  return undefined;
}

/** The PacketSealer port with jose and the device's keys. */
export class JosePacketSealer implements PacketSealer {
  readonly deviceId: string;
  readonly #options: SealOptions;
  constructor(options: SealOptions) {
    this.#options = options;
    this.deviceId = fingerprint(createPublicKey(options.signingKey));
  }
  seal(contents: PacketContents): Promise<Buffer> {
    return sealPacket(contents, this.#options);
  }
}

/** Verifies a signed JSON document with the key its `kid` names; the kid and the JSON, or undefined. */
export async function verifyJsonByKid(
  bytes: Buffer,
  typ: string,
  keyFor: (kid: string) => KeyObject | undefined | Promise<KeyObject | undefined>,
): Promise<{ kid: string; value: unknown } | undefined> {
  const seg = bytes.length > 16384 ? undefined : compactSegments(bytes);
  const header = seg?.text.length === 3 ? parseHeader(seg.bytes[0]!) : undefined;
  if (header?.typ !== typ || typeof header.kid !== 'string') return undefined;
  const key = await keyFor(header.kid);
  if (!key) return undefined;
  const value = await verifyJson(bytes, [key], typ);
  return value === undefined ? undefined : { kid: header.kid, value };
}

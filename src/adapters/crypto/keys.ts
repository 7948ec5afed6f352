// Device and hub keys: Ed25519 for signing (packets, acks), X25519 for encryption (JWE to the hub). PEM files,
// private keys 0600; a key's fingerprint is the SHA-256 of its SubjectPublicKeyInfo DER (the JWS kid).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../core/errors.js';

export type KeyKind = 'ed25519' | 'x25519';

export const KEY_FILES = {
  signingPrivate: 'signing.key',
  signingPublic: 'signing.pub',
  encryptionPrivate: 'encryption.key',
  encryptionPublic: 'encryption.pub',
} as const;

export class KeyError extends AppError {}

export function fingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export interface GeneratedKeys {
  dir: string;
  signingFingerprint: string;
  encryptionFingerprint: string;
  files: string[];
}

/** Makes an Ed25519 signing pair and an X25519 encryption pair in DIR; never overwrites an existing key. */
export function generateKeys(dir: string): GeneratedKeys {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = Object.values(KEY_FILES).map((f) => join(dir, f));
  const existing = files.filter((f) => existsSync(f));
  if (existing.length > 0)
    throw new KeyError('key-exists', `${existing.join(', ')} already exist: refusing to overwrite a key`);
  const sign = generateKeyPairSync('ed25519');
  const enc = generateKeyPairSync('x25519');
  const write = (name: string, key: KeyObject, priv: boolean) =>
    writeFileSync(
      join(dir, name),
      priv
        ? (key.export({ type: 'pkcs8', format: 'pem' }) as string)
        : (key.export({ type: 'spki', format: 'pem' }) as string),
      { mode: priv ? 0o600 : 0o644, flag: 'wx' },
    );
  write(KEY_FILES.signingPrivate, sign.privateKey, true);
  write(KEY_FILES.signingPublic, sign.publicKey, false);
  write(KEY_FILES.encryptionPrivate, enc.privateKey, true);
  write(KEY_FILES.encryptionPublic, enc.publicKey, false);
  return {
    dir,
    signingFingerprint: fingerprint(sign.publicKey),
    encryptionFingerprint: fingerprint(enc.publicKey),
    files,
  };
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KeyError(
      'key-unreadable',
      `cannot read the ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code}`,
    );
  }
}

function checkKind(key: KeyObject, kind: KeyKind, file: string, what: string): KeyObject {
  if (key.asymmetricKeyType !== kind)
    throw new KeyError(
      'key-wrong-type',
      `${file} holds a ${key.asymmetricKeyType ?? 'symmetric'} key; the ${what} must be ${kind === 'ed25519' ? 'Ed25519' : 'X25519'}`,
    );
  return key;
}

export function loadPrivateKey(file: string, kind: KeyKind): KeyObject {
  const what = kind === 'ed25519' ? 'signing private key' : 'encryption private key';
  const pem = readPem(file, what);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new KeyError('key-invalid', `${file} is not a PEM private key (expected the ${what})`);
  }
  return checkKind(key, kind, file, what);
}

/** Accepts a public key PEM, or a private key PEM whose public half is taken. */
export function loadPublicKey(file: string, kind: KeyKind): KeyObject {
  const what = kind === 'ed25519' ? 'signing public key' : 'encryption public key';
  const pem = readPem(file, what);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new KeyError('key-invalid', `${file} is not a PEM public key (expected the ${what})`);
  }
  return checkKind(key, kind, file, what);
}

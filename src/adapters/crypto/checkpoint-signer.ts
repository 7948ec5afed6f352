// A minimal Ed25519 signer with jose for audit checkpoints, SAR cover sheets and police exports: a PEM key pair
// under <data-dir>/keys made on first use (private key 0600). The packets work owns full device-key management;
// at merge this should load the device key from there instead of its own file.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CompactSign,
  calculateJwkThumbprint,
  compactVerify,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  importSPKI,
} from 'jose';
import { canonicalJson } from '../../core/canonical-json.js';
import { AppError } from '../../core/errors.js';
import type { SignatureVerifier, Signer } from '../../core/ports/signer.js';

export const SIGNING_KEY_FILE = join('keys', 'checkpoint-ed25519.pem');
export const SIGNING_PUBLIC_FILE = join('keys', 'checkpoint-ed25519.pub.pem');

type Key = Awaited<ReturnType<typeof importPKCS8>>;

export class JoseSigner implements Signer {
  readonly keyId: string;
  readonly #key: Key;
  readonly #publicPem: string;

  private constructor(key: Key, publicPem: string, keyId: string) {
    this.#key = key;
    this.#publicPem = publicPem;
    this.keyId = keyId;
  }

  static async fromPem(privatePem: string, publicPem: string): Promise<JoseSigner> {
    const key = await importPKCS8(privatePem, 'EdDSA');
    const pub = await importSPKI(publicPem, 'EdDSA', { extractable: true });
    const kid = await calculateJwkThumbprint(await exportJWK(pub), 'sha256');
    return new JoseSigner(key, publicPem, kid);
  }

  /** Loads the key pair from the data dir, making it (0600) the first time. */
  static async loadOrCreate(dataDir: string): Promise<JoseSigner> {
    const priv = join(dataDir, SIGNING_KEY_FILE);
    const pub = join(dataDir, SIGNING_PUBLIC_FILE);
    if (!existsSync(priv)) {
      const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      mkdirSync(dirname(priv), { recursive: true, mode: 0o700 });
      writeFileSync(priv, await exportPKCS8(pair.privateKey), { mode: 0o600, flag: 'wx' });
      writeFileSync(pub, await exportSPKI(pair.publicKey), { mode: 0o644 });
    }
    if ((statSync(priv).mode & 0o077) !== 0) {
      throw new AppError('signing-key-exposed', `${priv} can be read by other users: chmod 600 it`);
    }
    try {
      return await JoseSigner.fromPem(readFileSync(priv, 'utf8'), readFileSync(pub, 'utf8'));
    } catch (e) {
      throw new AppError(
        'signing-key-invalid',
        `the signing key in ${dirname(priv)} cannot be read: restore it from the backup`,
        { cause: e },
      );
    }
  }

  async sign(payload: object): Promise<string> {
    return new CompactSign(new TextEncoder().encode(canonicalJson(payload)))
      .setProtectedHeader({ alg: 'EdDSA', kid: this.keyId })
      .sign(this.#key);
  }

  publicKeyPem(): string {
    return this.#publicPem;
  }
}

export const joseVerifier: SignatureVerifier = {
  async verify(jws, publicKeyPem) {
    const key = await importSPKI(publicKeyPem, 'EdDSA');
    const { payload, protectedHeader } = await compactVerify(jws, key, { algorithms: ['EdDSA'] });
    return { payload: JSON.parse(new TextDecoder().decode(payload)) as unknown, keyId: protectedHeader.kid };
  },
};

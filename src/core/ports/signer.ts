// Port: signs small statements (audit checkpoints, SAR cover sheets, police-export manifests) as compact JWS with
// the device key, and checks them. The jose adapter implements it.

export interface Signer {
  /** Identifies the key (the JWS `kid`), e.g. the SHA-256 thumbprint of the public key. */
  readonly keyId: string;
  /** Compact JWS (EdDSA) over the canonical JSON of `payload`. */
  sign(payload: object): Promise<string>;
  /** The public key as SPKI PEM, for whoever must verify (the hub, an auditor, a court). */
  publicKeyPem(): string;
}

export interface SignatureVerifier {
  /** Returns the payload when `jws` was signed by `publicKeyPem`; throws otherwise. */
  verify(jws: string, publicKeyPem: string): Promise<{ payload: unknown; keyId: string | undefined }>;
}

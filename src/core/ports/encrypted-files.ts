// Ports: what services need of the encrypted file store (EncryptedFiles implements both; one contract suite,
// test/contract/file-shredder.contract.test.ts).

/** What retention needs: destroy a stored file for good. */
export interface FileShredder {
  /** Overwrites, unlinks and discards the data key. Idempotent. */
  destroy(file: string, keyId: string): void;
}

/** What SAR and police exports need: read a stored file back. */
export interface FileReader {
  get(file: string, keyId: string): Buffer;
}

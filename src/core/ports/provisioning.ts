// Ports the provisioning use-cases drive: the device's keys and certificates, the configuration directory, and the
// appliance store's records of what an installer did. The CLI passes the adapters in.
import type { Role } from './accounts.js';
import type { AuditLog } from './audit-log.js';
import type { ConfigHistory } from './config-history.js';

/** Makes and checks the device's keys and certificates (openssl in production). */
export interface DevicePki {
  /** Does the PEM certificate carry the public half of this PEM private key? */
  certificateMatchesKey(certPem: string, keyPem: string): boolean;
  makeWebCertificate(o: {
    certFile: string;
    keyFile: string;
    commonName: string;
    names: string[];
    days: number;
  }): Promise<void>;
  /** A new MQTT client key and a CSR for it (CN = the site id). */
  makeClientCsr(o: { keyFile: string; csrFile: string; siteId: string; deviceId: string }): Promise<void>;
  /** A new Ed25519 signing key; returns the PEM public key. */
  makeSigningKey(o: { keyFile: string; publicFile: string }): string;
}

/** Files the installer names on the command line (a broker CA, the enrolment certificate and key). */
export interface InstallerFiles {
  /** The file's bytes; throws the file system's error (with its `code`) when it cannot be read. */
  read(file: string): Buffer;
}

/** A configuration as loaded and validated; `C` is the configuration type the loader gives. */
export interface ValidatedConfig<C> {
  file: string;
  config: C;
  warnings: { path: string; message: string }[];
}

/** The configuration directory: files under it by relative path (the layout paths in config.yaml). */
export interface ConfigDirectory<C> {
  /** Creates the directory and its secrets/, pki/ and enrolment/ folders; an AppError says why it cannot. */
  prepareLayout(): void;
  /** Absolute path of a file under the directory. */
  path(rel: string): string;
  /** The file's text; throws the file system's error (with its `code`) when it cannot be read. */
  readText(rel: string): string;
  writeText(rel: string, text: string, mode: number): void;
  /** Writes a secret readable by its owner only (mode 0600, also when the file existed), ending in a newline. */
  writePrivate(rel: string, text: string): void;
  /** Copies a file from outside the directory in, with this mode. */
  copyIn(rel: string, from: string, mode: number): void;
  /** Throws the loader's error when `config` would not pass the schema as config.yaml (nothing is written). */
  checkConfig(config: unknown): void;
  /** config.yaml as plain data, not validated (to change a few keys and write it back). */
  readConfigData(): Record<string, unknown>;
  /** config.yaml loaded and validated. */
  loadConfig(): ValidatedConfig<C>;
  /** Writes config.yaml only if the loader accepts it, so a bad answer never leaves a broken appliance behind. */
  writeValidatedConfig(config: unknown): ValidatedConfig<C>;
}

/** What provisioning records in the appliance store, open for the span of one step. */
export interface ProvisioningRecords {
  audit: AuditLog;
  history: ConfigHistory;
  /** Creates the web account or resets its password hash and role (enabling it again). */
  setAccount(a: { username: string; passwordHash: string; role: Role; now: Date }): 'created' | 'updated';
}

/** Opens the store's records, runs `use` and closes them again, also when `use` throws. */
export type WithProvisioningRecords = <T>(use: (r: ProvisioningRecords) => Promise<T> | T) => Promise<T>;

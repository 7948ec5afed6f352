// Ports the provisioning use-cases drive: the device's keys and certificates, the configuration directory, the
// appliance store's records of what an installer did, who owns the installed files, the broker session online
// enrolment signs in with, and the shop LAN the installer's prompts look at. The CLI passes the adapters in.
import type { Role } from './accounts.js';
import type { AuditLog } from './audit-log.js';
import type { Broker } from './broker.js';
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
  /** Whether a file is there (a file the installer copied in, a config.yaml from an earlier run). */
  exists(rel: string): boolean;
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

/**
 * Who owns the installed files (chown in production): the service user gets its secrets and its data, root keeps
 * the rest of the configuration, readable by the service user's group.
 */
export interface FileOwnership {
  /** Throws an AppError ('no-such-user') when the account does not exist, so a typo is found before any write. */
  check(owner: string): void;
  /** Throws an AppError ('chown-failed') naming what went wrong. */
  handOver(owner: string, p: { configDir: string; secretsDir: string; dataDir: string }): void;
}

/** The service user the installed files go to, if one was named (`--owner`), and the data directory it runs on. */
export interface ServiceOwner {
  name: string;
  dataDir: string;
  ownership: FileOwnership;
}

/** Opens the broker session a device enrols over, signed in with the partnership's shared enrolment certificate. */
export interface EnrolmentBrokers {
  /** Resolves once connected (or rejects after `waitMs`); the caller closes the broker. */
  connect(o: {
    url: string;
    ca: string | undefined;
    cert: string;
    key: string;
    /** The request's id: the broker ACL keys the enrolment topics on it. */
    clientId: string;
    waitMs: number;
  }): Promise<Broker>;
}

/** A recorder as the NVR would be reached for a camera listing. */
export interface NvrTarget {
  kind: string;
  scheme: string;
  host: string | undefined;
  port: number;
  username: string | undefined;
  password: string | undefined;
}

export type CameraListing = { cameras: { id: number; name: string }[] } | { error: string };

/** A device that answered a WS-Discovery probe on the shop LAN. */
export interface FoundRecorder {
  address: string;
  name: string | undefined;
  hardware: string | undefined;
  /** 'yes' (answers without login), 'login' (answers 401 with digest: ISAPI is on), 'no', or 'unknown'. */
  isapi: 'yes' | 'login' | 'no' | 'unknown';
}

/** What the installer's prompts may look up on the shop LAN (bounded in time; the listing never throws). */
export interface RecorderLookup {
  /** The recorder's cameras, or the reason they could not be listed. */
  listCameras(t: NvrTarget): Promise<CameraListing>;
  /** Recorders and cameras answering a WS-Discovery probe on one interface. */
  findRecorders(interfaceName: string): Promise<FoundRecorder[]>;
}

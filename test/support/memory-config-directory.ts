// An in-memory ConfigDirectory for use-case tests: files by layout path with their modes, files "outside" the
// directory that copyIn may take, and config.yaml kept as plain data. `validate` stands in for the config loader;
// it passes test/contract/config-directory.test.ts with the real loader's validation, like the file adapter.
import type { ConfigDirectory, ValidatedConfig } from '../../src/core/ports/provisioning.js';

const CONFIG_FILE = 'config.yaml';

function enoent(what: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: no such file, open '${what}'`), { code: 'ENOENT' });
}

export class MemoryConfigDirectory<C = unknown> implements ConfigDirectory<C> {
  readonly files = new Map<string, { text: string; mode: number }>();
  /** Files the installer names on the command line (copyIn's sources). */
  readonly outside = new Map<string, string>();
  readonly steps: string[] = [];
  private config: unknown;
  private prepared = false;

  constructor(
    readonly root: string,
    /** Throws when the data would not pass as config.yaml; by default everything passes as it is. */
    private readonly validate: (data: unknown, file: string) => ValidatedConfig<C> = (data, file) => ({
      file,
      config: data as C,
      warnings: [],
    }),
  ) {}

  prepareLayout(): void {
    this.prepared = true;
    this.steps.push('layout');
  }

  path(rel: string): string {
    return rel === '.' ? this.root : `${this.root}/${rel}`;
  }

  exists(rel: string): boolean {
    return rel === CONFIG_FILE ? this.config !== undefined : this.files.has(rel);
  }

  readText(rel: string): string {
    const f = this.files.get(rel);
    if (f) return f.text;
    if (rel === CONFIG_FILE && this.config !== undefined) return JSON.stringify(this.config);
    throw enoent(this.path(rel));
  }

  writeText(rel: string, text: string, mode: number): void {
    this.mustBePrepared(rel);
    this.files.set(rel, { text, mode });
  }

  writePrivate(rel: string, text: string): void {
    this.mustBePrepared(rel);
    this.files.set(rel, { text: text.endsWith('\n') ? text : `${text}\n`, mode: 0o600 });
  }

  copyIn(rel: string, from: string, mode: number): void {
    this.mustBePrepared(rel);
    const text = this.outside.get(from);
    if (text === undefined) throw enoent(from);
    this.files.set(rel, { text, mode });
  }

  checkConfig(config: unknown): void {
    this.steps.push('check');
    this.validate(structuredClone(config), this.path(CONFIG_FILE));
  }

  readConfigData(): Record<string, unknown> {
    if (this.config === undefined) throw enoent(this.path(CONFIG_FILE));
    return structuredClone(this.config) as Record<string, unknown>;
  }

  loadConfig(): ValidatedConfig<C> {
    if (this.config === undefined) throw enoent(this.path(CONFIG_FILE));
    return this.validate(structuredClone(this.config), this.path(CONFIG_FILE));
  }

  writeValidatedConfig(config: unknown): ValidatedConfig<C> {
    this.steps.push('config');
    const loaded = this.validate(structuredClone(config), this.path(CONFIG_FILE));
    this.config = structuredClone(config);
    return loaded;
  }

  /** A file under a folder prepareLayout makes cannot be written before it (the real directory would not exist). */
  private mustBePrepared(rel: string): void {
    if (!this.prepared && rel.includes('/')) throw enoent(this.path(rel));
  }
}

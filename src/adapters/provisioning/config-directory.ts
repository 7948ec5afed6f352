// The configuration directory on disk as provisioning writes it: plain files by layout path, and config.yaml
// written only after the config loader has accepted it.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import type { LoadedConfig } from '../../config/load.js';
import { loadConfigFile, parseConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { AppError } from '../../core/errors.js';
import type { ConfigDirectory, InstallerFiles } from '../../core/ports/provisioning.js';

const CONFIG_FILE = 'config.yaml';

export class FileConfigDirectory implements ConfigDirectory<Config> {
  constructor(readonly dir: string) {}

  prepareLayout(): void {
    const dir = this.dir;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o750 });
      mkdirSync(join(dir, 'secrets'), { recursive: true, mode: 0o750 });
      mkdirSync(join(dir, 'pki'), { recursive: true, mode: 0o755 });
      mkdirSync(join(dir, 'enrolment'), { recursive: true, mode: 0o750 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new AppError(
        'config-dir',
        code === 'EACCES' || code === 'EPERM'
          ? `cannot write ${dir}: permission denied (run with sudo, or choose --config-dir)`
          : `cannot create ${dir}: ${code ?? (e as Error).message}`,
      );
    }
  }

  path(rel: string): string {
    return join(this.dir, rel);
  }

  exists(rel: string): boolean {
    return existsSync(this.path(rel));
  }

  readText(rel: string): string {
    return readFileSync(this.path(rel), 'utf8');
  }

  writeText(rel: string, text: string, mode: number): void {
    writeFileSync(this.path(rel), text, { mode });
  }

  writePrivate(rel: string, text: string): void {
    const file = this.path(rel);
    writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }

  copyIn(rel: string, from: string, mode: number): void {
    copyFileSync(from, this.path(rel));
    chmodSync(this.path(rel), mode);
  }

  checkConfig(config: unknown): void {
    parseConfig(stringify(config), this.path(CONFIG_FILE));
  }

  readConfigData(): Record<string, unknown> {
    return parseDocument(this.readText(CONFIG_FILE)).toJS() as Record<string, unknown>;
  }

  loadConfig(): LoadedConfig {
    return loadConfigFile(this.path(CONFIG_FILE));
  }

  writeValidatedConfig(config: unknown): LoadedConfig {
    const file = this.path(CONFIG_FILE);
    const tmp = `${file}.new`;
    writeFileSync(
      tmp,
      `# Written by bcrp-edge provision. Every key is described in docs/configuration.md.\n${stringify(config)}`,
      { mode: 0o640 },
    );
    try {
      const loaded = loadConfigFile(tmp);
      renameSync(tmp, file);
      return { ...loaded, file };
    } finally {
      rmSync(tmp, { force: true });
    }
  }
}

/** Files named on the command line, read as they are. */
export const localInstallerFiles: InstallerFiles = { read: (file) => readFileSync(file) };

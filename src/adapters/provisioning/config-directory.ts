// The configuration directory on disk as provisioning writes it: plain files by layout path, and config.yaml
// written only after the config loader has accepted it.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import type { LoadedConfig } from '../../config/load.js';
import { loadConfigFile } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { ConfigDirectory } from '../../core/ports/provisioning.js';

const CONFIG_FILE = 'config.yaml';

export class FileConfigDirectory implements ConfigDirectory<Config> {
  constructor(readonly dir: string) {}

  path(rel: string): string {
    return join(this.dir, rel);
  }

  readText(rel: string): string {
    return readFileSync(this.path(rel), 'utf8');
  }

  writeText(rel: string, text: string, mode: number): void {
    writeFileSync(this.path(rel), text, { mode });
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

// `bcrp-edge config validate [FILE]`: every problem at once (exit 78), or a one-line summary (exit 0).

import { renderConfigDocs } from '../config/docs.js';
import { configPath, loadConfigFile, summarise } from '../config/load.js';
import { ExitCode } from '../core/errors.js';
import { parse } from './args.js';
import { type CliIo, type Command, printJson } from './io.js';

export const configValidate: Command = {
  name: 'config validate',
  summary: 'check a configuration file and list every problem in it',
  usage: 'bcrp-edge config validate [FILE] [--json]',
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { json: { type: 'boolean' }, config: { type: 'string', short: 'c' } },
      this.usage,
      true,
    );
    const file = positionals[0] ?? configPath(values.config, io.env);
    const loaded = loadConfigFile(file); // throws ConfigError → exit 78 with every problem listed
    if (values.json) {
      printJson(io, { ok: true, file, summary: summarise(loaded.config), warnings: loaded.warnings });
    } else {
      io.out(`ok: ${file}: ${summarise(loaded.config)}`);
      for (const w of loaded.warnings) io.err(`warning: ${w.path}: ${w.message}`);
    }
    return ExitCode.ok;
  },
};

export function printConfigProblems(io: CliIo, file: string, lines: readonly string[]): void {
  io.err(`${file}: the configuration is not valid:`);
  for (const l of lines) io.err(`  ${l}`);
}

export const configDocs: Command = {
  name: 'config docs',
  summary: 'print the configuration reference (every key, its default and meaning) as Markdown',
  usage: 'bcrp-edge config docs',
  async run(args, io) {
    parse(args, {}, this.usage);
    io.out(renderConfigDocs().trimEnd());
    return ExitCode.ok;
  },
};

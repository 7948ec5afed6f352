// Dispatches argv to a command and turns every expected error into a message and an exit code. A stack trace is
// printed only for a bug, and only with BCRP_EDGE_DEBUG=1.
import { ConfigError, ExitCode, isAppError, NotBuiltError, UsageError } from '../core/errors.js';
import { scrubCredentials } from '../core/secrets.js';
import { findCommand, helpText } from './commands.js';
import { printConfigProblems } from './config-validate.js';
import type { CliIo } from './io.js';

export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(helpText());
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  if (argv[0] === '--version') {
    io.out(VERSION);
    return ExitCode.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`unknown command '${argv.slice(0, 2).join(' ')}'. Run 'bcrp-edge --help' for the list.`);
    return ExitCode.usage;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\nusage: ${command.usage}${command.run ? '' : '\n(not built yet)'}`);
    return ExitCode.ok;
  }
  try {
    if (!command.run) throw new NotBuiltError(command.name);
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof ConfigError) {
      printConfigProblems(io, e.file, e.details);
      return e.exitCode;
    }
    if (e instanceof UsageError) {
      io.err(`usage error: ${e.message}`);
      return e.exitCode;
    }
    if (isAppError(e)) {
      io.err(`error: ${scrubCredentials(e.message)}`);
      for (const d of e.details) io.err(`  ${scrubCredentials(d)}`);
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.err(`internal error in '${command.name}': ${scrubCredentials(message)}`);
    if (io.env['BCRP_EDGE_DEBUG'] === '1' && e instanceof Error && e.stack) io.err(scrubCredentials(e.stack));
    else io.err('(this is a bug; run again with BCRP_EDGE_DEBUG=1 for details and report it)');
    return ExitCode.failure;
  }
}

export const VERSION = '0.1.0';

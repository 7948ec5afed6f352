// Runs one command and turns every expected error into a message and an exit code. A stack trace is printed only
// for a bug, and only with BCRP_EDGE_DEBUG=1. Apart from the command table, so that `run` (src/main.ts) starts
// without loading every other command's dependencies.
import { ConfigError, ExitCode, isAppError, NotBuiltError, UsageError } from '../core/errors.js';
import { scrubCredentials } from '../core/secrets.js';
import { printConfigProblems } from './config-validate.js';
import type { CliIo, Command } from './io.js';

export async function execute(command: Command, rest: string[], io: CliIo): Promise<number> {
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

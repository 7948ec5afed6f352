// Dispatches argv to a command and turns every expected error into a message and an exit code. A stack trace is
// printed only for a bug, and only with BCRP_EDGE_DEBUG=1.
import { ExitCode } from '../core/errors.js';
import { findCommand, helpText } from './commands.js';
import { execute } from './execute.js';
import type { CliIo } from './io.js';
import { VERSION } from './version.js';

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
  return execute(command, rest, io);
}

export { VERSION } from './version.js';

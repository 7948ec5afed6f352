#!/usr/bin/env node
// Entry point of the `bcrp-edge` binary: hand argv to the CLI and exit with its code. The service (`run`, what
// systemd starts) loads only its own modules, not every other command's dependencies (PostgreSQL client, MQTT
// broker, emulators…): about 5 MB of resident memory for as long as the service runs.
import { processIo } from './cli/io.js';

const argv = process.argv.slice(2);
const io = processIo();
let code: number;
if (argv[0] === 'run' && !argv.includes('--help') && !argv.includes('-h')) {
  const [{ execute }, { run }] = await Promise.all([import('./cli/execute.js'), import('./cli/run.js')]);
  code = await execute(run, argv.slice(1), io);
} else {
  const { main } = await import('./cli/main.js');
  code = await main(argv, io);
}
process.exitCode = code;
// Long-running commands have closed their handles; a stray timer must not keep a finished command alive.
setTimeout(() => process.exit(code), 200).unref();

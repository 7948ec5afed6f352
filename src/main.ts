#!/usr/bin/env node
import { processIo } from './cli/io.js';
// Entry point of the `bcrp-edge` binary: hand argv to the CLI and exit with its code.
import { main } from './cli/main.js';

const code = await main(process.argv.slice(2), processIo());
process.exitCode = code;
// Long-running commands have closed their handles; a stray timer must not keep a finished command alive.
setTimeout(() => process.exit(code), 200).unref();

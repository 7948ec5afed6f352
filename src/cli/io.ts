// What a command may touch of the outside world, so commands can run in-process in tests with captured output.
import type { ExitCode } from '../core/errors.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands await it. */
  stopSignal: Promise<string>;
}

export interface Command {
  /** The words that name it, e.g. "audit verify". */
  name: string;
  summary: string;
  usage: string;
  run?: (args: string[], io: CliIo) => Promise<ExitCode>;
}

export function processIo(): CliIo {
  const stopSignal = new Promise<string>((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    stopSignal,
  };
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value));
}

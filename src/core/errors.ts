// Errors we expect are values with a stable code and a message a person can act on; the CLI prints the
// message (never a stack) and maps the error to an exit code.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class AppError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly details: readonly string[];

  constructor(
    code: string,
    message: string,
    options: { exitCode?: ExitCode; details?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.details = options.details ?? [];
  }
}

/** One problem in a configuration file: where (a JSON-pointer-like path) and what is wrong. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends AppError {
  readonly problems: readonly ConfigProblem[];
  readonly file: string;

  constructor(file: string, problems: readonly ConfigProblem[]) {
    const n = problems.length;
    super('config-invalid', `${file}: ${n} problem${n === 1 ? '' : 's'} in the configuration`, {
      exitCode: ExitCode.config,
      details: problems.map((p) => `${p.path || '/'}: ${p.message}`),
    });
    this.problems = problems;
    this.file = file;
  }
}

export class UsageError extends AppError {
  constructor(message: string) {
    super('usage', message, { exitCode: ExitCode.usage });
  }
}

export class StoreError extends AppError {}

export class NotBuiltError extends AppError {
  constructor(command: string) {
    super('not-built', `'${command}' is not built yet in this version of bcrp-edge`, { exitCode: ExitCode.usage });
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** A message for any thrown value, for places that must not leak a stack to a user. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

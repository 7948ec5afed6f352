// The ways getting frames from a recorder can fail, each with its own code so the CLI, the incidents page and
// the retry logic can tell them apart. Messages never carry credentials; callers pass scrubbed text only.
import { AppError } from './errors.js';

export type NvrErrorCode =
  | 'nvr-unreachable'
  | 'nvr-auth-failed'
  | 'nvr-bad-response'
  | 'nvr-no-recording'
  | 'stream-no-frames'
  | 'stream-failed'
  | 'nvr-not-found';

export class NvrError extends AppError {
  declare readonly code: NvrErrorCode;
  /** Worth trying again later (the NVR may come back); auth failures and bad URLs are not. */
  readonly retryable: boolean;
  /** The HTTP status the recorder answered, when it answered one (403 = a missing right, not a wrong password). */
  readonly status: number | undefined;
  /** The start of the recorder's answer (its ResponseStatus XML), for callers that fall back on a sub-status. */
  readonly body: string | undefined;
  constructor(
    code: NvrErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; status?: number; body?: string } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.retryable = options.retryable ?? (code !== 'nvr-auth-failed' && code !== 'nvr-not-found');
    this.status = options.status;
    this.body = options.body;
  }
}

export const isNvrError = (e: unknown): e is NvrError => e instanceof NvrError;

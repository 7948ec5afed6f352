// Errors of the redaction step. Both stop the image from going anywhere: the step fails closed.
import { AppError, ExitCode } from './errors.js';

/** The face model cannot be loaded, does not match its recorded SHA-256, or inference failed. */
export class DetectorUnavailable extends AppError {
  constructor(message: string, cause?: unknown) {
    super('detector-unavailable', message, cause === undefined ? {} : { cause });
  }
}

/** The configured model file is simply not there (never fetched, or the fetch failed): the appliance may run a
 * weaker model in its place, saying so. A file that is there but wrong stays DetectorUnavailable: fail closed. */
export class ModelNotInstalled extends DetectorUnavailable {}

/** The input is not an image we can decode safely: not an image, truncated, or too many pixels. */
export class BadImage extends AppError {
  constructor(message: string, cause?: unknown) {
    super('bad-image', message, cause === undefined ? {} : { cause });
  }
}

/** A request the redaction step cannot honour as asked (bad keep/extra box, crop without a single subject). */
export class InvalidRedactionRequest extends AppError {
  constructor(message: string) {
    super('invalid-redaction-request', message, { exitCode: ExitCode.usage });
  }
}

/** The verification pass still found a face outside the kept boxes after redacting what it found: refused. */
export class RedactionUnverified extends AppError {
  constructor(message: string) {
    super('redaction-unverified', message);
  }
}

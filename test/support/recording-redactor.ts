// A fake Redactor that records every call and returns a marked "redacted" image, for tests of the SAR export that
// must not depend on the ONNX model. It can be told to fail, to check that exports fail closed.
import { createHash } from 'node:crypto';
import type { RedactionRequest, Redactor } from '../../src/core/ports/redactor.js';
import { markRedacted, type RedactedImage } from '../../src/core/redaction.js';

export class RecordingRedactor implements Redactor {
  readonly calls: RedactionRequest[] = [];
  /** Every image detect() ran on: a detection the caller could have taken from a stored face check shows here. */
  readonly detected: Buffer[] = [];
  failOn: number | undefined;

  async detect(image: Buffer) {
    this.detected.push(image);
    // Deliberately not in left-to-right order: callers must number faces themselves.
    return {
      width: 64,
      height: 48,
      faces: [
        { box: [40, 5, 10, 10] as [number, number, number, number], score: 0.8 },
        { box: [1, 1, 10, 10] as [number, number, number, number], score: 0.9 },
      ],
    };
  }

  async redact(request: RedactionRequest): Promise<RedactedImage> {
    this.calls.push(request);
    if (this.failOn !== undefined && this.calls.length >= this.failOn) throw new Error('detector unavailable (test)');
    const bytes = Buffer.concat([Buffer.from('REDACTED:'), createHash('sha256').update(request.image).digest()]);
    return markRedacted({
      bytes,
      mime: 'image/jpeg',
      width: 64,
      height: 48,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      report: {
        facesFound: 3,
        facesRedacted: request.keep?.length ? 2 : 3,
        facesKept: request.keep?.length ?? 0,
        extraBoxes: 0,
        model: { id: 'fake', sha256: '0'.repeat(64) },
        mode: request.mode ?? 'solid',
        timingsMs: { decode: 0, detect: 0, redact: 0, encode: 0 },
      },
    });
  }
}

// Shapes shared by the redaction step and everything downstream of it. Only the redaction service creates a
// RedactedImage (through markRedacted); the packet builder accepts nothing else, so an image that did not pass
// through redaction cannot be packaged.

/** A box in pixels of the image it refers to: [x, y, width, height]. */
export type Box = [number, number, number, number];

export interface RedactionReport {
  facesFound: number;
  facesRedacted: number;
  facesKept: number;
  /** Reviewer-added boxes redacted whether or not a face was found there. */
  extraBoxes: number;
  model: { id: string; sha256: string };
  mode: 'solid' | 'pixelate' | 'blur';
  timingsMs: { decode: number; detect: number; redact: number; verify?: number; encode: number };
  /** The redaction certificate: detection run again on the redacted pixels with a different pass plan. An image
   * whose check still finds a face is never made, so the result is always `verified`. Absent only from images made
   * by test and development stand-ins, which the packet records as unverified. */
  verification?: {
    result: 'verified';
    passes: number;
    facesFoundAfterRedaction: number;
    /** Windows around redacted regions looked at again (overlapping ones merged). */
    regionsChecked?: number;
    /** Face heights, in input pixels, the checks covered: around every redacted region, and in the whole frame. */
    covers?: { local: [number, number]; wholeFrame?: [number, number] };
  };
  /** How many passes the first detection ran, and whether a weaker model stood in for the configured one. */
  detection?: { passes: number; degraded?: { configured: string; reason: string } };
  /** Where pixels were changed and what was left visible, in pixels of the input image (margins applied). */
  boxes?: { redacted: Box[]; kept: Box[]; crop?: Box };
  /** Size of the input image the boxes refer to. */
  input?: { width: number; height: number };
}

declare const redactedBrand: unique symbol;

export interface RedactedImage {
  readonly bytes: Buffer;
  readonly mime: 'image/jpeg';
  readonly width: number;
  readonly height: number;
  readonly sha256: string;
  readonly report: RedactionReport;
  readonly [redactedBrand]: true;
}

/** For the redaction service only: stamps its output as redacted. */
export function markRedacted(image: Omit<RedactedImage, typeof redactedBrand>): RedactedImage {
  return image as RedactedImage;
}

// Port: decoding, irreversible pixel redaction and metadata-free encoding of stills. The sharp adapter implements
// it; the redaction service drives it so the use-case never touches an image library directly.
import type { Box } from '../redaction.js';
import type { RgbImage } from './face-detector.js';

export type RedactionMode = 'solid' | 'pixelate' | 'blur';

export interface EncodedImage {
  bytes: Buffer;
  width: number;
  height: number;
}

export interface ImageCodec {
  /** JPEG or PNG in, upright RGB out; throws BadImage for anything else, truncated data or too many pixels. */
  decode(bytes: Buffer): Promise<RgbImage>;
  /** Returns a copy with every region (integer pixel boxes inside the image) made unrecognisable. */
  redact(image: RgbImage, regions: readonly Box[], mode: RedactionMode): Promise<RgbImage>;
  /** JPEG without any metadata, optionally cropped first, scaled down to at most maxLongSide. */
  encode(image: RgbImage, options: { maxLongSide: number; crop?: Box }): Promise<EncodedImage>;
}

// A Redactor for the demo and tests that "detects" the faces the synthetic scene drew (looked up by the image's
// hash) and redacts with sharp exactly as the real one is specified to: every face except kept ones and every
// extra box covered, optional subject crop, re-encoded without metadata. Not a face detector.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { AppError } from '../../../src/core/errors.js';
import type { DetectedFace, RedactionRequest, Redactor } from '../../../src/core/ports/redactor.js';
import { type Box, markRedacted, type RedactedImage } from '../../../src/core/redaction.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function overlap(a: Box, b: Box): number {
  const x = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const y = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = x * y;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

function grow(b: Box, factor: number, w: number, h: number): Box {
  const nw = b[2] * factor;
  const nh = b[3] * factor;
  const x = Math.max(0, Math.round(b[0] + b[2] / 2 - nw / 2));
  const y = Math.max(0, Math.round(b[1] + b[3] / 2 - nh / 2));
  return [x, y, Math.max(1, Math.min(w - x, Math.round(nw))), Math.max(1, Math.min(h - y, Math.round(nh)))];
}

export class DevRedactor implements Redactor {
  readonly #faces = new Map<string, Box[]>();
  /**
   * Whether renderings carry a redaction certificate, as the real service's do after its verification pass
   * (nothing is searched here: the scene's faces are known), and of how many passes; null: none, as when the weaker
   * BlazeFace stands in.
   */
  certifyPasses: number | null = null;

  /** Tells the fake where the faces are on an image it will be asked about. */
  register(image: Buffer, faces: Box[]): void {
    this.#faces.set(sha(image), faces);
  }

  async detect(image: Buffer): Promise<{ width: number; height: number; faces: DetectedFace[] }> {
    const meta = await sharp(image)
      .metadata()
      .catch(() => {
        throw new AppError('bad-image', 'the image could not be decoded');
      });
    const faces = (this.#faces.get(sha(image)) ?? []).map((box) => ({ box, score: 0.9 }));
    return { width: meta.width ?? 0, height: meta.height ?? 0, faces };
  }

  async redact(request: RedactionRequest): Promise<RedactedImage> {
    const t0 = performance.now();
    const { width, height, faces } = await this.detect(request.image);
    const keep = request.keep ?? [];
    const hidden = faces.map((f) => f.box).filter((b) => !keep.some((k) => overlap(k, b) > 0.5));
    const covers = [...hidden.map((b) => grow(b, 1.4, width, height)), ...(request.extra ?? [])]
      .map(([x, y, w, h]) => [x, y, Math.min(w, width - x), Math.min(h, height - y)] as Box)
      .filter(([, , w, h]) => w > 0 && h > 0);
    const t1 = performance.now();
    let img = sharp(request.image).composite(
      covers.map(([x, y, w, h]) => ({
        input: { create: { width: w, height: h, channels: 3, background: '#5a5f66' } },
        left: x,
        top: y,
      })),
    );
    let outW = width;
    let outH = height;
    const subject = keep[0];
    if (request.cropSubject && subject) {
      // Flatten first so the crop applies to the covered pixels.
      const flat = await img.png().toBuffer();
      const crop = grow(subject, 3.5, width, height);
      img = sharp(flat).extract({ left: crop[0], top: crop[1], width: crop[2], height: crop[3] });
      outW = crop[2];
      outH = crop[3];
    }
    const bytes = await img.jpeg({ quality: 82 }).toBuffer();
    const t2 = performance.now();
    return markRedacted({
      bytes,
      mime: 'image/jpeg',
      width: outW,
      height: outH,
      sha256: sha(bytes),
      report: {
        facesFound: faces.length,
        facesRedacted: hidden.length,
        facesKept: faces.length - hidden.length,
        extraBoxes: request.extra?.length ?? 0,
        model: { id: 'dev-fixture', sha256: '0'.repeat(64) },
        mode: 'solid',
        timingsMs: { decode: 0, detect: t1 - t0, redact: t2 - t1, encode: 0 },
        ...(this.certifyPasses === null
          ? {}
          : { verification: { result: 'verified' as const, passes: this.certifyPasses, facesFoundAfterRedaction: 0 } }),
      },
    });
  }
}

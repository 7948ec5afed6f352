// The redaction use-case: decode, detect, plan, redact, encode. It is the only maker of RedactedImage, and it fails
// closed: a detector or codec failure is an error, never an image with faces left in it.
import { createHash } from 'node:crypto';
import type { FaceDetector, RgbImage } from '../../core/ports/face-detector.js';
import type { ImageCodec, RedactionMode } from '../../core/ports/image-codec.js';
import type { DetectedFace, RedactionRequest, Redactor } from '../../core/ports/redactor.js';
import { markRedacted, type RedactedImage } from '../../core/redaction.js';
import { DetectorUnavailable } from '../../core/redaction-errors.js';
import { planRedaction } from '../../core/redaction-plan.js';

export interface RedactionSettings {
  margin: number;
  mode: RedactionMode;
  maxLongSide: number;
  subjectCropMargin: number;
}

export class RedactionService implements Redactor {
  readonly #detector: FaceDetector;
  readonly #codec: ImageCodec;
  readonly #settings: RedactionSettings;

  constructor(detector: FaceDetector, codec: ImageCodec, settings: RedactionSettings) {
    this.#detector = detector;
    this.#codec = codec;
    this.#settings = settings;
  }

  get model(): { id: string; sha256: string } {
    return this.#detector.model;
  }

  async detect(bytes: Buffer): Promise<{ width: number; height: number; faces: DetectedFace[] }> {
    const image = await this.#codec.decode(bytes);
    const faces = await this.#detectFaces(image);
    return { width: image.width, height: image.height, faces: faces.map((f) => ({ box: f.box, score: f.score })) };
  }

  async redact(request: RedactionRequest): Promise<RedactedImage> {
    const mode = request.mode ?? this.#settings.mode;
    let t = performance.now();
    const lap = () => {
      const now = performance.now();
      const ms = Math.round((now - t) * 10) / 10;
      t = now;
      return ms;
    };
    const image = await this.#codec.decode(request.image);
    const decode = lap();
    const faces = request.faces ?? (await this.#detectFaces(image));
    const detect = lap();
    const plan = planRedaction({
      width: image.width,
      height: image.height,
      faces,
      keep: request.keep ?? [],
      extra: request.extra ?? [],
      margin: this.#settings.margin,
      cropSubject: request.cropSubject ?? false,
      subjectCropMargin: this.#settings.subjectCropMargin,
    });
    const redacted = await this.#codec.redact(image, plan.regions, mode);
    const redact = lap();
    const out = await this.#codec.encode(redacted, {
      maxLongSide: this.#settings.maxLongSide,
      ...(plan.crop ? { crop: plan.crop } : {}),
    });
    const encode = lap();
    return markRedacted({
      bytes: out.bytes,
      mime: 'image/jpeg',
      width: out.width,
      height: out.height,
      sha256: createHash('sha256').update(out.bytes).digest('hex'),
      report: {
        facesFound: faces.length,
        facesRedacted: plan.redactedFaces,
        facesKept: plan.keptFaces,
        extraBoxes: request.extra?.length ?? 0,
        model: { ...this.#detector.model },
        mode,
        timingsMs: { decode, detect, redact, encode },
        boxes: { redacted: plan.regions, kept: plan.kept, ...(plan.crop ? { crop: plan.crop } : {}) },
        input: { width: image.width, height: image.height },
      },
    });
  }

  async #detectFaces(image: RgbImage) {
    try {
      return await this.#detector.detect(image);
    } catch (e) {
      if (e instanceof DetectorUnavailable) throw e;
      throw new DetectorUnavailable(`face detection failed: ${(e as Error).message}`, e);
    }
  }
}

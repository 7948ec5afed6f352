// The redaction use-case: decode, detect, plan, redact, verify, encode. It is the only maker of RedactedImage, and
// it fails closed: a detector or codec failure is an error, never an image with faces left in it. The verification
// pass (the redaction certificate) detects again on the redacted pixels with a different pass plan; a face found
// outside the kept boxes is redacted and checked once more, and if one is still found the image is refused.
import { createHash } from 'node:crypto';
import { coveredFraction } from '../../core/box-geometry.js';
import type { DetectionPlan } from '../../core/detection-plan.js';
import type { Face, FaceDetector, RgbImage } from '../../core/ports/face-detector.js';
import type { ImageCodec, RedactionMode } from '../../core/ports/image-codec.js';
import type { DetectedFace, RedactionRequest, Redactor } from '../../core/ports/redactor.js';
import { markRedacted, type RedactedImage } from '../../core/redaction.js';
import { DetectorUnavailable, RedactionUnverified } from '../../core/redaction-errors.js';
import { matchesKeep, planRedaction } from '../../core/redaction-plan.js';

/** Rounds of "redact what the check found, check again" before an image is refused. */
export const VERIFY_ROUNDS = 2;
/** The check of a redacted image accepts faces down to this share of the configured score threshold. */
export const VERIFY_SCORE_FACTOR = 0.8;

export interface RedactionSettings {
  margin: number;
  mode: RedactionMode;
  maxLongSide: number;
  subjectCropMargin: number;
}

/** The passes of a plan as reports show them: no pixels of the image, only scales and window counts. */
export function planSummary(plan: DetectionPlan | undefined) {
  if (!plan) return undefined;
  return {
    covers: plan.covers,
    passes: plan.passes.map((p) => ({
      scale: p.scale,
      size: [p.width, p.height] as [number, number],
      input: [p.inputWidth, p.inputHeight] as [number, number],
      windows: p.windows.length,
      overlap: p.overlap,
      faces: p.faces,
    })),
  };
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

  get degraded(): { configured: string; reason: string } | undefined {
    return this.#detector.degraded;
  }

  async detect(bytes: Buffer): Promise<{ width: number; height: number; faces: DetectedFace[] }> {
    const image = await this.#codec.decode(bytes);
    const faces = await this.#detectFaces(image);
    return { width: image.width, height: image.height, faces: faces.map((f) => ({ box: f.box, score: f.score })) };
  }

  /** detect() plus the pass plan it ran, for `detect --json`. */
  async detectWithPlan(bytes: Buffer) {
    const image = await this.#codec.decode(bytes);
    const faces = await this.#detectFaces(image);
    return {
      width: image.width,
      height: image.height,
      faces: faces.map((f) => ({ box: f.box, score: f.score })),
      plan: planSummary(this.#detector.plan?.(image.width, image.height)),
    };
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
    const planFor = (found: readonly Face[]) =>
      planRedaction({
        width: image.width,
        height: image.height,
        faces: found,
        keep: request.keep ?? [],
        extra: request.extra ?? [],
        margin: this.#settings.margin,
        cropSubject: request.cropSubject ?? false,
        subjectCropMargin: this.#settings.subjectCropMargin,
      });
    let plan = planFor(faces);
    let redactMs = 0;
    let encodeMs = 0;
    const render = async () => {
      const t0 = performance.now();
      const pixels = await this.#codec.redact(image, plan.regions, mode);
      const t1 = performance.now();
      const encoded = await this.#codec.encode(pixels, {
        maxLongSide: this.#settings.maxLongSide,
        ...(plan.crop ? { crop: plan.crop } : {}),
      });
      redactMs += t1 - t0;
      encodeMs += performance.now() - t1;
      return encoded;
    };
    let out = await render();
    lap();
    // The certificate: decode what will leave and look again, with the first plan (a face the margin left
    // recognisable — hair and ears around a solid box — is found where the first look found it) and with the
    // verification plan (other scales and window edges). JPEG coding can bring back what the raw pixels hid.
    const all = [...faces];
    let verifyPasses = 0;
    let foundAfter = 0;
    let rendered = 0;
    // A detector without a pass plan (the test fakes, which answer without looking at the pixels) cannot check its
    // own output: no certificate is made, and the packet then carries none.
    // Nor does a model whose second look is not trustworthy (BlazeFace: "faces" in noise), nor a stand-in for the
    // configured model: their images go uncertified, and context stills wait for a reviewer's confirmation.
    const certify =
      this.#detector.plan !== undefined && this.#detector.certifies !== false && this.#detector.degraded === undefined;
    for (let round = 1; certify; round++) {
      const seen = await this.#codec.decode(out.bytes);
      // Output pixels back to input pixels: the output is the (cropped) input scaled by one factor.
      const origin = plan.crop ?? [0, 0, image.width, image.height];
      const k = seen.width / origin[2];
      const toInput = (f: Face): Face => ({
        box: [f.box[0] / k + origin[0], f.box[1] / k + origin[1], f.box[2] / k, f.box[3] / k],
        score: f.score,
      });
      // One look with the verification plan: it covers the whole face range again, at the output's own size (a
      // different scale of the original than the first look's) and its own scale steps.
      const again = (await this.#detectFaces(seen, 'verify', VERIFY_SCORE_FACTOR)).map(toInput);
      verifyPasses += this.#detector.plan?.(seen.width, seen.height, { variant: 'verify' }).passes.length ?? 1;
      // Inside a solid fill nothing of the original is left, so a "face" found wholly there is the detector's own
      // noise; with blur or pixelate it counts — something recognisable may remain — and gets a wider redaction.
      const leaked = again.filter(
        (f) =>
          !plan.kept.some((kb) => matchesKeep(f.box, kb)) &&
          !(mode === 'solid' && coveredFraction(f.box, plan.regions) >= 0.9),
      );
      if (leaked.length === 0) break;
      if (round >= VERIFY_ROUNDS)
        throw new RedactionUnverified(
          `a face was still found after redaction (${leaked.length} at ${leaked
            .map((f) => f.box.map(Math.round).join(','))
            .join(
              '; ',
            )}, model ${this.#detector.model.id}); the image is refused — add a blur box there or use a subject crop`,
        );
      foundAfter += leaked.length;
      all.push(...leaked);
      plan = planFor(all);
      const before = redactMs + encodeMs;
      out = await render();
      rendered += redactMs + encodeMs - before;
    }
    const r1 = (v: number) => Math.round(v * 10) / 10;
    const verify = r1(lap() - rendered);
    const redact = r1(redactMs);
    const encode = r1(encodeMs);
    return markRedacted({
      bytes: out.bytes,
      mime: 'image/jpeg',
      width: out.width,
      height: out.height,
      sha256: createHash('sha256').update(out.bytes).digest('hex'),
      report: {
        facesFound: all.length,
        facesRedacted: plan.redactedFaces,
        facesKept: plan.keptFaces,
        extraBoxes: request.extra?.length ?? 0,
        model: { ...this.#detector.model },
        mode,
        timingsMs: { decode, detect, redact, verify, encode },
        ...(certify
          ? {
              verification: { result: 'verified' as const, passes: verifyPasses, facesFoundAfterRedaction: foundAfter },
            }
          : {}),
        detection: {
          passes: this.#detector.plan?.(image.width, image.height).passes.length ?? 1,
          ...(this.#detector.degraded ? { degraded: { ...this.#detector.degraded } } : {}),
        },
        boxes: { redacted: plan.regions, kept: plan.kept, ...(plan.crop ? { crop: plan.crop } : {}) },
        input: { width: image.width, height: image.height },
      },
    });
  }

  async #detectFaces(image: RgbImage, variant: 'primary' | 'verify' = 'primary', scoreFactor = 1) {
    try {
      return await this.#detector.detect(image, { variant, ...(scoreFactor !== 1 ? { scoreFactor } : {}) });
    } catch (e) {
      if (e instanceof DetectorUnavailable) throw e;
      throw new DetectorUnavailable(`face detection failed: ${(e as Error).message}`, e);
    }
  }
}

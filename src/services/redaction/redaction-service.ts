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
import { type Box, markRedacted, type RedactedImage, type RedactionReport } from '../../core/redaction.js';
import { DetectorUnavailable, RedactionUnverified } from '../../core/redaction-errors.js';
import { matchesKeep, planRedaction } from '../../core/redaction-plan.js';
import { planVerification } from '../../core/verification-plan.js';

/** Rounds of "redact what the check found, check again" before an image is refused. */
export const VERIFY_ROUNDS = 2;
/** The check of a redacted image accepts faces down to this share of the configured score threshold. */
export const VERIFY_SCORE_FACTOR = 0.8;
/**
 * The certificate's whole-frame look covers faces from this height in output pixels (72 px of a 1080p original
 * written at 1280×720); every face height the first look was responsible for is checked around each redacted
 * region. Measured on the sweep (1920×1080, 16/24/48/96 px, all variants, 936 faces): a whole-frame look from 16
 * output px found 2 faces more than none, from 32 one more; from 16 it is 1.45 MPx of model input per 1080p still
 * (45 % of the first look), from 48 0.39 MPx.
 */
export const VERIFY_WHOLE_FRAME_FROM = 48;

export interface RedactionSettings {
  margin: number;
  mode: RedactionMode;
  maxLongSide: number;
  subjectCropMargin: number;
  /** Smallest face height, in output pixels, the certificate's whole-frame look covers (VERIFY_WHOLE_FRAME_FROM
   * when absent). */
  verifyWholeFrameFrom?: number;
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
  readonly #wholeFrameFrom: number;

  constructor(detector: FaceDetector, codec: ImageCodec, settings: RedactionSettings) {
    this.#detector = detector;
    this.#codec = codec;
    this.#settings = settings;
    this.#wholeFrameFrom = settings.verifyWholeFrameFrom ?? VERIFY_WHOLE_FRAME_FROM;
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
    // Regions filled solid whatever the mode: a blurred or pixelated face the check still finds (below).
    const filled: Box[] = [];
    const render = async () => {
      const t0 = performance.now();
      const blurred = await this.#codec.redact(image, plan.regions, mode);
      const pixels = filled.length ? await this.#codec.redact(blurred, filled, 'solid') : blurred;
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
    // Face heights, in input pixels, the first look was responsible for: the checks must cover them all.
    const responsible = this.#detector.plan?.(image.width, image.height).covers ?? [1, image.height];
    let covers: NonNullable<RedactionReport['verification']>['covers'];
    let regionsChecked = 0;
    for (let round = 1; certify; round++) {
      const seen = await this.#codec.decode(out.bytes);
      // Output pixels back to input pixels: the output is the (cropped) input scaled by one factor.
      const origin = plan.crop ?? [0, 0, image.width, image.height];
      const k = seen.width / origin[2];
      const check = planVerification({
        output: { width: seen.width, height: seen.height },
        origin,
        regions: plan.regions,
        faces: [responsible[0], responsible[1]],
        wholeFrameFrom: this.#wholeFrameFrom,
      });
      covers = check.covers;
      regionsChecked = check.local.length;
      const again: Face[] = [];
      for (const c of [...check.local, ...(check.wholeFrame ? [check.wholeFrame] : [])]) {
        const [wx, wy, ww, wh] = c.window;
        const sub = ww === seen.width && wh === seen.height ? seen : cropRgb(seen, c.window);
        const found = await this.#detectFaces(sub, 'verify', VERIFY_SCORE_FACTOR, c.faces);
        verifyPasses += this.#detector.plan?.(ww, wh, { variant: 'verify', faces: c.faces }).passes.length ?? 1;
        for (const f of found)
          again.push({
            box: [(f.box[0] + wx) / k + origin[0], (f.box[1] + wy) / k + origin[1], f.box[2] / k, f.box[3] / k],
            score: f.score,
          });
      }
      // Inside a solid fill nothing of the original is left, so a "face" found wholly there is the detector's own
      // noise; with blur or pixelate it counts — something recognisable may remain — and gets a wider redaction.
      const leaked = again.filter(
        (f) =>
          !plan.kept.some((kb) => matchesKeep(f.box, kb)) &&
          !(mode === 'solid' && coveredFraction(f.box, plan.regions) >= 0.9) &&
          !(filled.length > 0 && coveredFraction(f.box, filled) >= 0.9),
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
      // A face found where the image is already blurred or pixelated is filled solid: its blur left something a
      // detector still takes for a face (measured on ../shared/media with the look around each region). A face
      // found elsewhere is redacted in the configured mode.
      for (const f of leaked) {
        const inside = plan.regions.find((r) => coveredFraction(f.box, [r]) >= 0.5);
        if (mode !== 'solid' && inside) filled.push(inside);
        else all.push(f);
      }
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
              verification: {
                result: 'verified' as const,
                passes: verifyPasses,
                facesFoundAfterRedaction: foundAfter,
                regionsChecked,
                ...(covers ? { covers } : {}),
              },
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

  async #detectFaces(
    image: RgbImage,
    variant: 'primary' | 'verify' = 'primary',
    scoreFactor = 1,
    faces?: [number, number],
  ) {
    try {
      return await this.#detector.detect(image, {
        variant,
        ...(scoreFactor !== 1 ? { scoreFactor } : {}),
        ...(faces ? { faces } : {}),
      });
    } catch (e) {
      if (e instanceof DetectorUnavailable) throw e;
      throw new DetectorUnavailable(`face detection failed: ${(e as Error).message}`, e);
    }
  }
}

/** A copy of one window of an image (integer pixels inside it). */
function cropRgb(image: RgbImage, [x, y, w, h]: Box): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let row = 0; row < h; row++)
    data.set(
      image.data.subarray(((y + row) * image.width + x) * 3, ((y + row) * image.width + x + w) * 3),
      row * w * 3,
    );
  return { data, width: w, height: h };
}

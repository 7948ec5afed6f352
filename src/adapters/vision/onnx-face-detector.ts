// FaceDetector on onnxruntime-node: one session per model, reused. The passes come from the planner (core/detection-
// plan) fed with the model's measured sweet spot; the image is scaled once per pass with sharp and each window is
// copied straight into the input tensor. Any failure to load or run is DetectorUnavailable.
import type * as Ort from 'onnxruntime-node';
import sharp from 'sharp';
import { type DetectionPlan, type ModelGeometry, type PlannedPass, planDetection } from '../../core/detection-plan.js';
import type { DetectOptions, Face, FaceDetector, RgbImage } from '../../core/ports/face-detector.js';
import { DetectorUnavailable } from '../../core/redaction-errors.js';
import { decodeBlazeFace, decodeYunet } from './decoders.js';
import type { VerifiedModel } from './model-manifest.js';
import { nms } from './nms.js';
import { ort } from './onnx-runtime.js';

/** Longest side, in pixels, of one window of a dynamic-input model (a 40 MP still at full size would need 480 MB). */
export const MAX_DYNAMIC_SIDE = 1920;

export interface OnnxDetectorOptions {
  /** Unset: the model's own threshold from models/manifest.json (measured with its sweet spot), else 0.5. */
  scoreThreshold?: number | undefined;
  threads: number;
  /** Smallest face height in image pixels the plan must cover. */
  minFacePx: number;
  /** Largest face height in image pixels; the frame height when absent. */
  maxFacePx?: number | undefined;
  /** Most model-input pixels per detection as a multiple of the image's pixels (PlanRequest.budget). */
  planBudget?: number;
  /** false: only the plan's last pass (whole frame, largest faces) — for benchmarks, never for sending. */
  tiles?: boolean;
  nmsIou?: number;
}

export type InputShape = { kind: 'fixed'; width: number; height: number } | { kind: 'dynamic'; multipleOf: number };

export class OnnxFaceDetector implements FaceDetector {
  readonly model: { id: string; sha256: string };
  /** Only YuNet checks redacted output: BlazeFace's false positives in noise would refuse face-less images. */
  readonly certifies: boolean;
  readonly #session: Ort.InferenceSession;
  readonly #decoder: 'blazeface' | 'yunet';
  readonly #input: InputShape;
  readonly #inputName: string;
  readonly #options: OnnxDetectorOptions;
  readonly #geometry: ModelGeometry;
  readonly #defaultThreshold: number;

  private constructor(session: Ort.InferenceSession, verified: VerifiedModel, options: OnnxDetectorOptions) {
    this.#session = session;
    this.#decoder = verified.entry.decoder;
    this.#options = options;
    this.model = { id: verified.entry.id, sha256: verified.sha256 };
    this.certifies = verified.entry.family === 'yunet';
    const meta = session.inputMetadata[0];
    this.#inputName = session.inputNames[0] ?? 'input';
    const shape = meta && 'shape' in meta ? meta.shape : verified.entry.input.shape;
    const [h, w] = this.#decoder === 'blazeface' ? [shape[1], shape[2]] : [shape[2], shape[3]];
    this.#input =
      typeof w === 'number' && typeof h === 'number'
        ? { kind: 'fixed', width: w, height: h }
        : { kind: 'dynamic', multipleOf: verified.entry.input.multipleOf ?? 32 };
    const spot = verified.entry.sweetSpot;
    if (!spot)
      throw new DetectorUnavailable(`models/manifest.json gives no measured sweetSpot for ${verified.entry.id}`);
    this.#geometry = {
      input: this.#input.kind === 'fixed' ? this.#input : { ...this.#input, maxSide: MAX_DYNAMIC_SIDE },
      sweetSpot: { min: spot.min, max: spot.max },
      ...(spot.nativeFrom !== undefined ? { nativeFrom: spot.nativeFrom } : {}),
    };
    this.#defaultThreshold = verified.entry.scoreThreshold ?? 0.5;
  }

  static async load(verified: VerifiedModel, options: OnnxDetectorOptions): Promise<OnnxFaceDetector> {
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(verified.bytes, {
        logSeverityLevel: 3,
        intraOpNumThreads: options.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // Without the arena, tensors go back to malloc after each run: the arena would keep its peak (the largest
        // tiled pass) resident for the life of the service, between captures that come minutes or hours apart.
        enableCpuMemArena: false,
        // Spinning worker threads burn the second core while ffmpeg or another request wants it; measured on the
        // shared 2-core machine: BlazeFace 256 took 26 ms per run spinning, 8–11 ms without.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
    } catch (e) {
      throw new DetectorUnavailable(`cannot load the face model ${verified.path}: ${(e as Error).message}`, e);
    }
    const detector = new OnnxFaceDetector(session, verified, options);
    // The first run of a fresh session is several times slower; pay it at start-up, not on a capture.
    await detector.detect({ data: new Uint8Array(64 * 64 * 3), width: 64, height: 64 });
    return detector;
  }

  /** The score a detection needs: the configured one, else the model's measured one. */
  get scoreThreshold(): number {
    return this.#options.scoreThreshold ?? this.#defaultThreshold;
  }

  get input(): InputShape {
    return this.#input;
  }

  get geometry(): ModelGeometry {
    return this.#geometry;
  }

  plan(width: number, height: number, options: DetectOptions = {}): DetectionPlan {
    const plan = planDetection(
      {
        width,
        height,
        minFacePx: this.#options.minFacePx,
        ...(this.#options.maxFacePx !== undefined ? { maxFacePx: this.#options.maxFacePx } : {}),
        variant: options.variant ?? 'primary',
        ...(this.#options.planBudget !== undefined ? { budget: this.#options.planBudget } : {}),
      },
      this.#geometry,
    );
    const last = plan.passes.at(-1);
    return this.#options.tiles === false && last ? { ...plan, passes: [last], covers: last.faces } : plan;
  }

  async detect(image: RgbImage, options: DetectOptions = {}): Promise<Face[]> {
    return this.detectWithPlan(image, this.plan(image.width, image.height, options), options.scoreFactor ?? 1);
  }

  /** Runs a given plan: the planner's, or a hand-made one (the sweet-spot measurement feeds single windows). */
  async detectWithPlan(image: RgbImage, plan: DetectionPlan, scoreFactor = 1): Promise<Face[]> {
    const found: Face[] = [];
    const threshold = this.scoreThreshold * scoreFactor;
    try {
      for (const pass of plan.passes) found.push(...(await this.#runPass(image, pass, threshold)));
    } catch (e) {
      if (e instanceof DetectorUnavailable) throw e;
      throw new DetectorUnavailable(`face detection failed with model ${this.model.id}: ${(e as Error).message}`, e);
    }
    return nms(found, this.#options.nmsIou ?? 0.3).map((f) => clip(f, image.width, image.height));
  }

  async #runPass(image: RgbImage, pass: PlannedPass, threshold: number): Promise<Face[]> {
    const scaled =
      pass.width === image.width && pass.height === image.height
        ? image.data
        : await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
            .resize(pass.width, pass.height, { fit: 'fill', kernel: 'linear' })
            .raw()
            .toBuffer();
    const faces: Face[] = [];
    // Two windows in flight keep both cores busy; one run alone leaves a core idle while the other syncs.
    const outputs: Promise<Ort.InferenceSession.ReturnType>[] = [];
    const inFlight = Math.max(1, this.#options.threads);
    for (const [i, win] of pass.windows.entries()) {
      if (i >= inFlight) await outputs[i - inFlight];
      const run = this.#session.run({ [this.#inputName]: this.#tensor(scaled, pass, win.x, win.y) });
      run.catch(() => {}); // rethrown below when awaited; this only stops an early failure counting as unhandled
      outputs.push(run);
    }
    for (const [i, win] of pass.windows.entries()) {
      const out = await outputs[i]!;
      const decoded =
        this.#decoder === 'blazeface'
          ? decodeBlazeFace(out, pass.inputWidth, threshold)
          : decodeYunet(out, pass.inputWidth, pass.inputHeight, threshold);
      for (const f of decoded) {
        const map = (x: number, y: number): [number, number] => [(x + win.x) / pass.scale, (y + win.y) / pass.scale];
        const [x, y] = map(f.box[0], f.box[1]);
        const face: Face = { box: [x, y, f.box[2] / pass.scale, f.box[3] / pass.scale], score: f.score };
        if (f.landmarks) face.landmarks = f.landmarks.map(([lx, ly]) => map(lx, ly));
        faces.push(face);
      }
    }
    return faces;
  }

  /** Copies one window of the scaled RGB image into the model's layout; outside the image is black. A window may
   * start left of or above the image (the verification plan's shifted grid). */
  #tensor(rgb: Uint8Array, pass: PlannedPass, x0: number, y0: number): Ort.Tensor {
    const W = pass.inputWidth;
    const H = pass.inputHeight;
    const data = new Float32Array(W * H * 3);
    const yFrom = Math.max(0, -y0);
    const yTo = Math.min(H, pass.height - y0);
    const xFrom = Math.max(0, -x0);
    const xTo = Math.min(W, pass.width - x0);
    if (this.#decoder === 'blazeface') {
      data.fill(-1);
      for (let y = yFrom; y < yTo; y++) {
        let src = ((y0 + y) * pass.width + x0 + xFrom) * 3;
        let dst = (y * W + xFrom) * 3;
        for (let i = 0; i < (xTo - xFrom) * 3; i++) data[dst++] = rgb[src++]! / 127.5 - 1;
      }
      return new ort.Tensor('float32', data, [1, H, W, 3]);
    }
    const plane = W * H;
    for (let y = yFrom; y < yTo; y++) {
      let src = ((y0 + y) * pass.width + x0 + xFrom) * 3;
      let dst = y * W + xFrom;
      for (let x = xFrom; x < xTo; x++, src += 3, dst++) {
        data[dst] = rgb[src + 2]!;
        data[plane + dst] = rgb[src + 1]!;
        data[2 * plane + dst] = rgb[src]!;
      }
    }
    return new ort.Tensor('float32', data, [1, 3, H, W]);
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}

function clip(f: Face, width: number, height: number): Face {
  const x0 = Math.max(0, f.box[0]);
  const y0 = Math.max(0, f.box[1]);
  const x1 = Math.min(width, f.box[0] + f.box[2]);
  const y1 = Math.min(height, f.box[1] + f.box[3]);
  const r = (v: number) => Math.round(v * 10) / 10;
  const out: Face = { box: [r(x0), r(y0), r(x1 - x0), r(y1 - y0)], score: Math.round(f.score * 1000) / 1000 };
  if (f.landmarks) out.landmarks = f.landmarks.map(([x, y]) => [r(x), r(y)]);
  return out;
}

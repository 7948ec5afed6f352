// FaceDetector on onnxruntime-node: one session per model, reused. The passes come from the planner (core/detection-
// plan) fed with the model's measured sweet spot; the image is scaled once per pass with sharp and each window is
// copied straight into the input tensor. Any failure to load or run is DetectorUnavailable.
import type * as Ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  type DetectionPlan,
  type ModelGeometry,
  type PlannedPass,
  type PlannedWindow,
  planDetection,
} from '../../core/detection-plan.js';
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
        // With the arena. Without it every run mallocs its activations afresh, and a plan's passes alternate between
        // input shapes, so the allocator hands the big buffers back to the kernel and faults them in again on the
        // next still: measured on the 2-core machine, the full-HD YuNet run took 466–585 ms of CPU (a third of it
        // system time) against 87–140 ms with the arena, and the process's RSS after a run of stills was the same
        // (424 vs 431 MB): without the arena the freed pages were not returned for long either.
        enableCpuMemArena: true,
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
        minFacePx: options.faces?.[0] ?? this.#options.minFacePx,
        ...(options.faces
          ? { maxFacePx: options.faces[1] }
          : this.#options.maxFacePx !== undefined
            ? { maxFacePx: this.#options.maxFacePx }
            : {}),
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
      // Every window of every pass through one queue with `threads` runs in flight: a run of a small pass leaves
      // most of the second core idle, so the small passes fill the gaps beside the large one.
      const scaled = await Promise.all(plan.passes.map((pass) => this.#scaled(image, pass)));
      const jobs = plan.passes.flatMap((pass, p) => pass.windows.map((win) => ({ pass, win, rgb: scaled[p]! })));
      // Largest input first: the small runs then fill in beside it rather than wait behind it.
      jobs.sort((a, b) => b.pass.inputWidth * b.pass.inputHeight - a.pass.inputWidth * a.pass.inputHeight);
      const inFlight = Math.max(1, this.#options.threads);
      // Results kept in job order, so NMS sees the same list whichever run finished first.
      const results: Face[][] = [];
      let next = 0;
      const worker = async () => {
        for (let j = next++; j < jobs.length; j = next++) {
          const { pass, win, rgb } = jobs[j]!;
          const out = await this.#session.run({ [this.#inputName]: this.#tensor(rgb, pass, win.x, win.y) });
          results[j] = this.#decode(out, pass, win, threshold);
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, jobs.length) }, worker));
      for (const r of results) found.push(...r);
    } catch (e) {
      if (e instanceof DetectorUnavailable) throw e;
      throw new DetectorUnavailable(`face detection failed with model ${this.model.id}: ${(e as Error).message}`, e);
    }
    return nms(found, this.#options.nmsIou ?? 0.3).map((f) => clip(f, image.width, image.height));
  }

  /** The image at a pass's scale (the image itself at scale 1). */
  async #scaled(image: RgbImage, pass: PlannedPass): Promise<Uint8Array> {
    if (pass.width === image.width && pass.height === image.height) return image.data;
    return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(pass.width, pass.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
  }

  /** Faces of one window's output, in pixels of the image the plan was made for. */
  #decode(out: Ort.InferenceSession.ReturnType, pass: PlannedPass, win: PlannedWindow, threshold: number): Face[] {
    const decoded =
      this.#decoder === 'blazeface'
        ? decodeBlazeFace(out, pass.inputWidth, threshold)
        : decodeYunet(out, pass.inputWidth, pass.inputHeight, threshold);
    return decoded.map((f) => {
      const map = (x: number, y: number): [number, number] => [(x + win.x) / pass.scale, (y + win.y) / pass.scale];
      const [x, y] = map(f.box[0], f.box[1]);
      const face: Face = { box: [x, y, f.box[2] / pass.scale, f.box[3] / pass.scale], score: f.score };
      if (f.landmarks) face.landmarks = f.landmarks.map(([lx, ly]) => map(lx, ly));
      return face;
    });
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

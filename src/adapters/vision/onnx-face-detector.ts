// FaceDetector on onnxruntime-node: one session per model, reused; the image is scaled once per pass with sharp and
// each window is copied straight into the input tensor. Any failure to load or run is DetectorUnavailable.
import type * as Ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { Face, FaceDetector, RgbImage } from '../../core/ports/face-detector.js';
import { DetectorUnavailable } from '../../core/redaction-errors.js';
import { decodeBlazeFace, decodeYunet } from './decoders.js';
import type { VerifiedModel } from './model-manifest.js';
import { nms } from './nms.js';
import { ort } from './onnx-runtime.js';
import { type DetectionSettings, type InputShape, type Pass, planPasses } from './tiling.js';

export interface OnnxDetectorOptions extends DetectionSettings {
  scoreThreshold: number;
  threads: number;
  nmsIou?: number;
}

export class OnnxFaceDetector implements FaceDetector {
  readonly model: { id: string; sha256: string };
  readonly #session: Ort.InferenceSession;
  readonly #decoder: 'blazeface' | 'yunet';
  readonly #input: InputShape;
  readonly #inputName: string;
  readonly #options: OnnxDetectorOptions;

  private constructor(session: Ort.InferenceSession, verified: VerifiedModel, options: OnnxDetectorOptions) {
    this.#session = session;
    this.#decoder = verified.entry.decoder;
    this.#options = options;
    this.model = { id: verified.entry.id, sha256: verified.sha256 };
    const meta = session.inputMetadata[0];
    this.#inputName = session.inputNames[0] ?? 'input';
    const shape = meta && 'shape' in meta ? meta.shape : verified.entry.input.shape;
    const [h, w] = this.#decoder === 'blazeface' ? [shape[1], shape[2]] : [shape[2], shape[3]];
    this.#input =
      typeof w === 'number' && typeof h === 'number'
        ? { kind: 'fixed', width: w, height: h }
        : { kind: 'dynamic', multipleOf: verified.entry.input.multipleOf ?? 32 };
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

  get input(): InputShape {
    return this.#input;
  }

  async detect(image: RgbImage): Promise<Face[]> {
    const passes = planPasses(image.width, image.height, this.#input, this.#options);
    const found: Face[] = [];
    try {
      for (const pass of passes) found.push(...(await this.#runPass(image, pass)));
    } catch (e) {
      if (e instanceof DetectorUnavailable) throw e;
      throw new DetectorUnavailable(`face detection failed with model ${this.model.id}: ${(e as Error).message}`, e);
    }
    return nms(found, this.#options.nmsIou ?? 0.3).map((f) => clip(f, image.width, image.height));
  }

  async #runPass(image: RgbImage, pass: Pass): Promise<Face[]> {
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
          ? decodeBlazeFace(out, pass.inputWidth, this.#options.scoreThreshold)
          : decodeYunet(out, pass.inputWidth, pass.inputHeight, this.#options.scoreThreshold);
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

  /** Copies one window of the scaled RGB image into the model's layout; outside the image is black. */
  #tensor(rgb: Uint8Array, pass: Pass, x0: number, y0: number): Ort.Tensor {
    const W = pass.inputWidth;
    const H = pass.inputHeight;
    const data = new Float32Array(W * H * 3);
    const rows = Math.min(H, pass.height - y0);
    const cols = Math.min(W, pass.width - x0);
    if (this.#decoder === 'blazeface') {
      data.fill(-1);
      for (let y = 0; y < rows; y++) {
        let src = ((y0 + y) * pass.width + x0) * 3;
        let dst = y * W * 3;
        for (let i = 0; i < cols * 3; i++) data[dst++] = rgb[src++]! / 127.5 - 1;
      }
      return new ort.Tensor('float32', data, [1, H, W, 3]);
    }
    const plane = W * H;
    for (let y = 0; y < rows; y++) {
      let src = ((y0 + y) * pass.width + x0) * 3;
      let dst = y * W;
      for (let x = 0; x < cols; x++, src += 3, dst++) {
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

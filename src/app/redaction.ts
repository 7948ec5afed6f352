// Wires the redaction step from the `redaction` config section: the verified ONNX detector and the sharp codec,
// and the redaction module the running appliance starts.
import { SharpCodec } from '../adapters/imaging/sharp-codec.js';
import { createFaceDetector } from '../adapters/vision/create-detector.js';
import type { RedactionConfig } from '../config/schema.js';
import { AppError } from '../core/errors.js';
import type { FaceDetector } from '../core/ports/face-detector.js';
import type { Redactor } from '../core/ports/redactor.js';
import type { Metrics } from '../observability/metrics.js';
import { RedactionService } from '../services/redaction/redaction-service.js';
import type { Module } from './lifecycle.js';
import type { Wiring } from './wiring.js';

export async function createDetectorFromConfig(c: RedactionConfig): Promise<FaceDetector> {
  return createFaceDetector({
    model: c.model,
    modelPath: c.modelPath,
    modelSha256: c.modelSha256,
    scoreThreshold: c.scoreThreshold,
    threads: c.threads,
    tiles: c.tiles,
    tileSizes: c.tileSizes,
    tileOverlap: c.tileOverlap,
    scales: c.scales,
  });
}

export function codecFromConfig(c: RedactionConfig): SharpCodec {
  return new SharpCodec({ maxInputPixels: c.maxInputPixels, jpegQuality: c.jpegQuality });
}

/** The Redactor the rest of the appliance calls; close() releases the model session. */
export async function createRedactor(
  c: RedactionConfig,
): Promise<{ redactor: RedactionService; detector: FaceDetector; close(): Promise<void> }> {
  const detector = await createDetectorFromConfig(c);
  const redactor = new RedactionService(detector, codecFromConfig(c), {
    margin: c.margin,
    mode: c.mode,
    maxLongSide: c.maxLongSide,
    subjectCropMargin: c.subjectCropMargin,
  });
  return { redactor, detector, close: () => detector.close() };
}

/**
 * The redaction module: a Redactor that exists before the model is loaded (the desk, review and installer checks
 * are built with it) and fails closed until start() has loaded the model; timings go to the metrics registry.
 */
export function redactionModule(c: RedactionConfig, metrics: Metrics): Module & { redactor: Redactor } {
  let loaded: Awaited<ReturnType<typeof createRedactor>> | undefined;
  let failed: Error | undefined;
  const ready = (): Redactor => {
    if (loaded) return loaded.redactor;
    throw new AppError(
      'detector-unavailable',
      `the face detector is not loaded${failed ? ` (${failed.message})` : ''}, so no still can be shown or sent`,
    );
  };
  return {
    name: 'redaction',
    redactor: {
      detect: (image) => ready().detect(image),
      async redact(request) {
        const t0 = performance.now();
        const out = await ready().redact(request);
        metrics.redactionSeconds.observe(
          { step: request.cropSubject ? 'crop' : 'redact' },
          (performance.now() - t0) / 1000,
        );
        return out;
      },
    },
    async start() {
      try {
        loaded = await createRedactor(c);
      } catch (e) {
        failed = e as Error;
        throw e;
      }
    },
    async stop() {
      await loaded?.close();
      loaded = undefined;
    },
  };
}

/** The redaction module, first after the store: everything after it is built with its Redactor. */
export function addRedaction(w: Wiring): Redactor {
  const redaction = redactionModule(w.app.config.redaction, w.metrics);
  w.app.lifecycle.add(redaction);
  return redaction.redactor;
}

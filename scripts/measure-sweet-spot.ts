// Measures each face model's sweet spot: the face heights, in model-input pixels, it finds reliably when fed one
// window at scale 1. Faces (drawn, plus ../shared/media's when present) are placed at each height in a window the
// size of the model input, plain and degraded (IR-like noise, JPEG q30, blur, mirrored); a height counts when its
// recall is within --tolerance (default 0.07) of the model's best height — some faces (a head turned away) are
// missed at every size, so an absolute target would measure the faces, not the scale. The longest ratio run of
// such heights is the sweet spot,
// written into models/manifest.json with --write. The planner (src/core/detection-plan.ts) reads it.
// Usage: npx tsx scripts/measure-sweet-spot.ts [--yunet-dir DIR] [--media DIR] [--tolerance 0.07] [--only ID,ID] [--write]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SharpCodec } from '../src/adapters/imaging/sharp-codec.js';
import { loadVerifiedModel, MANIFEST_PATH, type VerifiedModel } from '../src/adapters/vision/model-manifest.js';
import { OnnxFaceDetector } from '../src/adapters/vision/onnx-face-detector.js';
import { drawnFaces, foundFaces, mediaFaces, type SweepVariant, sweepCell } from '../src/bench/sweep.js';

const { values } = parseArgs({
  options: {
    'yunet-dir': { type: 'string', default: join(import.meta.dirname, '..', '..', 'shared', 'models', 'yunet') },
    media: { type: 'string', default: join(import.meta.dirname, '..', '..', 'shared', 'media') },
    tolerance: { type: 'string', default: '0.07' },
    only: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const tolerance = Number(values.tolerance);
const codec = new SharpCodec({ maxInputPixels: 100_000_000, jpegQuality: 85 });
const HEIGHTS = [8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 320, 400];
// Degradations whose effect depends on the face's size in pixels. Rotation and low contrast limit a model at every
// size alike: the sweep (bench vision --sweep) reports them, but they do not move the sweet spot.
const VARIANTS: SweepVariant[] = ['plain', 'ir-noise', 'jpeg-q30', 'blur-1.5', 'mirror'];

const sources = [...(await drawnFaces()), ...(existsSync(values.media) ? await mediaFaces(values.media) : [])];
console.log(
  `faces: ${sources.length} (${existsSync(values.media) ? 'drawn + media' : 'drawn only'}); heights within ${tolerance} of each model's best recall`,
);

const models: { id: string; verified: VerifiedModel }[] = [
  { id: 'blazeface-back-256', verified: loadVerifiedModel({ model: 'blazeface' }) },
];
for (const file of ['yunet_n_dynamic.onnx', 'yunet_s_dynamic.onnx', 'yunet_n_640_640.onnx']) {
  const path = join(values['yunet-dir'], file);
  if (existsSync(path)) {
    const v = loadVerifiedModel({ model: 'yunet', modelPath: path });
    models.push({ id: v.entry.id, verified: v });
  }
}

const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as {
  models: { id: string; sweetSpot?: unknown }[];
};
for (const { id, verified } of models) {
  if (values.only && !values.only.split(',').includes(id)) continue;
  // Any sweet spot will do here: this script runs hand-made single-window plans, not the planner.
  const entry = { ...verified.entry, sweetSpot: { min: 1, max: 2 } };
  const detector = await OnnxFaceDetector.load(
    { ...verified, entry },
    { scoreThreshold: 0.5, threads: 2, minFacePx: 16 },
  );
  const side = detector.input.kind === 'fixed' ? detector.input.width : 640;
  const rows: { h: number; found: number; faces: number }[] = [];
  for (const h of HEIGHTS) {
    if (h > side * 0.8) break;
    let found = 0;
    let faces = 0;
    for (const variant of VARIANTS) {
      for (const frame of await sweepCell(sources, [side, side], h, variant, 3)) {
        const rgb = await codec.decode(frame.image);
        const plan = {
          passes: [
            {
              scale: 1,
              width: side,
              height: side,
              inputWidth: side,
              inputHeight: side,
              windows: [{ x: 0, y: 0 }],
              faces: [h, h] as [number, number],
              overlap: 0,
            },
          ],
          covers: [h, h] as [number, number],
          inputPixels: side * side,
        };
        const hits = foundFaces(
          frame.faces.map((f) => f.box),
          await detector.detectWithPlan(rgb, plan),
          1.4,
        );
        found += hits.filter(Boolean).length;
        faces += hits.length;
      }
    }
    rows.push({ h, found, faces });
    console.log(`${id} face ${h} px at input: ${found}/${faces} = ${(found / faces).toFixed(3)}`);
  }
  await detector.close();
  const bestRecall = Math.max(...rows.map((r) => (r.faces ? r.found / r.faces : 0)));
  const need = bestRecall - tolerance;
  // Longest run of consecutive heights meeting the recall target.
  let best: [number, number] | undefined;
  let start: number | undefined;
  for (const [i, r] of rows.entries()) {
    const ok = r.faces > 0 && r.found / r.faces >= need;
    if (ok && start === undefined) start = i;
    if ((!ok || i === rows.length - 1) && start !== undefined) {
      const end = ok ? i : i - 1;
      if (!best || rows[end]!.h / rows[start]!.h > rows[best[1]]!.h / rows[best[0]]!.h) best = [start, end];
      start = undefined;
    }
  }
  if (!best) {
    console.log(`${id}: no face height reaches recall ${need}`);
    continue;
  }
  const spot = {
    min: rows[best[0]]!.h,
    max: rows[best[1]]!.h,
    recall: Math.round(need * 1000) / 1000,
    measured: `scripts/measure-sweet-spot.ts: recall ≥ ${need.toFixed(3)} (best ${bestRecall.toFixed(3)} − ${tolerance}) on ${sources.length} faces × ${VARIANTS.length} variants, single ${side}×${side} window`,
  };
  console.log(`${id}: sweet spot ${spot.min}–${spot.max} px`);
  const m = manifest.models.find((e) => e.id === id);
  if (m) m.sweetSpot = spot;
}
if (values.write) {
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${MANIFEST_PATH}`);
}

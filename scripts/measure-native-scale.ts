// Measures whether YuNet needs the upscaled pass for small faces: recall of faces 12–32 px in 1920×1080 frames
// (drawn faces, plus ../shared/media's when present, placed and degraded by the sweep generator) with one pass at
// native scale against one pass at the planner's 1.5×, at several score thresholds; and the false detections on
// face-less frames (textured noise) at each threshold, since a lower threshold buys recall with them.
// Usage: npx tsx scripts/measure-native-scale.ts [--model PATH] [--media DIR] [--scales 1,1.5] [--thresholds 0.5,0.4,0.3]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { SharpCodec } from '../src/adapters/imaging/sharp-codec.js';
import { loadVerifiedModel } from '../src/adapters/vision/model-manifest.js';
import { MAX_DYNAMIC_SIDE, OnnxFaceDetector } from '../src/adapters/vision/onnx-face-detector.js';
import { drawnFaces, foundFaces, mediaFaces, type SweepVariant, sweepCell } from '../src/bench/sweep.js';
import { type DetectionPlan, windowOrigins } from '../src/core/detection-plan.js';

const { values } = parseArgs({
  options: {
    model: {
      type: 'string',
      default: join(import.meta.dirname, '..', '..', 'shared', 'models', 'yunet', 'yunet_n_dynamic.onnx'),
    },
    media: { type: 'string', default: join(import.meta.dirname, '..', '..', 'shared', 'media') },
    scales: { type: 'string', default: '1,1.5' },
    thresholds: { type: 'string', default: '0.5,0.4,0.3' },
    sizes: { type: 'string', default: '12,16,20,24,32' },
  },
});
const W = 1920;
const H = 1080;
const VARIANTS: SweepVariant[] = ['plain', 'ir-noise', 'jpeg-q30', 'blur-1.5', 'low-contrast'];
const scales = values.scales.split(',').map(Number);
const thresholds = values.thresholds.split(',').map(Number);
const sizes = values.sizes.split(',').map(Number);
const codec = new SharpCodec({ maxInputPixels: 100_000_000, jpegQuality: 85 });
const sources = [...(await drawnFaces()), ...(existsSync(values.media) ? await mediaFaces(values.media) : [])];
const verified = loadVerifiedModel({ model: 'yunet', modelPath: values.model });
const lowest = Math.min(...thresholds);
const detector = await OnnxFaceDetector.load(verified, { scoreThreshold: lowest, threads: 2, minFacePx: 16 });

/** One pass over the whole frame at `scale`, windows of at most MAX_DYNAMIC_SIDE overlapping by 64 px. */
function pass(scale: number): DetectionPlan {
  const w = Math.round(W * scale);
  const h = Math.round(H * scale);
  const up = (v: number) => Math.ceil(v / 32) * 32;
  const ww = up(Math.min(w, MAX_DYNAMIC_SIDE));
  const wh = up(Math.min(h, MAX_DYNAMIC_SIDE));
  const xs = windowOrigins(w, ww, 64);
  const ys = windowOrigins(h, wh, 64);
  const windows = ys.flatMap((y) => xs.map((x) => ({ x, y })));
  return {
    passes: [{ scale, width: w, height: h, inputWidth: ww, inputHeight: wh, windows, faces: [1, 1], overlap: 64 }],
    covers: [1, 1],
    inputPixels: windows.length * ww * wh,
  };
}

console.log(
  `faces: ${sources.length} (${sources.length > 5 ? 'drawn + media' : 'drawn only'}), frame ${W}×${H}, model ${verified.entry.id}`,
);
// recall[scale][threshold][size] = [found, total]
const tally = new Map<string, [number, number]>();
const cpu = new Map<number, number[]>();
for (const size of sizes)
  for (const variant of VARIANTS)
    for (const f of await sweepCell(sources, [W, H], size, variant)) {
      const image = await codec.decode(f.image);
      for (const scale of scales) {
        const c0 = process.cpuUsage();
        const found = await detector.detectWithPlan(image, pass(scale));
        const c = process.cpuUsage(c0);
        cpu.set(scale, [...(cpu.get(scale) ?? []), (c.user + c.system) / 1000]);
        for (const t of thresholds) {
          const hits = foundFaces(
            f.faces.map((x) => x.box),
            found.filter((d) => d.score >= t),
            1.4,
          );
          const key = `${scale}|${t}|${size}|${variant}`;
          const [a, b] = tally.get(key) ?? [0, 0];
          tally.set(key, [a + hits.filter(Boolean).length, b + hits.length]);
        }
      }
    }
const r = (k: (s: string) => boolean) => {
  let a = 0;
  let b = 0;
  for (const [key, [x, y]] of tally) {
    if (!k(key)) continue;
    a += x;
    b += y;
  }
  return b ? (a / b).toFixed(3) : '—';
};
console.log(`recall by face height (all ${VARIANTS.length} variants together), and per variant for ≥ 16 px`);
console.log(
  `scale  thr   ${sizes.map((s) => `${s}px`.padStart(7)).join('')}   ${VARIANTS.map((v) => v.padStart(13)).join('')}`,
);
for (const scale of scales)
  for (const t of thresholds) {
    const bySize = sizes.map((s) => r((k) => k.startsWith(`${scale}|${t}|${s}|`)).padStart(7)).join('');
    const byVar = VARIANTS.map((v) =>
      r((k) => {
        const [sc, th, sz, va] = k.split('|');
        return sc === String(scale) && th === String(t) && Number(sz) >= 16 && va === v;
      }).padStart(13),
    ).join('');
    console.log(`${String(scale).padEnd(6)} ${String(t).padEnd(5)}${bySize}   ${byVar}`);
  }
// False detections: face-less textured noise frames, as bench vision's default stills.
for (const scale of scales) {
  const counts = thresholds.map(() => 0);
  for (const sigma of [20, 40, 60]) {
    const raw = await sharp({
      create: {
        width: W,
        height: H,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 120, sigma },
      },
    })
      .jpeg({ quality: 90 })
      .toBuffer();
    const found = await detector.detectWithPlan(await codec.decode(raw), pass(scale));
    thresholds.forEach((t, i) => {
      counts[i]! += found.filter((d) => d.score >= t).length;
    });
  }
  const ms = [...(cpu.get(scale) ?? [])].sort((a, b) => a - b);
  console.log(
    `scale ${scale}: false detections on 3 noise frames ${thresholds.map((t, i) => `thr ${t}: ${counts[i]}`).join(', ')}; CPU ms per pass p50 ${ms[Math.floor(ms.length / 2)]?.toFixed(0)}`,
  );
}
await detector.close();

// Turns raw model outputs into faces in model-input pixels. BlazeFace: fixed anchor grid, logits, offsets from the
// anchor centre. YuNet: anchor-free per stride, score = sqrt(cls·obj). Layouts in models/manifest.json.
import type * as ort from 'onnxruntime-node';
import type { Face } from '../../core/ports/face-detector.js';

type Outputs = Record<string, ort.Tensor>;

function floats(out: Outputs, name: string): Float32Array {
  const t = out[name];
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`the model gave no float output ${name}`);
  return t.data;
}

/** Fraction of the box height added above a BlazeFace box. */
export const BLAZEFACE_EXTEND_UP = 0.25;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-Math.max(-80, Math.min(80, x))));

export function decodeBlazeFace(out: Outputs, size: number, threshold: number): Face[] {
  const faces: Face[] = [];
  const layers = [
    { scores: floats(out, 'Identity:0'), boxes: floats(out, 'Identity_2:0'), grid: 16, perCell: 2 },
    { scores: floats(out, 'Identity_1:0'), boxes: floats(out, 'Identity_3:0'), grid: 8, perCell: 6 },
  ];
  const logit = Math.log(threshold / (1 - threshold));
  for (const { scores, boxes, grid, perCell } of layers) {
    const stride = size / grid;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i]! < logit) continue;
      const cell = Math.floor(i / perCell);
      const ax = ((cell % grid) + 0.5) * stride;
      const ay = (Math.floor(cell / grid) + 0.5) * stride;
      const o = i * 16;
      const w = boxes[o + 2]!;
      const h = boxes[o + 3]!;
      if (!(w > 0 && h > 0)) continue;
      const landmarks: [number, number][] = [];
      for (let k = 0; k < 6; k++) landmarks.push([ax + boxes[o + 4 + 2 * k]!, ay + boxes[o + 5 + 2 * k]!]);
      // The raw box runs from the eyes to the chin; extend it up by a quarter so it covers brows and forehead
      // like YuNet's (measured on ../shared/media: the raw top sat about 0.2 h below the brows).
      faces.push({
        box: [
          ax + boxes[o]! - w / 2,
          ay + boxes[o + 1]! - h / 2 - BLAZEFACE_EXTEND_UP * h,
          w,
          h * (1 + BLAZEFACE_EXTEND_UP),
        ],
        score: sigmoid(scores[i]!),
        landmarks,
      });
    }
  }
  return faces;
}

export function decodeYunet(out: Outputs, width: number, height: number, threshold: number): Face[] {
  const faces: Face[] = [];
  for (const s of [8, 16, 32]) {
    const cls = floats(out, `cls_${s}`);
    const obj = floats(out, `obj_${s}`);
    const bbox = floats(out, `bbox_${s}`);
    const kps = floats(out, `kps_${s}`);
    const cols = Math.floor(width / s);
    if (cls.length !== cols * Math.floor(height / s))
      throw new Error(`cls_${s} has ${cls.length} cells, expected ${cols * Math.floor(height / s)}`);
    const t2 = threshold * threshold;
    for (let i = 0; i < cls.length; i++) {
      const c = Math.min(1, Math.max(0, cls[i]!));
      const o = Math.min(1, Math.max(0, obj[i]!));
      if (c * o < t2) continue;
      const col = i % cols;
      const row = Math.floor(i / cols);
      const cx = (col + bbox[i * 4]!) * s;
      const cy = (row + bbox[i * 4 + 1]!) * s;
      const w = Math.exp(bbox[i * 4 + 2]!) * s;
      const h = Math.exp(bbox[i * 4 + 3]!) * s;
      const landmarks: [number, number][] = [];
      for (let k = 0; k < 5; k++)
        landmarks.push([(kps[i * 10 + 2 * k]! + col) * s, (kps[i * 10 + 2 * k + 1]! + row) * s]);
      faces.push({ box: [cx - w / 2, cy - h / 2, w, h], score: Math.sqrt(c * o), landmarks });
    }
  }
  return faces;
}

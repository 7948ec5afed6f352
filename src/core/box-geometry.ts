// Pure box arithmetic for the redaction plan: growing face boxes by a margin, clipping to the image, overlap and
// how much of a box lies inside redacted pixels (the coverage metric).
import type { Box } from './redaction.js';

export function area(b: Box): number {
  return Math.max(0, b[2]) * Math.max(0, b[3]);
}

export function intersection(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: Box, b: Box): number {
  const i = intersection(a, b);
  const u = area(a) + area(b) - i;
  return u > 0 ? i / u : 0;
}

/** Grows a box about its centre by `factor` in each dimension. */
export function expand(b: Box, factor: number): Box {
  const w = b[2] * factor;
  const h = b[3] * factor;
  return [b[0] + b[2] / 2 - w / 2, b[1] + b[3] / 2 - h / 2, w, h];
}

/** Integer pixel box covering `b` (rounded outwards), clipped to the image; undefined when nothing is left. */
export function toPixels(b: Box, width: number, height: number): Box | undefined {
  const x0 = Math.max(0, Math.floor(b[0]));
  const y0 = Math.max(0, Math.floor(b[1]));
  const x1 = Math.min(width, Math.ceil(b[0] + b[2]));
  const y1 = Math.min(height, Math.ceil(b[1] + b[3]));
  return x1 > x0 && y1 > y0 ? [x0, y0, x1 - x0, y1 - y0] : undefined;
}

export function centre(b: Box): [number, number] {
  return [b[0] + b[2] / 2, b[1] + b[3] / 2];
}

export function contains(b: Box, p: [number, number]): boolean {
  return p[0] >= b[0] && p[0] <= b[0] + b[2] && p[1] >= b[1] && p[1] <= b[1] + b[3];
}

export function scaleBox(b: Box, s: number): Box {
  return [b[0] * s, b[1] * s, b[2] * s, b[3] * s];
}

export function isValidBox(b: readonly number[]): b is Box {
  return b.length === 4 && b.every((v) => Number.isFinite(v)) && b[2]! > 0 && b[3]! > 0;
}

/**
 * Fraction of `b` that lies inside the union of `regions` (pixel-exact on the integer grid). The redaction
 * benchmark counts a true face as covered when this is at least 0.9.
 */
export function coveredFraction(b: Box, regions: readonly Box[]): number {
  const x0 = Math.floor(b[0]);
  const y0 = Math.floor(b[1]);
  const w = Math.max(1, Math.round(b[2]));
  const h = Math.max(1, Math.round(b[3]));
  const mask = new Uint8Array(w * h);
  for (const r of regions) {
    const rx0 = Math.max(x0, Math.floor(r[0]));
    const ry0 = Math.max(y0, Math.floor(r[1]));
    const rx1 = Math.min(x0 + w, Math.ceil(r[0] + r[2]));
    const ry1 = Math.min(y0 + h, Math.ceil(r[1] + r[3]));
    // A region beside the box gives an empty (or reversed) span; fill() would read a negative end as "from the end".
    if (rx1 <= rx0 || ry1 <= ry0) continue;
    for (let y = ry0; y < ry1; y++) mask.fill(1, (y - y0) * w + (rx0 - x0), (y - y0) * w + (rx1 - x0));
  }
  let n = 0;
  for (const v of mask) n += v;
  return n / mask.length;
}

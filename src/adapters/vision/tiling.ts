// Which windows of which scaled copies of an image a detector sees. Fixed-input models (BlazeFace 256, YuNet 640)
// get the whole frame letterboxed plus overlapping tiles for small faces; dynamic-input models (YuNet) get the
// whole frame at each configured scale. Results from every window are mapped back and merged by NMS.

export interface DetectionSettings {
  /** Run the tile passes (fixed-input models) — off means whole frame only. */
  tiles: boolean;
  /** Tile sides in pixels of the image; each tile is resized to the model input. */
  tileSizes: readonly number[];
  /** Fraction of a tile shared with its neighbour. */
  tileOverlap: number;
  /** Scales for dynamic-input models (1 = full resolution). */
  scales: readonly number[];
}

export interface Window {
  x: number;
  y: number;
}

export interface Pass {
  /** Scaled image size = round(width·scale) × round(height·scale). */
  scale: number;
  width: number;
  height: number;
  /** Model input size for every window of this pass. */
  inputWidth: number;
  inputHeight: number;
  /** Top-left corners in the scaled image; parts of a window outside it are zero-padded. */
  windows: Window[];
}

/** Start positions of windows of `size` covering [0, length) with at least `overlap`·size shared. */
export function tileOrigins(length: number, size: number, overlap: number): number[] {
  if (length <= size) return [0];
  const stride = Math.max(1, size * (1 - overlap));
  const n = Math.ceil((length - size) / stride) + 1;
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - size)) / (n - 1)));
}

/** Longest side, in pixels, of any pass of a dynamic-input model. */
export const MAX_DYNAMIC_SIDE = 2560;

export type InputShape = { kind: 'fixed'; width: number; height: number } | { kind: 'dynamic'; multipleOf: number };

export function planPasses(width: number, height: number, input: InputShape, s: DetectionSettings): Pass[] {
  const scaled = (scale: number) => ({
    scale,
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  });
  if (input.kind === 'dynamic') {
    // Full resolution of a 40 MP still would need a 480 MB input tensor: cap the long side of any pass.
    const cap = MAX_DYNAMIC_SIDE / Math.max(width, height);
    const scales = [...new Set((s.tiles ? s.scales : s.scales.slice(0, 1)).map((v) => Math.min(v, cap)))];
    return scales.map((scale) => {
      const p = scaled(scale);
      const m = input.multipleOf;
      return {
        ...p,
        inputWidth: Math.ceil(p.width / m) * m,
        inputHeight: Math.ceil(p.height / m) * m,
        windows: [{ x: 0, y: 0 }],
      };
    });
  }
  const side = Math.max(input.width, input.height);
  const whole = scaled(Math.min(input.width / width, input.height / height));
  const passes: Pass[] = [{ ...whole, inputWidth: input.width, inputHeight: input.height, windows: [{ x: 0, y: 0 }] }];
  if (!s.tiles) return passes;
  for (const tile of s.tileSizes) {
    // A tile as large as the image repeats the whole-frame pass.
    if (tile >= Math.max(width, height) * 0.9) continue;
    const p = scaled(side / tile);
    const xs = tileOrigins(p.width, input.width, s.tileOverlap);
    const ys = tileOrigins(p.height, input.height, s.tileOverlap);
    passes.push({
      ...p,
      inputWidth: input.width,
      inputHeight: input.height,
      windows: ys.flatMap((y) => xs.map((x) => ({ x, y }))),
    });
  }
  return passes;
}

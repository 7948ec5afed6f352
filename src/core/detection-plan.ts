// Plans the detector passes for one image from its size, the range of face sizes that must be found and the model's
// measured sweet spot (the face heights, in model-input pixels, it finds reliably). Every face height in the range
// is seen by at least one pass at a size inside the sweet spot, and the windows of a pass overlap by more than the
// largest face that pass is responsible for, so no such face is cut by every window. Pure: the ONNX adapter runs it.

/** What the planner needs to know about a model; the sweet spot is measured (scripts/measure-sweet-spot.ts). */
export interface ModelGeometry {
  input: { kind: 'fixed'; width: number; height: number } | { kind: 'dynamic'; multipleOf: number; maxSide: number };
  /** Face heights in model-input pixels the model finds reliably: [smallest, largest]. */
  sweetSpot: { min: number; max: number };
  /**
   * Smallest face height, in model-input pixels, that the model finds as well at native scale (at its own score
   * threshold) as it does upscaled into the sweet spot (measured by scripts/measure-native-scale.ts). Faces from
   * here up to the sweet spot get no upscaled pass: it would cost the square of the scale for no recall.
   */
  nativeFrom?: number;
}

export interface PlanRequest {
  width: number;
  height: number;
  /** Smallest face height in image pixels that must be found. */
  minFacePx: number;
  /** Largest face height in image pixels that must be found; the frame height when absent. */
  maxFacePx?: number;
  /** `verify` gives other scales (half a step between the primary ones) and windows shifted by half a stride. */
  variant?: 'primary' | 'verify';
  /** Upper bound on upscaling; a smaller minimum face than this allows is reported as not covered. */
  maxScale?: number;
  /** Most model-input pixels the plan may feed, as a multiple of the image's own pixels. When the range needs
   * more, the smallest face covered is raised (by 10 % steps) until it fits; `covers` then says so. */
  budget?: number;
}

export interface PlannedWindow {
  x: number;
  y: number;
}

export interface PlannedPass {
  /** Image scaled by this factor: round(width·scale) × round(height·scale). */
  scale: number;
  width: number;
  height: number;
  /** Model input size for every window of this pass (windows reaching past the scaled image are zero-padded). */
  inputWidth: number;
  inputHeight: number;
  windows: PlannedWindow[];
  /** Face heights, in image pixels, this pass is responsible for. */
  faces: [number, number];
  /** Pixels of the scaled image shared by neighbouring windows (0 with one window). */
  overlap: number;
}

export interface DetectionPlan {
  passes: PlannedPass[];
  /** The face-height range the passes cover, in image pixels. */
  covers: [number, number];
  /** Sum over passes of windows × input pixels: what the plan costs, up to a constant. */
  inputPixels: number;
}

/**
 * Neighbouring passes share this much of their face ranges: a face whose true height sits at a boundary is found
 * by both even when the model's box is this much smaller or larger than the true one.
 */
export const RANGE_OVERLAP = 1.15;
/** Default upscaling limit: beyond 4× there is no detail left for a detector to find. */
export const MAX_SCALE = 4;

/** Start positions of windows of `size` covering [0, length), neighbours sharing at least `overlap` pixels. */
export function windowOrigins(length: number, size: number, overlap: number, shift = false): number[] {
  if (length <= size && !shift) return [0];
  const stride = Math.max(1, size - overlap);
  if (shift) {
    // Half a stride earlier than the primary grid: every boundary of the primary windows now lies mid-window.
    const first = -Math.floor(stride / 2);
    const out: number[] = [];
    for (let x = first; ; x += stride) {
      out.push(x);
      if (x + size >= length) break;
    }
    return out;
  }
  const n = Math.ceil((length - size) / stride) + 1;
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - size)) / (n - 1)));
}

function roundUp(v: number, m: number): number {
  return Math.max(m, Math.ceil(v / m) * m);
}

function passAt(
  width: number,
  height: number,
  scale: number,
  faces: [number, number],
  model: ModelGeometry,
  shift: boolean,
): PlannedPass {
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  // Larger than the largest face of this pass, at the scaled size, so one window holds each such face whole.
  const need = Math.ceil(faces[1] * scale) + 2;
  let winW: number;
  let winH: number;
  if (model.input.kind === 'fixed') {
    winW = model.input.width;
    winH = model.input.height;
  } else {
    // As few windows as the side cap allows, each only as large as they need to be to share `need` pixels: the cap
    // itself as the window (1920 in a 2560 frame) would feed the model a third more pixels than the frame has.
    const m = model.input.multipleOf;
    const cap = model.input.maxSide;
    const side = (len: number) => {
      if (len <= cap) return roundUp(len, m);
      const n = Math.ceil((len - need) / Math.max(1, cap - need));
      return Math.min(cap, roundUp(Math.ceil((len + need * (n - 1)) / n), m));
    };
    winW = side(w);
    winH = side(h);
  }
  const ox = Math.min(need, winW - 1);
  const oy = Math.min(need, winH - 1);
  const xs = windowOrigins(w, winW, ox, shift);
  const ys = windowOrigins(h, winH, oy, shift);
  const windows = ys.flatMap((y) => xs.map((x) => ({ x, y })));
  return {
    scale: Math.round(scale * 1e6) / 1e6,
    width: w,
    height: h,
    inputWidth: winW,
    inputHeight: winH,
    windows,
    faces: [Math.round(faces[0] * 10) / 10, Math.round(faces[1] * 10) / 10],
    overlap: windows.length > 1 ? Math.min(ox, oy) : 0,
  };
}

/** The passes for one step ratio: pass i is responsible for faces [L_i, L_i·step], L_{i+1} = L_i·step / overlap. */
function passesFor(r: PlanRequest, model: ModelGeometry, step: number): DetectionPlan {
  const { min: a } = model.sweetSpot;
  const lo = Math.max(1, r.minFacePx);
  const hi = Math.max(lo, r.maxFacePx ?? r.height);
  const maxScale = r.maxScale ?? MAX_SCALE;
  const verify = r.variant === 'verify';
  // Windows of a fixed-input model are shifted by half a stride, so the primary plan's window edges fall mid-window;
  // a dynamic model's different scales already move every edge.
  const shift = verify && model.input.kind === 'fixed';
  let from = lo;
  const passes: PlannedPass[] = [];
  let covered: [number, number] | undefined;
  let native = false;
  for (let guard = 0; guard < 64; guard++) {
    let scale = a / from;
    if (scale > 1 && model.nativeFrom !== undefined && from >= model.nativeFrom) {
      scale = 1;
      native = true;
    }
    if (scale > maxScale) {
      scale = maxScale;
      from = a / scale;
    }
    // A native pass sees faces up to the sweet spot's top too, but it answers for one step only: the next pass
    // then looks at 24–64 px faces a second time at another scale. Measured on the sweep (1920×1080, 16/24/48/96
    // px, all variants): answering up to 64 and starting the next pass there lost 0.03 at 24 px and 0.01 at 48 px.
    const to = from * step;
    const p = passAt(r.width, r.height, scale, [from, Math.min(to, hi)], model, shift);
    passes.push(p);
    covered = [covered ? covered[0] : from, to];
    // One window holding the whole image at this scale sees any larger face at a smaller scale only if the face is
    // inside the sweet spot there; so keep going until the range reaches the largest face.
    if (to >= hi) break;
    // The verification plan's second pass sits halfway (geometrically) between the primary plan's first two, so
    // from there on its scales fall between the primary ones; its first pass keeps the smallest faces in range.
    // A first pass held at native scale has no neighbour to sit halfway from: the halfway pass would be native again.
    from = verify && passes.length === 1 && !native ? Math.sqrt(from * (to / RANGE_OVERLAP)) : to / RANGE_OVERLAP;
  }
  const inputPixels = passes.reduce((s, p) => s + p.windows.length * p.inputWidth * p.inputHeight, 0);
  return { passes, covers: covered ?? [lo, hi], inputPixels };
}

/**
 * The cheapest plan that covers [minFacePx, maxFacePx] within the budget (see PlanRequest.budget): tries step ratios from 1.3 up to the sweet spot's own
 * ratio (max/min, shrunk by the range overlap) and keeps the one with the fewest input pixels. Few wide steps mean
 * few scales but windows that must overlap a lot; many narrow steps the opposite — which wins depends on the image.
 */
export function planDetection(r: PlanRequest, model: ModelGeometry): DetectionPlan {
  if (!(r.width > 0 && r.height > 0)) throw new RangeError(`image size ${r.width}×${r.height} is not positive`);
  if (r.budget === undefined) return cheapest(r, model);
  const limit = r.budget * r.width * r.height;
  let request = r;
  let plan = cheapest(request, model);
  const hi = r.maxFacePx ?? r.height;
  while (plan.inputPixels > limit && request.minFacePx * 1.1 < hi) {
    request = { ...request, minFacePx: request.minFacePx * 1.1 };
    plan = cheapest(request, model);
  }
  return plan;
}

/** Without a budget: the step ratio whose plan feeds the fewest input pixels. */
function cheapest(r: PlanRequest, model: ModelGeometry): DetectionPlan {
  const { min: a, max: b } = model.sweetSpot;
  if (!(a > 0 && b > a)) throw new RangeError(`sweet spot ${a}–${b} is not a range`);
  const widest = b / a;
  const fixedSide = model.input.kind === 'fixed' ? Math.min(model.input.width, model.input.height) : Infinity;
  let best: DetectionPlan | undefined;
  for (let i = 0; i <= 12; i++) {
    const step = 1.3 * (widest / 1.3) ** (i / 12);
    if (step <= 1.05) continue;
    // A fixed window must be larger than the largest face it is responsible for, or nothing can overlap enough.
    if (a * step + 2 >= fixedSide) continue;
    const plan = passesFor(r, model, step);
    if (!best || plan.inputPixels < best.inputPixels) best = plan;
  }
  return best ?? passesFor(r, model, Math.max(1.1, Math.min(widest, (fixedSide - 3) / a)));
}

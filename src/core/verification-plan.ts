// Plans the check of a redacted image (the redaction certificate): where the detector looks again on the output and
// for which face heights. Pixels changed only inside the redacted regions, so that is where a face can have been
// left recognisable: each region is looked at again with context around it, for every face height the first look
// was responsible for — faces too small in the scaled-down output are looked for upscaled, so the check reaches
// the original's resolution. One whole-frame look at the output's own scale adds a second, differently scaled look
// for faces from a stated height up. Pure: the redaction service runs it.
import { intersection, toPixels } from './box-geometry.js';
import type { Box } from './redaction.js';

export interface VerificationRequest {
  /** Size of the decoded output. */
  output: { width: number; height: number };
  /** The part of the input the output shows (the subject crop, or the whole input), in input pixels. */
  origin: Box;
  /** Redacted regions, in input pixels. */
  regions: readonly Box[];
  /** Face heights, in input pixels, the first look was responsible for. */
  faces: [number, number];
  /** Context around each region, as a share of its size on every side (1: a window three times the region). */
  context?: number;
  /** Smallest face height, in output pixels, the whole-frame look covers; absent: no whole-frame look. */
  wholeFrameFrom?: number;
}

export interface VerificationCheck {
  /** Window of the output to look at, integer output pixels. */
  window: Box;
  /** Face heights to look for, in output pixels. */
  faces: [number, number];
}

export interface VerificationPlan {
  local: VerificationCheck[];
  wholeFrame?: VerificationCheck;
  /** What the checks cover, in input pixels: every redacted region for `local`, the whole output for `wholeFrame`. */
  covers: { local: [number, number]; wholeFrame?: [number, number] };
}

/** Default context: the window reaches 1.5 region sizes beyond the region on every side (four times its width):
 * with one region size, a 20 px face beside a redacted one was cut by the window edge and not found. */
export const VERIFY_CONTEXT = 1.5;

const r1 = (v: number) => Math.round(v * 10) / 10;

export function planVerification(r: VerificationRequest): VerificationPlan {
  const { width, height } = r.output;
  const [ox, oy, ow] = r.origin;
  if (!(width > 0 && height > 0 && ow > 0)) throw new RangeError(`output ${width}×${height} is not positive`);
  const k = width / ow;
  const context = r.context ?? VERIFY_CONTEXT;
  const windows: Box[] = [];
  for (const [x, y, w, h] of r.regions) {
    const grown: Box = [
      (x - ox - w * context) * k,
      (y - oy - h * context) * k,
      w * (1 + 2 * context) * k,
      h * (1 + 2 * context) * k,
    ];
    const px = toPixels(grown, width, height);
    if (px) windows.push(px);
  }
  // Overlapping windows (a group of faces) become one: each pixel is looked at once, and a face between two regions
  // is whole in the merged window.
  const merged = mergeOverlapping(windows);
  const lo = r.faces[0] * k;
  const local = merged.map((window) => ({
    window,
    faces: [r1(lo), r1(Math.max(lo, Math.min(r.faces[1] * k, window[3])))] as [number, number],
  }));
  const plan: VerificationPlan = {
    local,
    covers: { local: [r1(r.faces[0]), r1(Math.min(r.faces[1], r.origin[3]))] },
  };
  if (r.wholeFrameFrom !== undefined) {
    const from = Math.max(lo, r.wholeFrameFrom);
    const to = Math.max(from, Math.min(r.faces[1] * k, height));
    plan.wholeFrame = { window: [0, 0, width, height], faces: [r1(from), r1(to)] };
    plan.covers.wholeFrame = [r1(from / k), r1(to / k)];
  }
  return plan;
}

function mergeOverlapping(boxes: readonly Box[]): Box[] {
  const out = boxes.map((b) => [...b] as Box);
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < out.length && !changed; i++)
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i]!;
        const b = out[j]!;
        if (intersection(a, b) <= 0) continue;
        const x0 = Math.min(a[0], b[0]);
        const y0 = Math.min(a[1], b[1]);
        out[i] = [x0, y0, Math.max(a[0] + a[2], b[0] + b[2]) - x0, Math.max(a[1] + a[3], b[1] + b[3]) - y0];
        out.splice(j, 1);
        changed = true;
        break;
      }
  }
  return out;
}

// Non-maximum suppression across anchors, strides, tiles and scales. A box mostly inside a better one is dropped
// too: tiles cut faces at their edges, and a partial face inside a whole one adds nothing to the redaction.
import { area, intersection, iou } from '../../core/box-geometry.js';
import type { Face } from '../../core/ports/face-detector.js';

export function nms(faces: readonly Face[], iouThreshold = 0.3, containThreshold = 0.8): Face[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept: Face[] = [];
  for (const f of sorted) {
    const a = area(f.box);
    const suppressed = kept.some(
      (k) => iou(k.box, f.box) > iouThreshold || (a > 0 && intersection(k.box, f.box) / a > containThreshold),
    );
    if (!suppressed) kept.push(f);
  }
  return kept;
}

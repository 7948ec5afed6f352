// Decides which pixels of a still are redacted: every detected face not matched by a keep box, grown by the
// margin, plus every reviewer-added box; and, for a subject crop, the window around the single kept face.
import { centre, contains, expand, iou, isValidBox, toPixels } from './box-geometry.js';
import type { Face } from './ports/face-detector.js';
import type { Box } from './redaction.js';
import { InvalidRedactionRequest } from './redaction-errors.js';

export interface PlanInput {
  width: number;
  height: number;
  faces: readonly Face[];
  keep: readonly Box[];
  extra: readonly Box[];
  margin: number;
  cropSubject: boolean;
  subjectCropMargin: number;
}

export interface RedactionPlan {
  /** Integer pixel boxes inside the image to make unrecognisable. */
  regions: Box[];
  keptFaces: number;
  redactedFaces: number;
  kept: Box[];
  crop?: Box;
}

/** A face belongs to a keep box when its centre lies inside it or they overlap well. */
export function matchesKeep(face: Box, keep: Box): boolean {
  return contains(keep, centre(face)) || iou(face, keep) >= 0.3;
}

export function planRedaction(p: PlanInput): RedactionPlan {
  const check = (b: Box, what: string): Box => {
    if (!isValidBox(b) || b.some((v) => v < 0))
      throw new InvalidRedactionRequest(`${what} box ${JSON.stringify(b)} is not x,y,w,h with w and h above 0`);
    const px = toPixels(b, p.width, p.height);
    if (!px)
      throw new InvalidRedactionRequest(`${what} box ${b.join(',')} lies outside the ${p.width}×${p.height} image`);
    return px;
  };
  const keep = p.keep.map((b) => check(b, 'keep'));
  const extra = p.extra.map((b) => check(b, 'extra'));
  if (p.cropSubject && keep.length !== 1)
    throw new InvalidRedactionRequest(`a subject crop needs exactly one keep box (the subject), got ${keep.length}`);
  const regions: Box[] = [];
  let keptFaces = 0;
  for (const f of p.faces) {
    if (keep.some((k) => matchesKeep(f.box, k))) {
      keptFaces++;
      continue;
    }
    const r = toPixels(expand(f.box, p.margin), p.width, p.height);
    if (r) regions.push(r);
  }
  regions.push(...extra);
  const plan: RedactionPlan = { regions, keptFaces, redactedFaces: p.faces.length - keptFaces, kept: keep };
  if (p.cropSubject && keep[0]) {
    const crop = toPixels(expand(keep[0], p.subjectCropMargin), p.width, p.height);
    if (crop) plan.crop = crop;
  }
  return plan;
}

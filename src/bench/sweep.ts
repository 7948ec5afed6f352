// The robustness sweep of `bench vision --sweep`: faces (drawn here, plus the checked faces of ../shared/media when
// present) resized to each face size, placed in frames of each size and degraded by each variant, with the box
// every face occupies. Generated in memory on demand; nothing of it is written to the repository.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import { coveredFraction, expand } from '../core/box-geometry.js';
import type { Face } from '../core/ports/face-detector.js';
import type { Box } from '../core/redaction.js';

export const SWEEP_FACE_SIZES = [12, 16, 20, 24, 32, 48, 64, 96, 128, 192, 256, 384] as const;
export const SWEEP_FRAMES = [
  [320, 240],
  [640, 480],
  [1280, 720],
  [1920, 1080],
  [2560, 1440],
  [3840, 2160],
] as const;
export const SWEEP_VARIANTS = [
  'plain',
  'ir-noise',
  'jpeg-q30',
  'blur-1.5',
  'rotate+25',
  'rotate-25',
  'mirror',
  'occlusion-30',
  'low-contrast',
] as const;
export type SweepVariant = (typeof SWEEP_VARIANTS)[number];

/** One face to place: an RGBA crop with context around it and the face box inside the crop. */
export interface FaceSource {
  name: string;
  png: Buffer;
  width: number;
  height: number;
  face: Box;
}

export interface SweepFrame {
  frame: [number, number];
  faceSize: number;
  variant: SweepVariant;
  image: Buffer;
  faces: { source: string; box: Box }[];
}

/** Deterministic pseudo-random numbers (mulberry32), so a sweep is the same every time it is generated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SKIN = ['#e0b090', '#c68c5a', '#8d5a3a', '#f1c9a5', '#5c3a22'];
const HAIR = ['#3a2a1e', '#111111', '#8a6a3a', '#bbbbbb', '#552211'];

/** Drawn faces (no person's likeness): five skin tones and hair colours, some with glasses, one turned a little. */
export async function drawnFaces(): Promise<FaceSource[]> {
  const out: FaceSource[] = [];
  for (let i = 0; i < 5; i++) {
    const turn = i === 3 ? 10 : 0;
    const glasses =
      i % 2 === 1
        ? `<g stroke="#222" stroke-width="3" fill="none"><circle cx="${-20 + turn}" cy="-2" r="13"/><circle cx="${20 + turn}" cy="-2" r="13"/><path d="M${-7 + turn},-2 h14"/></g>`
        : '';
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="220" height="260" viewBox="-110 -120 220 260">
<ellipse cx="0" cy="-10" rx="62" ry="78" fill="${HAIR[i]}"/>
<ellipse cx="${turn / 2}" cy="5" rx="50" ry="64" fill="${SKIN[i]}"/>
<path d="M-50,-25 Q0,-75 50,-25 L52,-45 Q0,-95 -52,-45 Z" fill="${HAIR[i]}"/>
<path d="M${-32 + turn},-14 q12,-7 24,0" stroke="#4a3020" stroke-width="4" fill="none"/>
<path d="M${8 + turn},-14 q12,-7 24,0" stroke="#4a3020" stroke-width="4" fill="none"/>
<ellipse cx="${-20 + turn}" cy="-2" rx="9" ry="5" fill="#fff"/><circle cx="${-20 + turn}" cy="-2" r="4" fill="#2a1a10"/>
<ellipse cx="${20 + turn}" cy="-2" rx="9" ry="5" fill="#fff"/><circle cx="${20 + turn}" cy="-2" r="4" fill="#2a1a10"/>
<path d="M${turn},0 L${-7 + turn},24 Q${turn},28 ${7 + turn},24" stroke="#00000040" stroke-width="3" fill="none"/>
<path d="M${-16 + turn},40 Q${turn},${i === 2 ? 40 : 48} ${16 + turn},40" stroke="#9a4a40" stroke-width="5" fill="none"/>
${glasses}
<rect x="-22" y="58" width="44" height="60" fill="${SKIN[i]}"/>
<path d="M-100,140 Q-90,100 -22,108 L22,108 Q90,100 100,140 Z" fill="#345"/>
</svg>`;
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    // Brows to chin, as the detectors box it: the drawing spans x −55…55, y −60…70 around (110, 120).
    out.push({ name: `drawn-${i}`, png, width: 220, height: 260, face: [55, 60, 110, 130] });
  }
  return out;
}

/** Checked faces of ../shared/media (faces.json), cropped with context; only faces large enough to shrink. */
export async function mediaFaces(mediaDir: string, minHeight = 30): Promise<FaceSource[]> {
  const truth = JSON.parse(readFileSync(join(mediaDir, 'faces.json'), 'utf8')) as { images: Record<string, Box[]> };
  const out: FaceSource[] = [];
  for (const [file, boxes] of Object.entries(truth.images)) {
    if (file.startsWith('exif-gps')) continue; // copies of other stills
    const img = sharp(readFileSync(join(mediaDir, file))).rotate();
    const meta = await img.metadata();
    const W = meta.autoOrient?.width ?? meta.width ?? 0;
    const H = meta.autoOrient?.height ?? meta.height ?? 0;
    for (const [k, b] of boxes.entries()) {
      if (b[3] < minHeight) continue;
      // Context of half a face on every side: hair, neck and background are part of what the detector sees.
      const left = Math.max(0, Math.round(b[0] - b[2] * 0.5));
      const top = Math.max(0, Math.round(b[1] - b[3] * 0.5));
      const right = Math.min(W, Math.round(b[0] + b[2] * 1.5));
      const bottom = Math.min(H, Math.round(b[1] + b[3] * 1.5));
      const png = await sharp(readFileSync(join(mediaDir, file)))
        .rotate()
        .extract({ left, top, width: right - left, height: bottom - top })
        .ensureAlpha()
        .png()
        .toBuffer();
      out.push({
        name: `${file.replace(/\.jpg$/, '')}#${k}`,
        png,
        width: right - left,
        height: bottom - top,
        face: [b[0] - left, b[1] - top, b[2], b[3]],
      });
    }
  }
  return out;
}

/** A busy, faceless background: gradient, shelves and noise, like a shop floor seen by CCTV. */
async function background(width: number, height: number, rand: () => number): Promise<Buffer> {
  const shelves = Array.from({ length: 8 }, () => {
    const x = Math.round(rand() * width);
    const y = Math.round(rand() * height);
    const w = Math.round((0.1 + rand() * 0.3) * width);
    const h = Math.round((0.02 + rand() * 0.08) * height);
    const c = Math.round(60 + rand() * 140);
    return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="rgb(${c},${c - 20},${c - 40})"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#9aa4ad"/><stop offset="1" stop-color="#5b5046"/></linearGradient></defs>
<rect width="${width}" height="${height}" fill="url(#g)"/>${shelves}</svg>`;
  return sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
}

function addNoise(raw: Buffer, sigma: number, rand: () => number, grey: boolean): void {
  for (let i = 0; i < raw.length; i += 3) {
    // Sum of uniforms ≈ Gaussian; one draw per pixel for greyscale (sensor noise in IR mode is luminance).
    const n = (rand() + rand() + rand() - 1.5) * 2 * sigma;
    if (grey) {
      const y = 0.299 * raw[i]! + 0.587 * raw[i + 1]! + 0.114 * raw[i + 2]! + n;
      const v = Math.max(0, Math.min(255, Math.round(y)));
      raw[i] = v;
      raw[i + 1] = v;
      raw[i + 2] = v;
    } else {
      for (let c = 0; c < 3; c++) raw[i + c] = Math.max(0, Math.min(255, Math.round(raw[i + c]! + n)));
    }
  }
}

/** Places one face, scaled so its box is `size` px high; returns the composite input and the face's true box. */
async function placed(
  src: FaceSource,
  size: number,
  variant: SweepVariant,
): Promise<{ input: Buffer; width: number; height: number; face: Box }> {
  const k = size / src.face[3];
  let w = Math.max(1, Math.round(src.width * k));
  let h = Math.max(1, Math.round(src.height * k));
  let img = sharp(src.png).resize(w, h, { fit: 'fill' });
  let face: Box = [src.face[0] * k, src.face[1] * k, src.face[2] * k, src.face[3] * k];
  if (variant === 'mirror') {
    img = sharp(await img.png().toBuffer()).flop();
    face = [w - face[0] - face[2], face[1], face[2], face[3]];
  }
  if (variant === 'rotate+25' || variant === 'rotate-25') {
    const deg = variant === 'rotate+25' ? 25 : -25;
    const r = (deg * Math.PI) / 180;
    const rotated = await sharp(await img.png().toBuffer())
      .rotate(deg, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer({ resolveWithObject: true });
    const [cx, cy] = [face[0] + face[2] / 2 - w / 2, face[1] + face[3] / 2 - h / 2];
    const nx = cx * Math.cos(r) - cy * Math.sin(r) + rotated.info.width / 2;
    const ny = cx * Math.sin(r) + cy * Math.cos(r) + rotated.info.height / 2;
    w = rotated.info.width;
    h = rotated.info.height;
    return { input: rotated.data, width: w, height: h, face: [nx - face[2] / 2, ny - face[3] / 2, face[2], face[3]] };
  }
  return { input: await img.png().toBuffer(), width: w, height: h, face };
}

/** The frames of one (frame size, face size, variant) cell: every source placed once, as many per frame as fit. */
export async function sweepCell(
  sources: readonly FaceSource[],
  frame: readonly [number, number],
  faceSize: number,
  variant: SweepVariant,
  seed = 1,
): Promise<SweepFrame[]> {
  const [W, H] = frame;
  if (faceSize > H * 0.8) return [];
  const rand = seeded(seed * 7919 + faceSize * 31 + W);
  const pieces = await Promise.all(sources.map((s) => placed(s, faceSize, variant)));
  const frames: SweepFrame[] = [];
  let next = 0;
  while (next < pieces.length) {
    const composites: OverlayOptions[] = [];
    const faces: SweepFrame['faces'] = [];
    // Shelf packing with a random start offset, so faces do not always sit on the same tile boundaries.
    let x = Math.round(rand() * faceSize * 0.5);
    let y = Math.round(rand() * faceSize * 0.5);
    let rowH = 0;
    while (next < pieces.length) {
      const p = pieces[next]!;
      const pw = Math.min(p.width, W);
      const ph = Math.min(p.height, H);
      if (x + pw > W) {
        x = Math.round(rand() * faceSize * 0.3);
        y += rowH + Math.round(rand() * faceSize * 0.3);
        rowH = 0;
      }
      if (y + ph > H) break;
      // A crop larger than the frame is cut around its face.
      const left = Math.max(0, Math.min(p.width - pw, Math.round(p.face[0] + p.face[2] / 2 - pw / 2)));
      const top = Math.max(0, Math.min(p.height - ph, Math.round(p.face[1] + p.face[3] / 2 - ph / 2)));
      const input =
        pw < p.width || ph < p.height
          ? await sharp(p.input).extract({ left, top, width: pw, height: ph }).png().toBuffer()
          : p.input;
      composites.push({ input, left: x, top: y });
      faces.push({
        source: sources[next]!.name,
        box: [x + p.face[0] - left, y + p.face[1] - top, p.face[2], p.face[3]],
      });
      x += pw + Math.round(rand() * faceSize * 0.3);
      rowH = Math.max(rowH, ph);
      next++;
    }
    if (composites.length === 0) break; // a piece that cannot fit at all
    const raw = await sharp(await background(W, H, rand), { raw: { width: W, height: H, channels: 3 } })
      .composite(composites)
      .removeAlpha()
      .raw()
      .toBuffer();
    if (variant === 'occlusion-30') {
      // A scarf or mask: the lower 30 % of every face box painted over.
      for (const f of faces) {
        const [bx, by, bw, bh] = f.box.map(Math.round) as Box;
        for (let yy = Math.max(0, by + Math.round(bh * 0.7)); yy < Math.min(H, by + bh); yy++)
          for (let xx = Math.max(0, bx); xx < Math.min(W, bx + bw); xx++)
            raw.fill(70, (yy * W + xx) * 3, (yy * W + xx) * 3 + 3);
      }
    }
    if (variant === 'ir-noise') addNoise(raw, 14, rand, true);
    let out = sharp(raw, { raw: { width: W, height: H, channels: 3 } });
    if (variant === 'blur-1.5') out = out.blur(1.5);
    if (variant === 'low-contrast') out = out.linear(0.35, 128 * 0.65);
    const image = await out.jpeg({ quality: variant === 'jpeg-q30' ? 30 : 90 }).toBuffer();
    frames.push({ frame: [W, H], faceSize, variant, image, faces });
  }
  return frames;
}

/** A true face counts as found when ≥ 90 % of its box lies inside the detections grown by the redaction margin. */
export function foundFaces(truth: readonly Box[], detected: readonly Face[], margin: number): boolean[] {
  const regions = detected.map((f) => expand(f.box, margin));
  return truth.map((b) => coveredFraction(b, regions) >= 0.9);
}

export interface SweepCellResult {
  frame: string;
  faceSize: number;
  variant: SweepVariant;
  found: number;
  faces: number;
}

export interface SweepResult {
  cells: SweepCellResult[];
  /** Recall by face size (rows) × frame (columns), all variants together. */
  bySizeAndFrame: Record<string, Record<string, number | null>>;
  byVariant: Record<string, number | null>;
  /** Recall over every face of at least 20 px, plain variant, per frame: the "sees CCTV faces" target. */
  plainFrom20: Record<string, number | null>;
  overall: number | null;
  misses: { frame: string; faceSize: number; variant: SweepVariant; source: string }[];
}

const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 1000 : null);

/** Runs `detect` over every cell of the sweep and tallies recall; frames are generated one cell at a time. */
export async function runSweep(
  sources: readonly FaceSource[],
  detect: (image: Buffer) => Promise<Face[]>,
  options: {
    sizes: readonly number[];
    frames: readonly (readonly [number, number])[];
    variants: readonly SweepVariant[];
    margin: number;
    progress?: (line: string) => void;
  },
): Promise<SweepResult> {
  const cells: SweepCellResult[] = [];
  const misses: SweepResult['misses'] = [];
  for (const frame of options.frames) {
    for (const faceSize of options.sizes) {
      for (const variant of options.variants) {
        let found = 0;
        let faces = 0;
        for (const f of await sweepCell(sources, frame, faceSize, variant)) {
          const hits = foundFaces(
            f.faces.map((x) => x.box),
            await detect(f.image),
            options.margin,
          );
          hits.forEach((h, i) => {
            if (!h) misses.push({ frame: `${frame[0]}x${frame[1]}`, faceSize, variant, source: f.faces[i]!.source });
          });
          found += hits.filter(Boolean).length;
          faces += hits.length;
        }
        if (faces) cells.push({ frame: `${frame[0]}x${frame[1]}`, faceSize, variant, found, faces });
      }
      options.progress?.(`  ${frame[0]}×${frame[1]} faces ${faceSize} px done`);
    }
  }
  const sum = (xs: SweepCellResult[]) =>
    ratio(
      xs.reduce((s, c) => s + c.found, 0),
      xs.reduce((s, c) => s + c.faces, 0),
    );
  const bySizeAndFrame: SweepResult['bySizeAndFrame'] = {};
  for (const size of options.sizes) {
    const row: Record<string, number | null> = {};
    for (const [w, h] of options.frames)
      row[`${w}x${h}`] = sum(cells.filter((c) => c.faceSize === size && c.frame === `${w}x${h}`));
    bySizeAndFrame[String(size)] = row;
  }
  const byVariant: SweepResult['byVariant'] = {};
  for (const v of options.variants) byVariant[v] = sum(cells.filter((c) => c.variant === v));
  const plainFrom20: SweepResult['plainFrom20'] = {};
  for (const [w, h] of options.frames)
    plainFrom20[`${w}x${h}`] = sum(
      cells.filter((c) => c.frame === `${w}x${h}` && c.variant === 'plain' && c.faceSize >= 20),
    );
  return { cells, bySizeAndFrame, byVariant, plainFrom20, overall: sum(cells), misses };
}

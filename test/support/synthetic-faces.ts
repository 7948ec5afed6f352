// Test stills the project draws itself: cartoon faces (SVG rendered by sharp) that BlazeFace and YuNet both detect
// with scores around 0.9, on a plain or noisy background, with the box each face occupies.
import sharp from 'sharp';
import type { Box } from '../../src/core/redaction.js';

export interface FaceSpec {
  cx: number;
  cy: number;
  /** 1 = a face about 100×130 px. */
  scale: number;
}

function faceSvg({ cx, cy, scale }: FaceSpec): string {
  return `<g transform="translate(${cx},${cy}) scale(${scale})">
  <ellipse cx="0" cy="-10" rx="62" ry="78" fill="#3a2a1e"/>
  <ellipse cx="0" cy="5" rx="50" ry="64" fill="#e0b090"/>
  <ellipse cx="-50" cy="8" rx="8" ry="14" fill="#d09a7a"/>
  <ellipse cx="50" cy="8" rx="8" ry="14" fill="#d09a7a"/>
  <path d="M-50,-25 Q0,-75 50,-25 L52,-45 Q0,-95 -52,-45 Z" fill="#3a2a1e"/>
  <path d="M-32,-14 q12,-7 24,0" stroke="#4a3020" stroke-width="4" fill="none"/>
  <path d="M8,-14 q12,-7 24,0" stroke="#4a3020" stroke-width="4" fill="none"/>
  <ellipse cx="-20" cy="-2" rx="9" ry="5" fill="#fff"/><circle cx="-20" cy="-2" r="4" fill="#2a1a10"/>
  <ellipse cx="20" cy="-2" rx="9" ry="5" fill="#fff"/><circle cx="20" cy="-2" r="4" fill="#2a1a10"/>
  <path d="M0,0 L-7,24 Q0,28 7,24" stroke="#b07a5a" stroke-width="3" fill="#d8a585"/>
  <path d="M-16,40 Q0,48 16,40" stroke="#9a4a40" stroke-width="5" fill="none"/>
  <rect x="-22" y="58" width="44" height="40" fill="#e0b090"/>
</g>`;
}

/** The face's skin and hair, brows to chin, as a detector would box it. */
export function faceBox({ cx, cy, scale }: FaceSpec): Box {
  return [cx - 55 * scale, cy - 60 * scale, 110 * scale, 130 * scale];
}

export const TRIO: FaceSpec[] = [
  { cx: 200, cy: 250, scale: 1.2 },
  { cx: 500, cy: 230, scale: 0.8 },
  { cx: 760, cy: 280, scale: 0.45 },
];

export async function syntheticStill(
  options: { width?: number; height?: number; faces?: FaceSpec[]; format?: 'jpeg' | 'png' } = {},
): Promise<{ image: Buffer; boxes: Box[]; width: number; height: number }> {
  const width = options.width ?? 960;
  const height = options.height ?? 540;
  const faces = options.faces ?? TRIO;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect width="${width}" height="${height}" fill="#8a9aa8"/>
<rect x="0" y="${height * 0.8}" width="${width}" height="${height * 0.2}" fill="#6b5a4a"/>
${faces.map(faceSvg).join('\n')}
</svg>`;
  const p = sharp(Buffer.from(svg)).blur(1.2);
  const image = options.format === 'png' ? await p.png().toBuffer() : await p.jpeg({ quality: 90 }).toBuffer();
  return { image, boxes: faces.map(faceBox), width, height };
}

/** Gaussian noise: every pixel differs from its neighbours, so any change inside a box is visible. */
export async function noiseStill(width: number, height: number, format: 'jpeg' | 'png' = 'png'): Promise<Buffer> {
  const p = sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 50 } },
  });
  return format === 'png' ? p.png().toBuffer() : p.jpeg({ quality: 90 }).toBuffer();
}

/** Decoded RGB pixels of an encoded still. */
export async function pixels(image: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

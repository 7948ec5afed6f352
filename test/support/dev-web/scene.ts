// Synthetic CCTV-like stills for the demo and tests: a shop aisle drawn as SVG with a few people whose face
// boxes are known, so redaction and the review page can be exercised without a camera or a model.
import sharp from 'sharp';
import type { Box } from '../../../src/core/redaction.js';

export interface SyntheticStill {
  bytes: Buffer;
  width: number;
  height: number;
  faces: Box[];
}

const SKIN = ['#f1c27d', '#c68642', '#8d5524', '#e0ac69', '#ffdbac'];
const CLOTHES = ['#2f4b7c', '#a05195', '#d45087', '#665191', '#ff7c43', '#003f5c'];

/** A deterministic still: `seed` moves the people, so a sequence of seeds looks like a few frames. */
export async function syntheticStill(seed: number, width = 960, height = 540): Promise<SyntheticStill> {
  const people = 3;
  const faces: Box[] = [];
  let figures = '';
  for (let i = 0; i < people; i++) {
    const scale = 0.75 + ((i * 37) % 5) * 0.08;
    const headW = Math.round(56 * scale);
    const headH = Math.round(70 * scale);
    const cx = Math.round(((i + 0.6) * width) / (people + 0.4) + ((seed * (i + 2) * 13) % 60) - 30);
    const top = Math.round(height * 0.28 + ((i * 53) % 40));
    faces.push([cx - headW / 2, top, headW, headH].map(Math.round) as Box);
    const skin = SKIN[(i + seed) % SKIN.length];
    const cloth = CLOTHES[(i * 2 + seed) % CLOTHES.length];
    figures += `
      <rect x="${cx - headW}" y="${top + headH + 4}" width="${headW * 2}" height="${height - top - headH}" rx="${headW / 2}" fill="${cloth}"/>
      <ellipse cx="${cx}" cy="${top + headH / 2}" rx="${headW / 2}" ry="${headH / 2}" fill="${skin}"/>
      <ellipse cx="${cx - headW * 0.18}" cy="${top + headH * 0.42}" rx="${headW * 0.07}" ry="${headH * 0.05}" fill="#222"/>
      <ellipse cx="${cx + headW * 0.18}" cy="${top + headH * 0.42}" rx="${headW * 0.07}" ry="${headH * 0.05}" fill="#222"/>
      <path d="M ${cx - headW * 0.16} ${top + headH * 0.7} Q ${cx} ${top + headH * 0.8} ${cx + headW * 0.16} ${top + headH * 0.7}" stroke="#6b2e2e" stroke-width="3" fill="none"/>
      <path d="M ${cx - headW / 2} ${top + headH * 0.3} Q ${cx} ${top - headH * 0.15} ${cx + headW / 2} ${top + headH * 0.3}" fill="#3b2a1a"/>`;
  }
  const shelves = Array.from({ length: 5 }, (_, k) => {
    const y = 40 + k * 60;
    const items = Array.from(
      { length: 14 },
      (_, j) =>
        `<rect x="${20 + j * 66}" y="${y - 34}" width="50" height="34" fill="${CLOTHES[(j + k) % CLOTHES.length]}" opacity="0.55"/>`,
    ).join('');
    return `<rect x="0" y="${y}" width="${width}" height="8" fill="#8b8f94"/>${items}`;
  }).join('');
  const stamp = `2026-11-23 14:0${seed % 10}:${String(10 + seed * 3).slice(-2)}  CAM 1`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="${width}" height="${height}" fill="#c9ccd1"/>
    <rect y="${height * 0.72}" width="${width}" height="${height * 0.28}" fill="#9aa0a6"/>
    ${shelves}${figures}
    <text x="12" y="${height - 14}" font-family="monospace" font-size="20" fill="#fff">${stamp}</text>
  </svg>`;
  const bytes = await sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
  return { bytes, width, height, faces };
}

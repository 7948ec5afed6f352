// The demo's camera footage: a few cartoon shoppers (SVG drawn with sharp) whose faces the real face detector
// finds, moving slowly across a shop aisle, encoded with ffmpeg into an H.264 clip the NVR emulator plays.
// Made once and kept in the demo's data dir.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { AppError } from '../core/errors.js';

const run = promisify(execFile);
const WIDTH = 960;
const HEIGHT = 540;
const FRAMES = 12;
const SKIN = ['#e0b090', '#c68642', '#f1c27d'];
const HAIR = ['#3a2a1e', '#1e1a18', '#7a4a20'];

/** One cartoon shopper (face the real detector finds, hair, body) as SVG, centred on the face at (cx, cy). */
export function face(cx: number, cy: number, scale: number, k: number): string {
  const skin = SKIN[k % SKIN.length];
  const hair = HAIR[k % HAIR.length];
  return `<g transform="translate(${cx},${cy}) scale(${scale})">
  <rect x="-70" y="90" width="140" height="260" rx="40" fill="${['#2f4b7c', '#a05195', '#ff7c43'][k % 3]}"/>
  <ellipse cx="0" cy="-10" rx="62" ry="78" fill="${hair}"/>
  <ellipse cx="0" cy="5" rx="50" ry="64" fill="${skin}"/>
  <path d="M-50,-25 Q0,-75 50,-25 L52,-45 Q0,-95 -52,-45 Z" fill="${hair}"/>
  <path d="M-32,-14 q12,-7 24,0" stroke="#4a3020" stroke-width="4" fill="none"/>
  <path d="M8,-14 q12,-7 24,0" stroke="#4a3020" stroke-width="4" fill="none"/>
  <ellipse cx="-20" cy="-2" rx="9" ry="5" fill="#fff"/><circle cx="-20" cy="-2" r="4" fill="#2a1a10"/>
  <ellipse cx="20" cy="-2" rx="9" ry="5" fill="#fff"/><circle cx="20" cy="-2" r="4" fill="#2a1a10"/>
  <path d="M0,0 L-7,24 Q0,28 7,24" stroke="#b07a5a" stroke-width="3" fill="none"/>
  <path d="M-16,40 Q0,48 16,40" stroke="#9a4a40" stroke-width="5" fill="none"/>
  <rect x="-22" y="58" width="44" height="34" fill="${skin}"/>
</g>`;
}

async function frame(i: number): Promise<Buffer> {
  const t = i / FRAMES;
  const people = [
    face(200 + t * 120, 230, 1.1, 0),
    face(520 - t * 60, 210, 0.85, 1),
    face(780 - t * 140, 250, 0.75, 2),
  ].join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">
  <rect width="${WIDTH}" height="${HEIGHT}" fill="#c9c4b8"/>
  <rect y="${HEIGHT * 0.72}" width="${WIDTH}" height="${HEIGHT * 0.28}" fill="#8e8a80"/>
  <rect x="20" y="40" width="120" height="300" fill="#6d8fa8"/><rect x="${WIDTH - 140}" y="40" width="120" height="300" fill="#a8876d"/>
  ${people}
  <text x="20" y="${HEIGHT - 16}" font-family="monospace" font-size="20" fill="#fff">DEMO CAM</text>
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** The clip's path in `dir`, made on first use (about a second of CPU). */
export async function demoClip(dir: string): Promise<string> {
  const file = join(dir, 'demo-shop-v1.mp4');
  if (existsSync(file)) return file;
  const work = join(dir, `frames-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    for (let i = 0; i < FRAMES; i++)
      await sharp(await frame(i)).toFile(join(work, `f${String(i).padStart(2, '0')}.png`));
    const tmp = `${file}.${process.pid}.mp4`;
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-framerate',
      '1',
      '-i',
      join(work, 'f%02d.png'),
      '-vf',
      'fps=15,format=yuv420p',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      '15',
      '-movflags',
      '+faststart',
      '-y',
      tmp,
    ]);
    renameSync(tmp, file);
    return file;
  } catch (e) {
    throw new AppError('demo-media', `ffmpeg could not make the demo clip: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

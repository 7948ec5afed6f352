// Project-made footage for clip tests and `bench clip`: cartoon shoppers the real detector finds (demo/clip.ts)
// walking across an aisle at known speeds, one of them behind a pillar for a while, encoded with ffmpeg as H.264.
// The true face box of every person at any time is known, so a test can check the pixels where each face is.
import { spawn } from 'node:child_process';
import sharp from 'sharp';
import type { Box } from '../core/redaction.js';
import { face } from '../demo/clip.js';

export interface Walker {
  /** Face centre at t = 0 (pixels of the source), speed in pixels per second, drawing scale. */
  x: number;
  y: number;
  vx: number;
  vy: number;
  scale: number;
}

export interface ClipScene {
  width: number;
  height: number;
  fps: number;
  seconds: number;
  walkers: Walker[];
  /** A pillar in front of everyone: [x, width] in pixels, full height. */
  pillar?: [number, number];
}

/** Three shoppers on a 1280x720 aisle: a slow one, one passing behind the pillar, a fast one. */
export function aisleScene(
  seconds = 6,
  size: { width: number; height: number } = { width: 1280, height: 720 },
): ClipScene {
  const k = size.width / 1280;
  return {
    width: size.width,
    height: size.height,
    fps: 16,
    seconds,
    walkers: [
      { x: 200 * k, y: 250 * k, vx: 50 * k, vy: 0, scale: 1.0 * k },
      { x: 1050 * k, y: 240 * k, vx: -110 * k, vy: 0, scale: 0.8 * k },
      { x: 150 * k, y: 470 * k, vx: 140 * k, vy: -8 * k, scale: 0.65 * k },
    ],
    pillar: [600 * k, 110 * k],
  };
}

/** Where walker `w` is at `t` seconds, and its face box (the drawn face ellipse, hair excluded). */
export function faceBoxAt(w: Walker, t: number): Box {
  const cx = w.x + w.vx * t;
  const cy = w.y + w.vy * t;
  return [cx - 50 * w.scale, cy + (5 - 64) * w.scale, 100 * w.scale, 128 * w.scale];
}

/** True when the pillar hides most of the face at `t`. */
export function hidden(scene: ClipScene, w: Walker, t: number): boolean {
  if (!scene.pillar) return false;
  const [x, y, bw] = faceBoxAt(w, t);
  void y;
  const [px, pw] = scene.pillar;
  const overlap = Math.max(0, Math.min(x + bw, px + pw) - Math.max(x, px));
  return overlap > 0.3 * bw;
}

function svg(scene: ClipScene, t: number): string {
  const { width: W, height: H } = scene;
  const k = W / 960;
  const people = scene.walkers.map((w, i) => face(w.x + w.vx * t, w.y + w.vy * t, w.scale, i)).join('');
  const pillar = scene.pillar
    ? `<rect x="${scene.pillar[0]}" y="0" width="${scene.pillar[1]}" height="${H}" fill="#5a6470"/>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
  <rect width="${W}" height="${H}" fill="#c9c4b8"/>
  <rect y="${H * 0.72}" width="${W}" height="${H * 0.28}" fill="#8e8a80"/>
  <rect x="${20 * k}" y="${40 * k}" width="${120 * k}" height="${300 * k}" fill="#6d8fa8"/>
  ${people}${pillar}
</svg>`;
}

/** Renders the scene to an H.264 MP4 at `out` (frames piped as raw RGB, nothing on disk but the clip). */
export async function writeScene(scene: ClipScene, out: string): Promise<void> {
  const n = Math.round(scene.seconds * scene.fps);
  const child = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${scene.width}x${scene.height}`,
      '-r',
      String(scene.fps),
      '-i',
      'pipe:0',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-g',
      String(scene.fps),
      '-y',
      out,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const done = new Promise<number | null>((r) => child.once('close', r));
  for (let i = 0; i < n; i++) {
    const raw = await sharp(Buffer.from(svg(scene, i / scene.fps)))
      .removeAlpha()
      .raw()
      .toBuffer();
    if (!child.stdin.write(raw)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  const code = await done;
  if (code !== 0) throw new Error(`ffmpeg could not write the test scene: ${err.trim().split('\n').at(-1)}`);
}

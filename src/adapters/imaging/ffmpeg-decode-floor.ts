// The floor for the vision benchmark: how long ffmpeg itself takes to decode a JPEG. One run of 1 frame and one of
// 21 frames of the looped still; the difference divided by 20 leaves out process start-up.
import { execFile } from 'node:child_process';

function rtime(file: string, frames: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostats',
        '-benchmark',
        '-loop',
        '1',
        '-i',
        file,
        '-frames:v',
        String(frames),
        '-f',
        'null',
        '-',
      ],
      { timeout: 30_000 },
      (err, _stdout, stderr) => {
        const m = /rtime=([\d.]+)s/.exec(stderr);
        if (err || !m) reject(new Error(`ffmpeg could not decode ${file}${err ? `: ${err.message}` : ''}`));
        else resolve(Number(m[1]) * 1000);
      },
    );
  });
}

/** Milliseconds ffmpeg needs to decode one frame of the JPEG file (median of `repeats`). */
export async function ffmpegDecodeMs(file: string, repeats = 3): Promise<number> {
  const per: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const one = await rtime(file, 1);
    const many = await rtime(file, 21);
    per.push(Math.max(0, (many - one) / 20));
  }
  per.sort((a, b) => a - b);
  return Math.round((per[Math.floor(per.length / 2)] ?? Number.NaN) * 10) / 10;
}

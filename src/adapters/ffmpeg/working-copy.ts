// The police export's working copy: an MP4 with H.264 video made from the master with ffmpeg. An H.264 master is
// only re-wrapped (stream copy into MP4, so the pictures are the recorder's); anything else (H.265, MJPEG) is
// re-encoded to H.264. Either way it is a named working copy; the master itself is never touched.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AppError } from '../../core/errors.js';
import type { WorkingCopyMaker } from '../../core/ports/evidence-masters.js';
import { probeMedia } from './probe.js';

const run = promisify(execFile);

export const ffmpegWorkingCopy: WorkingCopyMaker = {
  async make(master: string, out: string) {
    let codec: string;
    try {
      codec = (await probeMedia(master)).codec;
    } catch (e) {
      throw new AppError('working-copy', `ffprobe cannot read the master: ${(e as Error).message.split('\n')[0]}`);
    }
    const remux = codec === 'h264';
    const video = remux
      ? ['-c:v', 'copy']
      : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p'];
    try {
      await run('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-fflags',
        '+genpts',
        '-i',
        master,
        '-map',
        '0:v:0',
        ...video,
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        '-n',
        out,
      ]);
    } catch (e) {
      throw new AppError(
        'working-copy',
        `ffmpeg could not make the working copy: ${(e as Error).message.split('\n').slice(-2).join(' ')}`,
      );
    }
    return { how: remux ? 'remux' : 're-encode', sourceCodec: codec || 'unknown' };
  },
};

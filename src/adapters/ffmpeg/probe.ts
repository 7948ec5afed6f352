// What a media file holds, as ffprobe reads it (through fluent-ffmpeg): the first video stream and the container.
// One reader for the police working copy, the emulator's media, the evidence bench and the tests.
import ffmpeg from 'fluent-ffmpeg';
import { AppError } from '../../core/errors.js';

export interface MediaInfo {
  /** The first video stream's codec ('h264', 'hevc', 'mjpeg', …); '' when the file has no video. */
  codec: string;
  width: number;
  height: number;
  /** The container's duration in seconds (NaN when it does not say). */
  duration: number;
  /** The container's format name(s), as ffprobe gives them ('mov,mp4,m4a,3gp,3g2,mj2', 'mpegts'). */
  format: string;
}

export function probeMedia(file: string): Promise<MediaInfo> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(file, (err, data) => {
      if (err) {
        reject(new AppError('media-unreadable', `ffprobe cannot read ${file}: ${String(err.message).split('\n')[0]}`));
        return;
      }
      const video = data.streams.find((s) => s.codec_type === 'video');
      resolve({
        codec: video?.codec_name ?? '',
        width: video?.width ?? 0,
        height: video?.height ?? 0,
        duration: Number(data.format.duration),
        format: data.format.format_name ?? '',
      });
    });
  });
}

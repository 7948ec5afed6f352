// Port: the recorder's own recorded footage, as bytes (never frames). The Hikvision adapter searches its archive,
// downloads the segment with the recorder's export, or copies the RTSP playback stream for the window without
// re-encoding when the download is refused. Errors are NvrError values; every call is bounded.
import type { RecorderClockReading } from './frame-source.js';

/** A recorded segment the recorder reports for a search, in the recorder's own time. */
export interface FootageSegment {
  startTime: Date;
  /** Where the recording ends on disk now: it moves on while the recorder is still writing. */
  endTime: Date;
  playbackUri: string;
}

/** What the recorder says about itself, for the continuity record and the witness statement. */
export interface RecorderIdentity {
  make: string;
  model: string;
  firmware: string;
  serial: string;
}

/** Footage arriving: the bytes exactly as they come, with the name and container the recorder gave. */
export interface FootageStream {
  /** The recorder's file name (Content-Disposition), or one made in the recorder's style. */
  name: string;
  container: 'mp4' | 'ps' | 'mpegts' | 'unknown';
  /** The Content-Length the recorder announced (null: not announced). */
  declaredBytes: number | null;
  chunks: AsyncIterable<Uint8Array>;
  /**
   * Seconds of footage passed so far, when the source can tell from the container's own timestamps (ffmpeg's
   * progress for an RTSP copy); absent or null: the acquisition estimates it from the bytes announced.
   */
  position?: () => number | null;
}

export interface RecorderFootage {
  identity(): Promise<RecorderIdentity>;
  clock(): Promise<RecorderClockReading>;
  /** Segments of `camera` overlapping [from, to] (recorder time); empty when nothing is held. */
  search(camera: number, from: Date, to: Date): Promise<FootageSegment[]>;
  /** The recorder's own export of [from, to] of the segment. Throws NvrError (status 403 when refused). */
  download(camera: number, segment: FootageSegment, from: Date, to: Date): Promise<FootageStream>;
  /** RTSP playback of [from, to] copied without re-encoding (ffmpeg -c copy). */
  playbackCopy(camera: number, from: Date, to: Date): Promise<FootageStream>;
}

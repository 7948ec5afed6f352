// Port: decoded video in and out as raw RGB frames, one at a time, for the clip maker. The ffmpeg adapter
// (adapters/ffmpeg/raw-video.ts) implements both ends with pipes, so no frame is written to disk as an image and
// only a small window of frames is ever in memory.

/** Frames of one clip: all the same size, RGB, 3 bytes a pixel, row-major, no padding. */
export interface RawVideoIn {
  /** Known once the first frame is ready. */
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  frames(): AsyncIterable<Uint8Array>;
  /** Stops the decoder early (the caller is done or failed). */
  close(): Promise<void>;
}

export interface RawVideoOut {
  /** Resolves when the encoder can take the next frame (backpressure). */
  write(frame: Uint8Array): Promise<void>;
  /** Ends the stream; resolves with the encoded file's size once the encoder has finished it. */
  finish(): Promise<{ bytes: number }>;
  /** Abandons the output (a failed clip leaves no half-written file). */
  abort(): Promise<void>;
}

/** Where a clip's frames come from: a file, a pipe of bytes, or a recorder's RTSP URL (kept inside the adapter). */
export type VideoInput =
  | { kind: 'file'; path: string }
  | { kind: 'bytes'; data: Buffer }
  | { kind: 'url'; url: string };

export interface DecodeRequest {
  input: VideoInput;
  /** Output frame rate. */
  fps: number;
  /** Frames are scaled down (never up) so the longer side is at most this. */
  maxSide: number;
  /** Seconds into the input to start, and how many seconds to take (both optional). */
  startSeconds?: number;
  durationSeconds?: number;
}

export interface EncodeRequest {
  width: number;
  height: number;
  fps: number;
  /** Where the MP4 goes. */
  path: string;
}

export interface VideoCodec {
  decode(req: DecodeRequest): Promise<RawVideoIn>;
  encode(req: EncodeRequest): Promise<RawVideoOut>;
}

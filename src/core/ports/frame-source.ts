// Port: where stills come from. The Hikvision adapter (ISAPI snapshot + RTSP live/playback through ffmpeg), the
// bare-RTSP adapter and the fake implement it; one contract suite (test/contract/frame-source.test.ts) runs on all.
// Failures are NvrError values (unreachable, auth, no recording, no frames), never a hang: every call is bounded.

export type FrameOrigin = 'snapshot' | 'live' | 'playback';

export interface Frame {
  /** A decodable JPEG. */
  jpeg: Buffer;
  origin: FrameOrigin;
  /** When the frame shows, as far as the source knows (the request time for playback, arrival time for live). */
  at: Date;
}

export interface FrameSource {
  /** The quickest single still of the camera now. */
  snapshot(camera: number): Promise<Frame>;
  /** `count` frames from the live stream, about `intervalMs` apart; `onFrame` sees each as it arrives. */
  live(camera: number, count: number, intervalMs: number, onFrame?: (f: Frame) => void): Promise<Frame[]>;
  /** `count` frames spread over the recorded window [from, to]. Throws nvr-no-recording when nothing is held. */
  playback(camera: number, from: Date, to: Date, count: number, onFrame?: (f: Frame) => void): Promise<Frame[]>;
}

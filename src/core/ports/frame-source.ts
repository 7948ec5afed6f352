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

/** The recorder's clock against the appliance's: offsetMs > 0 means the recorder runs ahead. */
export interface RecorderClockReading {
  offsetMs: number;
  source: 'isapi' | 'onvif';
  /** The recorder's time, as UTC. */
  recorderTime: string;
  /** The appliance's time at the middle of the request. */
  readAt: string;
  roundTripMs: number;
  /** As the recorder states it (POSIX TZ string, or empty). */
  timeZone: string;
}

export interface FrameSource {
  /** The quickest single still of the camera now. */
  snapshot(camera: number): Promise<Frame>;
  /** `count` frames from the live stream, about `intervalMs` apart; `onFrame` sees each as it arrives. */
  live(camera: number, count: number, intervalMs: number, onFrame?: (f: Frame) => void): Promise<Frame[]>;
  /** `count` frames spread over the recorded window [from, to]. Throws nvr-no-recording when nothing is held. */
  playback(camera: number, from: Date, to: Date, count: number, onFrame?: (f: Frame) => void): Promise<Frame[]>;
  /**
   * Reads the recorder's clock and remembers the offset, so later playback asks for the recorder's own times and
   * returns frames stamped in the appliance's time. Sources without a recorder clock leave it out.
   */
  recorderClock?(): Promise<RecorderClockReading>;
}

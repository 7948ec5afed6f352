// Ports of the clips feature: where an incident's footage comes from (ClipSource: the recorder's playback today,
// the sealed native master once the evidence part provides one) and where a made clip's record lives (ClipStore).
import type { Box } from '../redaction.js';
import type { VideoInput } from './video.js';

export interface ClipSource {
  /** The recorded video of `camera` over [from, to] in the appliance's time (credentials stay in the adapter). */
  window(camera: number, from: Date, to: Date): Promise<VideoInput>;
}

/** One incident's redacted clip, as stored (the MP4 itself is an encrypted file). */
export interface StoredClip {
  incidentId: string;
  status: 'made' | 'failed';
  /** Why it failed, in words for the review page. */
  reason: string | null;
  file: string | null;
  keyId: string | null;
  sha256: string | null;
  bytes: number;
  frames: number;
  fps: number;
  width: number;
  height: number;
  /** Where the window starts, in seconds before the trigger (the clip's second 0). */
  preSeconds: number;
  /** Tracks kept visible (empty: every face filled). */
  subjectTracks: number[];
  /** Frame runs where the subject was lost, and tracks that may be the subject again (review warns on these). */
  lost: [number, number][];
  candidates: { track: number; frame: number; box: Box }[];
  /** What the redaction did (no boxes): for the packet's clip entry. Absent on failed clips and older records. */
  redaction?: {
    facesTracked: number;
    facesFilled: number;
    extraBoxes: number;
    model: { id: string; sha256: string };
    framesChecked: number;
    facesRepaired: number;
  };
  /** The reviewer's picks and boxes this clip was made with (absent on the first, all-filled make). */
  choice?: ClipChoice;
  madeAt: string;
}

/** What the reviewer chose on the clip: subject picks (clip pixels, seconds) and boxes filled over a time range. */
export interface ClipChoice {
  picks: readonly { box: Box; atSeconds: number }[];
  extra?: readonly { box: Box; fromSeconds: number; toSeconds: number; toBox?: Box }[];
}

export interface ClipStore {
  save(clip: StoredClip, analysis: string): void;
  get(incidentId: string): StoredClip | undefined;
  /** The tracker's output for the clip (JSON), to render it again for a chosen subject without detecting again. */
  analysis(incidentId: string): string | undefined;
}

/** The clip a packet carries: the verified MP4 and what its manifest entry says (bcrp-packet/2). */
export interface ClipForPacket {
  entry: {
    width: number;
    height: number;
    fps: number;
    durationSeconds: number;
    startTime?: string;
    sha256: string;
    redaction: {
      facesTracked: number;
      facesFilled: number;
      facesKept: number;
      extraBoxes: number;
      model: { id: string; sha256: string };
      mode: 'solid';
      verification: { result: 'verified'; framesChecked: number; facesRepaired: number };
    };
  };
  bytes: Buffer;
}

/** What the web's review page uses of the clips feature. */
export interface ClipReview {
  get(incidentId: string): StoredClip | undefined;
  /** The MP4 bytes, or undefined when no clip was made. */
  bytes(incidentId: string): Buffer | undefined;
  choose(incidentId: string, choice: ClipChoice, actor: string): Promise<StoredClip>;
  /**
   * Whether the clip is likely to travel in the packet: its size once base64-encoded, signed (and encrypted) against
   * hub.maxPacketBytes, keeping a fifth of the room for the stills. The packet decides for certain when it is sealed.
   */
  packetFit(clip: StoredClip): { fits: boolean; estimateBytes: number; limitBytes: number } | undefined;
  /** Calls `listener` with the incident's id whenever its clip record changes (made, remade, failed). */
  onChange(listener: (incidentId: string) => void): () => void;
}

/** Clips in a subject access answer: the incident's clip made again with only the requester's face visible. */
export interface RequesterClips {
  /**
   * The clip of `incidentId` with every face filled except the requester's (matched from their box on a still of the
   * incident); without `requester`, or when their face is not tracked in the clip, every face is filled. Undefined
   * when the incident has no clip; `{reason}` when it could not be made (the answer then says so).
   */
  forRequester(
    incidentId: string,
    requester?: { box: Box; width: number; height: number; capturedAt: string },
  ): Promise<
    | { bytes: Buffer; requesterShown: boolean; facesFilled: number; durationSeconds: number }
    | { reason: string }
    | undefined
  >;
}

// Wires redacted clips into the running appliance: once an incident's stills are checked (the `redacted` event,
// so review opens first), its clip is made from the recorder's playback of the incident window, one clip at a time
// (a 2-core box). The module loads its own detector session at start and fails closed without it.
import { FfmpegVideo } from '../adapters/ffmpeg/raw-video.js';
import { SqliteClips } from '../adapters/store/sqlite-clips.js';
import type { ClipSource } from '../core/ports/clips.js';
import type { FaceDetector } from '../core/ports/face-detector.js';
import type { FrameSource } from '../core/ports/frame-source.js';
import type { IncidentRepository } from '../core/ports/incidents.js';
import { ClipMaker } from '../services/clips/clip-maker.js';
import { ClipService } from '../services/clips/clip-service.js';
import type { App } from './create-app.js';
import type { Module } from './lifecycle.js';
import type { RecorderPart } from './recorder-module.js';
import { createDetectorFromConfig } from './redaction.js';
import type { Wiring } from './wiring.js';

/** A frame source that can hand over a whole playback window (the Hikvision one); ONVIF recorders cannot yet. */
interface PlaybackWindows {
  playbackUrl(camera: number, from: Date, to: Date): Promise<string>;
}

export function recorderClipSource(frames: FrameSource): ClipSource | undefined {
  const p = frames as Partial<PlaybackWindows> & FrameSource;
  if (typeof p.playbackUrl !== 'function') return undefined;
  const withUrl = p as PlaybackWindows;
  return {
    window: async (camera, from, to) => ({ kind: 'url', url: await withUrl.playbackUrl(camera, from, to) }),
  };
}

export interface ClipsModule extends Module {
  readonly clips: ClipService;
}

/** The clips module, or the reason it is left out. */
export function clipsModule(
  app: Pick<App, 'config' | 'db' | 'audit' | 'files' | 'clock' | 'bus' | 'log'> & Partial<Pick<App, 'dataDir'>>,
  p: { frames: FrameSource; incidents: Pick<IncidentRepository, 'get'>; detector?: () => Promise<FaceDetector> },
): ClipsModule | string {
  const c = app.config.clips;
  if (!c.enabled) return 'clips (clips.enabled is off)';
  const source = recorderClipSource(p.frames);
  if (!source) return 'clips (this recorder gives no playback window)';
  let detector: FaceDetector | undefined;
  // The maker asks for the detector per call, so a clip before start() (or after a failed load) fails closed.
  const lazy: FaceDetector = {
    get model() {
      return detector?.model ?? { id: 'not-loaded', sha256: '' };
    },
    detect: (image) => {
      if (!detector) throw new Error('the face detector for clips is not loaded');
      return detector.detect(image);
    },
    close: async () => {},
  };
  const clips = new ClipService({
    maker: new ClipMaker({
      video: new FfmpegVideo({ onLog: (l) => app.log.debug({ module: 'clips' }, l) }),
      detector: lazy,
      settings: { fps: c.fps, maxSide: c.maxSide, maxBytes: c.maxBytes },
    }),
    source,
    store: new SqliteClips(app.db),
    incidents: p.incidents,
    files: app.files,
    audit: app.audit,
    clock: app.clock,
    preSeconds: c.preSeconds,
    postSeconds: c.postSeconds,
    ...(app.config.hub.deviceKey
      ? { packet: { maxBytes: app.config.hub.maxPacketBytes, encrypted: app.config.hub.encrypt } }
      : {}),
  });
  let queue: Promise<unknown> = Promise.resolve();
  let off: (() => void) | undefined;
  return {
    name: 'clips',
    clips,
    async start() {
      // The same model as stills (the one `models fetch` installed in the data dir, BlazeFace standing in without it).
      detector = await (
        p.detector ?? (() => createDetectorFromConfig(app.config.redaction, { dataDir: app.dataDir }))
      )();
      off = app.bus.on('redacted', (e) => {
        if (e.status !== 'in-review') return;
        queue = queue.then(async () => {
          const made = await clips.makeFor(e.incidentId);
          if (made.status === 'failed')
            app.log.warn({ module: 'clips', incident: e.incidentId }, `no clip: ${made.reason}`);
        });
      });
    },
    async stop() {
      off?.();
      await queue.catch(() => undefined);
      await clips.whenIdle();
      await detector?.close();
      detector = undefined;
    },
  };
}

/** Adds the clips module to the app's lifecycle, or says why it is left out; the one call service-modules makes. */
export function addClips(w: Wiring, recorder: RecorderPart | undefined): ClipService | undefined {
  if (!recorder) return undefined;
  const m = clipsModule(w.app, { frames: recorder.frames, incidents: recorder.incidents });
  if (typeof m === 'string') {
    // Off by choice is not a fault worth a warning at every start; a recorder that cannot give clips is.
    if (w.app.config.clips.enabled) w.skip(m);
    return undefined;
  }
  w.app.lifecycle.add(m);
  return m.clips;
}

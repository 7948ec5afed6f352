// Builds the recorder's FrameSource from configuration: Hikvision ISAPI + RTSP (with optional pre-roll buffers per
// camera), or ONVIF. Used by `run`, `capture` and `doctor`.
import { join } from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import { ConfigError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { FrameSource } from '../../core/ports/frame-source.js';
import { PreRollFrameSource, PreRollRecorder } from '../ffmpeg/pre-roll.js';
import { IsapiClient, type IsapiOptions } from './isapi/client.js';
import { HikvisionFrameSource } from './isapi/hikvision-frame-source.js';
import { OnvifFrameSource } from './onvif/onvif-frame-source.js';

export interface RecorderConnection {
  frames: FrameSource;
  isapi: IsapiClient | undefined;
  /** Pre-roll buffers per camera (empty unless capture.preRoll.enabled and withPreRoll); started by captureModule. */
  preRolls: PreRollRecorder[];
  close(): Promise<void>;
}

export function connectRecorder(
  loaded: LoadedConfig,
  onLog?: (line: string) => void,
  options: {
    withPreRoll?: boolean;
    clock?: Clock;
    /** The login guard's reports (status strip, audit): see IsapiClient. */
    onLoginRefused?: IsapiOptions['onLoginRefused'];
    onLoginRestored?: () => void;
  } = {},
): RecorderConnection {
  const { nvr, capture } = loaded.config;
  const password = loaded.secrets.nvrPassword;
  if (password === undefined)
    throw new ConfigError(loaded.file, [{ path: '/nvr/passwordFile', message: 'the NVR password is missing' }]);
  if (nvr.kind === 'onvif') {
    const frames = new OnvifFrameSource({
      host: nvr.host,
      port: nvr.port,
      username: nvr.username,
      password,
      timeoutMs: nvr.timeoutMs,
      stallMs: capture.frameTimeoutMs,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return { frames, isapi: undefined, preRolls: [], close: async () => {} };
  }
  const isapi = new IsapiClient({
    scheme: nvr.scheme,
    host: nvr.host,
    port: nvr.port,
    username: nvr.username,
    password,
    timeoutMs: nvr.timeoutMs,
    allowBasic: nvr.allowBasicAuth,
    ...(nvr.tlsFingerprint ? { tlsFingerprint: nvr.tlsFingerprint } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onLoginRefused ? { onLoginRefused: options.onLoginRefused } : {}),
    ...(options.onLoginRestored ? { onLoginRestored: options.onLoginRestored } : {}),
  });
  const frames = new HikvisionFrameSource(isapi, {
    host: nvr.host,
    rtspPort: nvr.rtspPort,
    username: nvr.username,
    password,
    stallMs: capture.frameTimeoutMs,
    ...(onLog ? { onLog } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const pr = capture.preRoll;
  const buffers = new Map<number, PreRollRecorder>();
  if (pr.enabled && options.withPreRoll) {
    const auth = `${encodeURIComponent(nvr.username)}:${encodeURIComponent(password)}`;
    for (const ch of nvr.channels.filter((c) => c.enabled)) {
      buffers.set(
        ch.id,
        new PreRollRecorder({
          url: `rtsp://${auth}@${nvr.host}:${nvr.rtspPort}/Streaming/Channels/${ch.id}01`,
          dir: join(pr.dir, `camera-${ch.id}`),
          seconds: pr.seconds,
          ...(onLog ? { onLog } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
        }),
      );
    }
  }
  return {
    frames: buffers.size ? new PreRollFrameSource(frames, buffers) : frames,
    isapi,
    preRolls: [...buffers.values()],
    close: async () => {
      await Promise.all([...buffers.values()].map((b) => b.stop()));
      await isapi.close();
    },
  };
}

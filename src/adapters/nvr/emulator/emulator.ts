// Starts the whole NVR emulator on 127.0.0.1: the GStreamer RTSP side (rtsp-server.py beside this module, run
// with Debian's python3) and the fastify ISAPI side. stop() ends both; the RTSP child also stops by itself when
// this process dies, because it watches its stdin.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../../core/errors.js';
import { systemClock } from '../../../core/ports/clock.js';
import type { DigestAlgorithm } from '../isapi/digest.js';
import { buildIsapiEmulator } from './isapi-server.js';
import { mediaDurationSeconds, resolveMedia } from './media.js';
import type { QuirkName } from './quirks.js';

export interface EmulatorOptions {
  port?: number;
  rtspPort?: number;
  media?: string;
  channels?: number;
  username?: string;
  password?: string;
  algorithms?: DigestAlgorithm[];
  heartbeatMs?: number;
  noRecording?: number[];
  quirks?: QuirkName[];
  lockAfter?: number;
  lockSeconds?: number;
  clockSkewMs?: number;
  onLog?: (line: string) => void;
}

export interface RunningEmulator {
  httpUrl: string;
  httpPort: number;
  rtspUrl: string;
  rtspPort: number;
  username: string;
  password: string;
  raiseIo(port: number, state?: 'active' | 'inactive'): void;
  setSilent(silent: boolean): void;
  /** Logins with a wrong password (or while locked) the emulated recorder has counted. */
  failedLogins(): number;
  /** Every footage download served (file name, SHA-256, bytes), in order. */
  downloads: readonly { name: string; sha256: string; bytes: number }[];
  quirks: readonly QuirkName[];
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The script sits beside this module in src/; from dist/ it is found at the same place under src/. */
export function rtspScriptPath(): string {
  const candidates = [
    join(here, 'rtsp-server.py'),
    join(here, '..', '..', '..', '..', 'src', 'adapters', 'nvr', 'emulator', 'rtsp-server.py'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new AppError('emulator-missing', 'rtsp-server.py is missing from the installation');
  return found;
}

export async function startRtspSide(args: {
  media: string[];
  /** Per media file: with it the RTSP side loops the media and positions live/playback by the clock. */
  mediaSeconds?: number[];
  /** Unix ms at which the "recording" shows the media's first second (shared with the ISAPI snapshot). */
  epochMs?: number;
  port?: number;
  username: string;
  password: string;
  onLog?: (line: string) => void;
  script?: string;
  extraArgs?: string[];
}): Promise<{ port: number; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(
    '/usr/bin/python3',
    [
      args.script ?? rtspScriptPath(),
      '--port',
      String(args.port ?? 0),
      '--user',
      args.username,
      ...args.media.flatMap((m) => ['--media', m]),
      ...(args.mediaSeconds ?? []).flatMap((d) => ['--media-seconds', String(d)]),
      ...(args.epochMs !== undefined ? ['--epoch', String(args.epochMs)] : []),
      ...(args.extraArgs ?? []),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NVR_EMU_PASSWORD: args.password } },
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d;
    for (const l of d.toString().split('\n')) if (l.trim()) args.onLog?.(l);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new AppError('emulator-rtsp', `the RTSP side did not start within 20 s: ${err.trim().slice(-300)}`));
    }, 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      const m = /ready rtsp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new AppError('emulator-rtsp', `the RTSP side exited (${code}): ${err.trim().slice(-300)}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 4000);
    await exited;
    clearTimeout(t);
  };
  return { port, child, stop };
}

/**
 * The `nvr` block of an appliance configuration pointing at a running emulator: what the demo, the benches and
 * the tests write, so the emulator's address, ports and user are spelled out once.
 */
export function emulatorNvrConfig(
  emu: Pick<RunningEmulator, 'httpPort' | 'rtspPort' | 'username'>,
  passwordFile: string,
  channels: { id: number; name: string; enabled?: boolean }[],
) {
  return {
    kind: 'hikvision' as const,
    scheme: 'http' as const,
    host: '127.0.0.1',
    port: emu.httpPort,
    rtspPort: emu.rtspPort,
    username: emu.username,
    passwordFile,
    channels,
  };
}

export async function startNvrEmulator(o: EmulatorOptions = {}): Promise<RunningEmulator> {
  const username = o.username ?? 'admin';
  const password = o.password ?? 'Passw0rd!';
  const media = await resolveMedia(o.media, o.channels ?? 1);
  const mediaSeconds = await Promise.all(media.map(mediaDurationSeconds));
  // A whole second, so positions derived from whole-second playback times fall on the clip's 1 s keyframes.
  const epochMs = Math.floor(systemClock.now().getTime() / 1000) * 1000;
  const rtsp = await startRtspSide({
    media,
    mediaSeconds,
    epochMs,
    username,
    password,
    ...(o.rtspPort !== undefined ? { port: o.rtspPort } : {}),
    ...(o.onLog ? { onLog: o.onLog } : {}),
  });
  const rtspUrl = `rtsp://127.0.0.1:${rtsp.port}`;
  const app = buildIsapiEmulator({
    username,
    password,
    media,
    mediaSeconds,
    epochMs,
    rtspBase: () => rtspUrl,
    ...(o.algorithms ? { algorithms: o.algorithms } : {}),
    ...(o.heartbeatMs !== undefined ? { heartbeatMs: o.heartbeatMs } : {}),
    ...(o.noRecording ? { noRecording: o.noRecording } : {}),
    ...(o.quirks ? { quirks: o.quirks } : {}),
    ...(o.lockAfter !== undefined ? { lockAfter: o.lockAfter } : {}),
    ...(o.lockSeconds !== undefined ? { lockSeconds: o.lockSeconds } : {}),
    ...(o.clockSkewMs !== undefined ? { clockSkewMs: o.clockSkewMs } : {}),
  });
  try {
    await app.listen({ host: '127.0.0.1', port: o.port ?? 0 });
  } catch (e) {
    await rtsp.stop();
    throw new AppError('emulator-http', `the ISAPI side cannot listen: ${(e as Error).message}`);
  }
  const addr = app.server.address();
  const httpPort = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpPort,
    rtspUrl,
    rtspPort: rtsp.port,
    username,
    password,
    raiseIo: app.raiseIo,
    setSilent: app.setSilent,
    failedLogins: app.failedLogins,
    downloads: app.downloads,
    quirks: o.quirks ?? [],
    stop: async () => {
      await app.close();
      await rtsp.stop();
    },
  };
}

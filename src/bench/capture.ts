// `bench capture`: trigger → first still on disk and trigger → all N stills, p50/p95 over repeated triggers
// against the NVR emulator, next to the floor — a bare `ffmpeg -frames:v 1` grab of the same stream.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOW_LATENCY_INPUT } from '../adapters/ffmpeg/frame-grabber.js';
import { PreRollFrameSource, PreRollRecorder } from '../adapters/ffmpeg/pre-roll.js';
import { startNvrEmulator } from '../adapters/nvr/emulator/emulator.js';
import { IsapiClient } from '../adapters/nvr/isapi/client.js';
import { HikvisionFrameSource } from '../adapters/nvr/isapi/hikvision-frame-source.js';
import { EncryptedFiles } from '../adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../adapters/store/incidents.js';
import { SqliteAuditLog } from '../adapters/store/sqlite-audit-log.js';
import { openDatabase } from '../adapters/store/sqlite-store.js';
import { systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import { CaptureService } from '../services/capture/capture-service.js';

export interface CaptureBenchOptions {
  triggers: number;
  stills: number;
  preSeconds: number;
  postSeconds: number;
  media?: string;
  /** Serve the past part from a pre-roll ring buffer and measure its ffmpeg's CPU and memory. */
  preRoll?: boolean;
  onProgress?: (line: string) => void;
}

export interface Percentiles {
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export interface CaptureBenchResult {
  triggers: number;
  stills: number;
  window: { preSeconds: number; postSeconds: number };
  media: string;
  triggerMs: Percentiles;
  firstStillMs: Percentiles;
  allStillsMs: Percentiles;
  ffmpegFloorMs: Percentiles;
  firstStillOverFloor: number;
  failures: number;
  preRoll?: { cpuPercentOfOneCore: number; rssMiB: number; ramDirMiB: number };
}

export function percentiles(xs: number[]): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  const r = (n: number) => Math.round(n * 10) / 10;
  return { p50: r(at(0.5)), p95: r(at(0.95)), min: r(s[0] ?? Number.NaN), max: r(s[s.length - 1] ?? Number.NaN) };
}

function bareFfmpeg(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        ...LOW_LATENCY_INPUT,
        '-i',
        url,
        '-frames:v',
        '1',
        '-f',
        'image2pipe',
        '-c:v',
        'mjpeg',
        'pipe:1',
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      if (code === 0) resolve(performance.now() - t0);
      else reject(new Error(`ffmpeg exited ${code}`));
    });
  });
}

/** utime + stime of a process in clock ticks (100 per second on Linux). */
function procCpu(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

function procRssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export async function runCaptureBench(o: CaptureBenchOptions): Promise<CaptureBenchResult> {
  const emu = await startNvrEmulator({ ...(o.media ? { media: o.media } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-bench-capture-'));
  const db = openDatabase(dir, { clock: systemClock });
  const ids = uuidV7Source(systemClock);
  const isapi = new IsapiClient({
    scheme: 'http',
    host: '127.0.0.1',
    port: emu.httpPort,
    username: emu.username,
    password: emu.password,
    timeoutMs: 5000,
  });
  let preRoll: PreRollRecorder | undefined;
  try {
    const incidents = new SqliteIncidents(db, { clock: systemClock, ids });
    const hik = new HikvisionFrameSource(isapi, {
      host: '127.0.0.1',
      rtspPort: emu.rtspPort,
      username: emu.username,
      password: emu.password,
      stallMs: 15_000,
    });
    const liveUrl = `rtsp://${emu.username}:${encodeURIComponent(emu.password)}@127.0.0.1:${emu.rtspPort}/Streaming/Channels/101`;
    let preRollStats: CaptureBenchResult['preRoll'];
    if (o.preRoll) {
      const started = performance.now();
      preRoll = new PreRollRecorder({
        url: liveUrl,
        dir: join(dir, 'preroll'),
        seconds: Math.max(10, o.preSeconds + 2),
        segmentSeconds: 1,
      });
      preRoll.start();
      const until = performance.now() + 30_000;
      const ago = (ms: number) => new Date(systemClock.now().getTime() - ms);
      while (!preRoll.covers(ago(o.preSeconds * 1000 + 1000), ago(1000)) && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 250));
      }
      // Measured once the buffer is full: the copying ffmpeg's CPU since it started, its RSS, the RAM held.
      const pid = preRoll.pid;
      if (pid) {
        preRollStats = {
          cpuPercentOfOneCore:
            Math.round(((procCpu(pid) ?? 0) / 100 / ((performance.now() - started) / 1000)) * 1000) / 10,
          rssMiB: Math.round((procRssKiB(pid) / 1024) * 10) / 10,
          ramDirMiB: Math.round((preRoll.bytes() / 1048576) * 10) / 10,
        };
      }
    }
    const frames = preRoll ? new PreRollFrameSource(hik, new Map([[1, preRoll]])) : hik;
    let t0 = 0;
    let times: number[] = [];
    const service = new CaptureService({
      incidents,
      retries: incidents,
      audit: new SqliteAuditLog(db, systemClock),
      files: new EncryptedFiles(db, dir, { clock: systemClock, ids }),
      frames,
      clock: systemClock,
      ids,
      siteId: 'bench',
      settings: {
        preSeconds: o.preSeconds,
        postSeconds: o.postSeconds,
        stills: o.stills,
        retryMinutes: 60,
        nvrRetentionDays: 30,
      },
      onStill: () => times.push(performance.now() - t0),
      onProblem: (_id, m) => o.onProgress?.(`  problem: ${m}`),
    });
    // One untimed warm-up so ffmpeg and the emulator's snapshot cache are loaded as on a running appliance.
    service.trigger({ camera: 1, source: 'cli', actor: 'bench' });
    await service.whenIdle();
    const trig: number[] = [];
    const first: number[] = [];
    const all: number[] = [];
    let failures = 0;
    for (let i = 0; i < o.triggers; i++) {
      times = [];
      t0 = performance.now();
      const inc = service.trigger({ camera: 1, source: 'cli', actor: 'bench' });
      trig.push(performance.now() - t0);
      await service.whenIdle();
      const done = incidents.get(inc.id);
      if (done?.status !== 'captured' || times.length < o.stills) failures++;
      if (times.length) {
        first.push(times[0]!);
        all.push(times[times.length - 1]!);
      }
      o.onProgress?.(
        `trigger ${i + 1}/${o.triggers}: first ${Math.round(times[0] ?? -1)} ms, all ${Math.round(times[times.length - 1] ?? -1)} ms (${times.length} stills)`,
      );
    }
    const floor: number[] = [];
    for (let i = 0; i < o.triggers; i++) floor.push(await bareFfmpeg(liveUrl));
    const f = percentiles(first);
    const fl = percentiles(floor);
    return {
      triggers: o.triggers,
      stills: o.stills,
      window: { preSeconds: o.preSeconds, postSeconds: o.postSeconds },
      media: o.media ?? 'generated 640x360 test pattern',
      triggerMs: percentiles(trig),
      firstStillMs: f,
      allStillsMs: percentiles(all),
      ffmpegFloorMs: fl,
      firstStillOverFloor: Math.round((f.p50 / fl.p50) * 100) / 100,
      failures,
      ...(preRollStats ? { preRoll: preRollStats } : {}),
    };
  } finally {
    await preRoll?.stop();
    await isapi.close();
    db.close();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The police-master benchmark: one master of a `seconds`-long window acquired from the project's NVR emulator
// (real ISAPI download or RTSP copy over 127.0.0.1, real SQLite and encrypted files in a temp data dir), then a
// police export of it. Reports the acquisition's wall and CPU time, this process's peak RSS during it (sampled),
// and the export's time and size. The emulator runs in this process; its ffmpeg cut is the recorder's work and is
// timed apart (the first download waits for it).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JoseSigner } from '../adapters/crypto/checkpoint-signer.js';
import { probeMedia } from '../adapters/ffmpeg/probe.js';
import { ffmpegWorkingCopy } from '../adapters/ffmpeg/working-copy.js';
import { startNvrEmulator } from '../adapters/nvr/emulator/emulator.js';
import { IsapiClient } from '../adapters/nvr/isapi/client.js';
import { IsapiFootage } from '../adapters/nvr/isapi/footage.js';
import { EncryptedFiles } from '../adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../adapters/store/incidents.js';
import { SqliteAuditLog } from '../adapters/store/sqlite-audit-log.js';
import { SqliteEvidenceMasters } from '../adapters/store/sqlite-evidence-masters.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteOriginals } from '../adapters/store/sqlite-originals.js';
import { openDatabase } from '../adapters/store/sqlite-store.js';
import { systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import { MasterAcquisition } from '../services/evidence/master-acquisition.js';
import { HoldService } from '../services/holds/holds.js';
import { DisclosureService } from '../services/sar/sar-export.js';

const run = promisify(execFile);

export interface EvidenceBenchOptions {
  seconds: number;
  media?: string;
  /** Refuse the download, so the master comes by RTSP copy (plays in real time). */
  rtsp?: boolean;
  onProgress?: (line: string) => void;
}

export interface EvidenceBenchResult {
  media: string;
  resolution: string;
  windowSeconds: number;
  method: string;
  masterBytes: number;
  masterSeconds: number;
  acquisitionMs: number;
  acquisitionCpuMs: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  exportMs: number;
  exportBytes: number;
  exportFiles: number;
}

async function probe(file: string): Promise<{ duration: number; size: string }> {
  const m = await probeMedia(file);
  return { duration: m.duration, size: `${m.width}x${m.height}` };
}

/** A 20 s 1920×1080 25 fps H.264 clip with moving noise (a realistic bitrate), made once and cached. */
async function benchClip(): Promise<string> {
  const file = join(tmpdir(), 'bcrp-edge-emulator', 'bench-1080p-20s-noise.mp4');
  try {
    statSync(file);
    return file;
  } catch {
    // made below
  }
  await run('mkdir', ['-p', join(tmpdir(), 'bcrp-edge-emulator')]);
  const tmp = `${file}.${process.pid}.mp4`;
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=25',
    '-vf',
    'noise=alls=12:allf=t',
    '-t',
    '20',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-b:v',
    '4M',
    '-g',
    '25',
    '-pix_fmt',
    'yuv420p',
    '-y',
    tmp,
  ]);
  await run('mv', [tmp, file]);
  return file;
}

function du(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const d = du(p);
      bytes += d.bytes;
      files += d.files;
    } else {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

export async function runEvidenceBench(o: EvidenceBenchOptions): Promise<EvidenceBenchResult> {
  const media = o.media ?? (await benchClip());
  const emu = await startNvrEmulator({ media, ...(o.rtsp ? { quirks: ['download-refused'] } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-bench-evidence-'));
  const clock = systemClock;
  const ids = uuidV7Source(clock);
  const db = openDatabase(dir, { clock });
  const isapi = new IsapiClient({
    scheme: 'http',
    host: '127.0.0.1',
    port: emu.httpPort,
    username: emu.username,
    password: emu.password,
    timeoutMs: 60_000,
  });
  try {
    const audit = new SqliteAuditLog(db, clock);
    const files = new EncryptedFiles(db, dir, { clock, ids });
    const masters = new SqliteEvidenceMasters(db, { audit, clock, ids, files });
    const incidents = new SqliteIncidents(db, { clock, ids, audit });
    const half = Math.floor(o.seconds / 2);
    // The whole window is already on the recorder: the trigger was `half + 5` s ago.
    const incident = incidents.create({
      siteId: 'bench',
      camera: 1,
      triggerTime: new Date(clock.now().getTime() - (o.seconds - half + 5) * 1000),
      source: 'button',
    });
    const acquisition = new MasterAcquisition({
      masters,
      footage: new IsapiFootage(isapi, {
        host: '127.0.0.1',
        rtspPort: emu.rtspPort,
        username: emu.username,
        password: emu.password,
        stallMs: 20_000,
      }),
      files,
      clock,
      incident: (id) => incidents.get(id),
      settings: {
        clipPreSeconds: half,
        clipPostSeconds: o.seconds - half,
        waitSeconds: 0,
        pollSeconds: 1,
        settleSeconds: 0,
        retryMinutes: 1,
        maxAttempts: 1,
      },
    });
    o.onProgress?.(`acquiring ${o.seconds} s of ${media} ${o.rtsp ? 'by RTSP copy' : 'by ISAPI download'}…`);
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const m = await acquisition.acquire(incident.id);
    const acquisitionMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (m?.state !== 'sealed') throw new Error(`the master was not sealed: ${m?.lastError ?? 'no record'}`);
    // The police export: a manager, a hold, the real export with the master and its working copy.
    const manager = { name: 'bench', role: 'manager' as const };
    const holds = new HoldService({ holds: new SqliteHolds(db), audit, clock, ids });
    holds.place({ incidentId: incident.id, reason: 'bench', actor: manager });
    const disclosure = new DisclosureService({
      originals: new SqliteOriginals(db),
      files,
      audit,
      clock,
      signer: await JoseSigner.loadOrCreate(dir),
      redactor: {
        detect: () => Promise.reject(new Error('not used')),
        redact: () => Promise.reject(new Error('not used')),
      },
      // A police export reads no face check (only SARs do).
      checks: { load: () => undefined },
      holds,
      siteId: 'bench',
      evidence: { masters, workingCopy: ffmpegWorkingCopy, incident: (id) => incidents.get(id) },
    });
    const out = join(dir, 'export');
    const e0 = performance.now();
    const r = await disclosure.exportForPolice({
      incidentId: incident.id,
      officer: 'PC 1',
      reference: 'BENCH',
      outDir: out,
      actor: manager,
    });
    const exportMs = performance.now() - e0;
    const size = du(out);
    const master = await probe(join(out, r.footage!.file));
    const src = await probe(media);
    return {
      media,
      resolution: src.size,
      windowSeconds: o.seconds,
      method: m.method ?? '',
      masterBytes: m.bytes ?? 0,
      masterSeconds: Math.round(master.duration * 10) / 10,
      acquisitionMs: Math.round(acquisitionMs),
      acquisitionCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      rssBeforeMiB: Math.round(rssBefore / 1048576),
      rssPeakMiB: Math.round(peak / 1048576),
      exportMs: Math.round(exportMs),
      exportBytes: size.bytes,
      exportFiles: size.files,
    };
  } finally {
    await isapi.close();
    db.close();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The checks `bcrp-edge doctor` can make on its own machine: configuration, ffmpeg, data directory, storage key,
// clock sync, certificate expiry and the face model file. Each says what it found and, when not ok, what to do.

import { spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { constants, createReadStream, existsSync, promises as fsp, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from '../../config/load.js';
import type {
  CheckOutcome,
  DoctorCheck as DoctorCheckPort,
  DoctorContext as DoctorContextPort,
  Exec,
} from '../../core/ports/doctor-check.js';
import { storageKeyPath } from '../store/encrypted-files.js';
import { evidenceCheck } from './evidence-check.js';
import { brokerCheck, cameraStillsCheck, checkpointCheck, nvrCheck } from './network-checks.js';

export type DoctorContext = DoctorContextPort<LoadedConfig>;
export type DoctorCheck = DoctorCheckPort<LoadedConfig>;

const MiB = 1024 * 1024;

/** Runs a command with a timeout; a missing binary is reported as `missing`, never thrown. */
export const execCommand: Exec = (cmd, args, timeoutMs = 10_000) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: e.message, missing: e.code === 'ENOENT' });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

export const configCheck: DoctorCheck = {
  id: 'config',
  title: 'configuration',
  async run(ctx) {
    if (!ctx.loaded) {
      return {
        status: 'fail',
        detail: `${ctx.configFile}: ${ctx.configProblems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ')}`,
        fix: `correct the file (bcrp-edge config validate --config ${ctx.configFile} lists every problem), or run bcrp-edge provision`,
      };
    }
    if (ctx.loaded.warnings.length > 0) {
      return {
        status: 'warn',
        detail: ctx.loaded.warnings.map((w) => `${w.path}: ${w.message}`).join('; '),
        fix: 'follow the advice after each path above',
      };
    }
    return { status: 'ok', detail: `${ctx.configFile} is valid (site ${ctx.loaded.config.site.id})` };
  },
};

/** "ffmpeg version 5.1.6-0+deb12u1 Copyright…" → "5.1.6-0+deb12u1"; "n6.1" → "6.1". */
export function ffmpegVersion(text: string): string | undefined {
  return /^ffmpeg version n?(\S+)/m.exec(text)?.[1];
}

export const ffmpegCheck: DoctorCheck = {
  id: 'ffmpeg',
  title: 'ffmpeg',
  async run(ctx) {
    const bin = ctx.env['BCRP_EDGE_FFMPEG'] ?? 'ffmpeg';
    const r = await ctx.exec(bin, ['-hide_banner', '-version']);
    if (r.missing) return { status: 'fail', detail: `${bin} not found`, fix: 'apt-get install ffmpeg' };
    const version = ffmpegVersion(r.stdout);
    if (r.code !== 0 || !version)
      return {
        status: 'fail',
        detail: `${bin} -version did not answer as ffmpeg does`,
        fix: 'reinstall: apt-get install --reinstall ffmpeg',
      };
    const major = Number(/^(\d+)/.exec(version)?.[1] ?? 0);
    if (major > 0 && major < 4)
      return {
        status: 'warn',
        detail: `ffmpeg ${version} is old`,
        fix: 'upgrade to ffmpeg 4 or newer (Debian 11+ ships it)',
      };
    return { status: 'ok', detail: `ffmpeg ${version}` };
  },
};

export const dataDirCheck: DoctorCheck = {
  id: 'data-dir',
  title: 'data directory',
  async run(ctx) {
    const dir = ctx.dataDir;
    let st: Awaited<ReturnType<typeof fsp.stat>>;
    try {
      st = await fsp.stat(dir);
    } catch {
      return {
        status: 'fail',
        detail: `${dir} does not exist`,
        fix: 'run scripts/install.sh (it creates /var/lib/bcrp-edge with mode 0750), or pass --data-dir',
      };
    }
    if (!st.isDirectory())
      return { status: 'fail', detail: `${dir} is not a directory`, fix: `move it away and run scripts/install.sh` };
    const problems: string[] = [];
    try {
      await fsp.access(dir, constants.W_OK);
    } catch {
      problems.push('not writable by this user');
    }
    const worldBits = st.mode & 0o007;
    const fs = await fsp.statfs(dir);
    const free = fs.bavail * fs.bsize;
    const detail = `${dir} mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, ${Math.round(free / MiB)} MiB free`;
    if (worldBits !== 0)
      return {
        status: 'fail',
        detail: `${detail}; other users can reach it`,
        fix: `chmod 750 ${dir} (it holds CCTV originals)`,
      };
    if (problems.length > 0)
      return {
        status: 'fail',
        detail: `${detail}; ${problems.join(', ')}`,
        fix: `run doctor as the service user (sudo -u bcrp-edge bcrp-edge doctor) or chown -R bcrp-edge: ${dir}`,
      };
    if (free < 256 * MiB)
      return {
        status: 'fail',
        detail,
        fix: 'free disk space: captures stop when the disk is full (check journald limits and old files)',
      };
    if (free < 1024 * MiB)
      return { status: 'warn', detail, fix: 'less than 1 GiB free: free some space or use a larger card' };
    return { status: 'ok', detail };
  },
};

export const storageKeyCheck: DoctorCheck = {
  id: 'storage-key',
  title: 'storage key',
  async run(ctx) {
    const path = storageKeyPath(ctx.dataDir);
    let st: Awaited<ReturnType<typeof fsp.stat>>;
    try {
      st = await fsp.stat(path);
    } catch {
      return {
        status: 'warn',
        detail: `${path} not created yet`,
        fix: 'it is made at the first capture; back it up once it exists (without it the originals cannot be read)',
      };
    }
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    if ((st.mode & 0o077) !== 0)
      return {
        status: 'fail',
        detail: `${path} mode ${mode}: other users can read it`,
        fix: `chmod 600 ${path}, and treat the stored originals as exposed`,
      };
    if (st.size !== 32)
      return {
        status: 'fail',
        detail: `${path} is ${st.size} bytes, not a 32-byte key`,
        fix: 'restore it from the backup',
      };
    return { status: 'ok', detail: `${path} mode ${mode}` };
  },
};

/** Reads clock sync from timedatectl, then chronyc; the first that answers wins. */
export const clockCheck: DoctorCheck = {
  id: 'clock',
  title: 'clock synchronised',
  async run(ctx) {
    const t = await ctx.exec('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
    if (!t.missing && t.code === 0) {
      if (t.stdout.trim() === 'yes') return { status: 'ok', detail: 'timedatectl: NTPSynchronized=yes' };
    }
    const c = await ctx.exec('chronyc', ['-n', 'tracking']);
    if (!c.missing && c.code === 0) {
      const leap = /^Leap status\s*:\s*(.+)$/m.exec(c.stdout)?.[1]?.trim();
      const offset = /^System time\s*:\s*([\d.]+) seconds (slow|fast)/m.exec(c.stdout);
      const off = offset ? Number(offset[1]) : undefined;
      if (leap === 'Normal' && off !== undefined && off < 1)
        return { status: 'ok', detail: `chrony: synchronised, offset ${off.toFixed(3)} s` };
      if (leap === 'Normal')
        return {
          status: 'warn',
          detail: `chrony: synchronised but ${off ?? '?'} s off`,
          fix: 'wait for chrony to slew, or check the NTP servers in /etc/chrony/chrony.conf',
        };
      return {
        status: 'fail',
        detail: `chrony: ${leap ?? 'no status'}`,
        fix: 'the clock is not synchronised: evidence times would be wrong. Let UDP 123 out in the firewall and check chronyc sources',
      };
    }
    if (!t.missing && t.code === 0)
      return {
        status: 'fail',
        detail: 'timedatectl: NTPSynchronized=no',
        fix: 'enable time sync (apt-get install chrony) and let UDP 123 out; evidence timestamps depend on it',
      };
    const why = c.missing ? 'chronyc not installed' : `chronyc: ${c.stderr.trim().split('\n')[0] || `exit ${c.code}`}`;
    return {
      status: 'warn',
      detail: `cannot tell: timedatectl ${t.missing ? 'not installed' : 'did not answer'}; ${why}`,
      fix: 'install and start chrony (apt-get install chrony; firmware-config/chrony.conf) so evidence times can be trusted',
    };
  },
};

/** Every PEM certificate the configuration names. */
export function configuredCertificates(ctx: DoctorContext): { path: string; file: string }[] {
  const c = ctx.loaded?.config;
  if (!c) return [];
  const out: { path: string; file: string }[] = [];
  if (c.mqtt.ca) out.push({ path: 'mqtt.ca', file: c.mqtt.ca });
  if (c.mqtt.cert) out.push({ path: 'mqtt.cert', file: c.mqtt.cert });
  if (c.web.tlsCert) out.push({ path: 'web.tlsCert', file: c.web.tlsCert });
  return out;
}

export const certificatesCheck: DoctorCheck = {
  id: 'certificates',
  title: 'certificate expiry',
  needsConfig: true,
  async run(ctx) {
    const certs = configuredCertificates(ctx);
    if (certs.length === 0)
      return {
        status: 'warn',
        detail: 'no certificates configured',
        fix: 'run bcrp-edge provision (web certificate, broker CA, client certificate)',
      };
    const now = ctx.clock.now().getTime();
    const lines: string[] = [];
    let worst: CheckOutcome['status'] = 'ok';
    const fixes: string[] = [];
    for (const { path, file } of certs) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(readFileSync(file));
      } catch (e) {
        lines.push(`${path}: not a PEM certificate (${(e as Error).message})`);
        worst = 'fail';
        fixes.push(`replace ${file}`);
        continue;
      }
      const days = Math.floor((Date.parse(cert.validTo) - now) / 86_400_000);
      if (Date.parse(cert.validFrom) > now) {
        lines.push(`${path}: not valid until ${cert.validFrom}`);
        worst = 'fail';
        fixes.push('check the clock (doctor: clock synchronised)');
      } else if (days < 0) {
        lines.push(`${path}: expired ${-days} days ago`);
        worst = 'fail';
        fixes.push(
          path === 'web.tlsCert'
            ? 'make a new one: bcrp-edge provision --web-cert-only'
            : `ask the partnership for a new ${path} and re-enrol`,
        );
      } else if (days < 30) {
        lines.push(`${path}: expires in ${days} days`);
        if (worst === 'ok') worst = 'warn';
        fixes.push(`renew ${path} before it expires`);
      } else lines.push(`${path}: ${days} days left`);
    }
    return { status: worst, detail: lines.join('; '), ...(fixes.length ? { fix: fixes.join('; ') } : {}) };
  },
};

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** models/manifest.json as the vision part writes it: entries with a file (relative to models/) and a sha256. */
export function manifestEntries(text: string): { name: string; file: string; sha256: string }[] {
  const raw = JSON.parse(text) as unknown;
  const list: unknown[] = Array.isArray(raw)
    ? raw
    : raw && typeof raw === 'object' && Array.isArray((raw as { models?: unknown }).models)
      ? (raw as { models: unknown[] }).models
      : Object.entries((raw ?? {}) as Record<string, unknown>).map(([name, v]) => ({ name, ...(v as object) }));
  return list.flatMap((e) => {
    const o = e as { name?: unknown; file?: unknown; path?: unknown; sha256?: unknown };
    const file = typeof o.file === 'string' ? o.file : typeof o.path === 'string' ? o.path : undefined;
    return file && typeof o.sha256 === 'string' ? [{ name: String(o.name ?? file), file, sha256: o.sha256 }] : [];
  });
}

export const modelCheck: DoctorCheck = {
  id: 'model',
  title: 'face model file',
  needsConfig: true,
  async run(ctx) {
    const r = ctx.loaded!.config.redaction;
    const manifestFile = join(ctx.packageRoot, 'models', 'manifest.json');
    const manifest = existsSync(manifestFile) ? manifestEntries(readFileSync(manifestFile, 'utf8')) : [];
    let file = r.modelPath;
    let expected = r.modelSha256;
    if (!file && r.model === 'yunet') return withSweep(ctx, await installedYunet(ctx, manifestFile));
    if (!file) {
      const entry = manifest.find((m) => m.name === r.model) ?? manifest.find((m) => m.name.includes(r.model));
      if (!entry)
        return {
          status: 'warn',
          detail: `${r.model}: no modelPath and no manifest entry to check`,
          fix: 'set redaction.modelPath and redaction.modelSha256 to pin the model file',
        };
      file = join(ctx.packageRoot, 'models', entry.file);
      expected ??= entry.sha256;
    } else if (!expected) {
      expected = manifest.find((m) => file?.endsWith(m.file))?.sha256;
    }
    if (!existsSync(file))
      return {
        status: 'fail',
        detail: `${file} is missing`,
        fix: 'reinstall the model file (docs/installation.md, step "model")',
      };
    const actual = await sha256File(file);
    if (!expected)
      return {
        status: 'warn',
        detail: `${file} sha256 ${actual} (nothing to compare with)`,
        fix: `pin it: redaction.modelSha256: ${actual}`,
      };
    if (actual !== expected)
      return {
        status: 'fail',
        detail: `${file} sha256 ${actual}, expected ${expected}`,
        fix: 'the model file was changed or corrupted: reinstall it',
      };
    return withSweep(ctx, { status: 'ok', detail: `${file} sha256 matches (${actual.slice(0, 12)}…)` }, r.model);
  },
};

/** The configured yunet without a modelPath: the file `bcrp-edge models fetch yunet` puts in <data-dir>/models. */
async function installedYunet(ctx: DoctorContext, manifestFile: string): Promise<CheckOutcome & { runs?: string }> {
  let entry: { id: string; file?: string; sha256: string } | undefined;
  try {
    const raw = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      models?: { id: string; file?: string; sha256: string }[];
    };
    entry = raw.models?.find((m) => m.id === 'yunet-n-dynamic');
  } catch {
    entry = undefined;
  }
  if (!entry?.file)
    return {
      status: 'fail',
      detail: 'models/manifest.json has no yunet-n-dynamic entry',
      fix: 'reinstall the package',
    };
  const file = join(ctx.dataDir, 'models', entry.file);
  if (!existsSync(file))
    return {
      status: 'warn',
      runs: 'blazeface-back-256',
      detail: `configured yunet is not installed (${file} missing): blazeface-back-256 runs in its place, a weaker detector — context stills need a reviewer's confirmation of each image`,
      fix: 'bcrp-edge models fetch yunet (or copy the file here and run bcrp-edge models add FILE)',
    };
  const actual = await sha256File(file);
  if (actual !== entry.sha256)
    return {
      status: 'fail',
      detail: `${file} sha256 ${actual}, expected ${entry.sha256}: no face detection runs until it is replaced`,
      fix: 'bcrp-edge models fetch yunet (replaces the file after checking the download)',
    };
  return { status: 'ok', runs: entry.id, detail: `runs ${entry.id}, the configured model (${file}, sha256 matches)` };
}

/** Adds the running model's recall from the last `bench vision --sweep` (bench/results.json) to the outcome. */
function withSweep(ctx: DoctorContext, o: CheckOutcome & { runs?: string }, configured?: string): CheckOutcome {
  const { runs, ...outcome } = o;
  const id = runs ?? (configured === 'blazeface' ? 'blazeface-back-256' : undefined);
  if (!id) return outcome;
  for (const f of [join(ctx.dataDir, 'bench', 'results.json'), join(ctx.packageRoot, 'bench', 'results.json')]) {
    try {
      const sweep = (
        JSON.parse(readFileSync(f, 'utf8')) as {
          visionSweep?: Record<string, { overall?: number; plainFrom20?: Record<string, number | null> }>;
        }
      ).visionSweep?.[id];
      if (!sweep) continue;
      const from20 = Object.entries(sweep.plainFrom20 ?? {})
        .map(([frame, v]) => `${frame} ${v ?? '—'}`)
        .join(', ');
      return {
        ...outcome,
        detail: `${outcome.detail}; sweep recall of ${id}: ${sweep.overall} overall, faces ≥ 20 px plain ${from20} (${f})`,
      };
    } catch {
      // no results there
    }
  }
  return { ...outcome, detail: `${outcome.detail}; no sweep measured for ${id} (bcrp-edge bench vision --sweep)` };
}

/** Offline view of enrolment: a client certificate issued for this site and the hub's acknowledgement keys. Whether
 * the broker accepts the certificate is the broker check's job. */
export const enrolmentCheck: DoctorCheck = {
  id: 'enrolment',
  title: 'hub enrolment',
  needsConfig: true,
  async run(ctx) {
    const c = ctx.loaded!.config;
    const fix =
      'enrol: bcrp-edge provision --enrol-online, or send enrolment/request.json to the partnership and then: bcrp-edge provision --accept-enrolment RESPONSE.json';
    if (!c.mqtt.cert) return { status: 'fail', detail: 'not enrolled: no MQTT client certificate', fix };
    if (c.hub.signingKeys.length === 0)
      return {
        status: 'fail',
        detail: 'no hub signing key: acknowledgements cannot be checked, so nothing would ever be marked sent',
        fix,
      };
    let subject: string;
    try {
      subject = new X509Certificate(readFileSync(c.mqtt.cert)).subject;
    } catch {
      return { status: 'fail', detail: `${c.mqtt.cert} is not a PEM certificate`, fix };
    }
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1];
    if (cn !== c.site.id)
      return {
        status: 'fail',
        detail: `the client certificate is for ${cn ?? 'no CN'}, this site is ${c.site.id}`,
        fix,
      };
    return { status: 'ok', detail: `enrolled as ${cn}; ${c.hub.signingKeys.length} hub key(s)` };
  },
};

/** Is the systemd service enabled and running? Skipped where there is no systemd (containers, a dev machine). */
export const serviceCheck: DoctorCheck = {
  id: 'service',
  title: 'service',
  async run(ctx) {
    const unit = ctx.env['BCRP_EDGE_UNIT'] ?? 'bcrp-edge.service';
    const active = await ctx.exec('systemctl', ['is-active', unit]);
    const state = active.stdout.trim();
    if (active.missing || /not been booted with systemd|Failed to connect/i.test(active.stderr) || state === '')
      return { status: 'skip', detail: 'no systemd here' };
    const enabled = (await ctx.exec('systemctl', ['is-enabled', unit])).stdout.trim();
    const detail = `${unit} ${state}, ${enabled || 'unknown'}`;
    if (state !== 'active')
      return {
        status: 'fail',
        detail,
        fix: `start it: systemctl start ${unit}; if it stops again: journalctl -u ${unit} -n 50`,
      };
    if (enabled !== 'enabled')
      return { status: 'warn', detail, fix: `make it start at boot: systemctl enable ${unit}` };
    return { status: 'ok', detail };
  },
};

/** Every check `doctor` runs, in order: this machine first, then the NVR and cameras, then the hub side. */
export function doctorChecks(): DoctorCheck[] {
  return [
    configCheck,
    ffmpegCheck,
    dataDirCheck,
    storageKeyCheck,
    clockCheck,
    certificatesCheck,
    nvrCheck,
    cameraStillsCheck,
    enrolmentCheck,
    brokerCheck,
    checkpointCheck,
    evidenceCheck,
    modelCheck,
    serviceCheck,
  ];
}

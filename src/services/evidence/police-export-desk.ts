// Police exports started from the web: a manager names the officer and the crime reference of a held incident,
// the disclosure service writes the folder (master, working copy, stills, hashes, continuity, witness statement)
// under the data directory while the page follows its progress, then lists every file with its SHA-256 and offers
// the folder as one ZIP. The export itself is audited by the disclosure service (police-export); a failed one and
// each download are audited here.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isAppError } from '../../core/errors.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type {
  PoliceExportFile,
  PoliceExportJob,
  PoliceExportRequest,
  PoliceExportService,
} from '../../core/ports/evidence-desk.js';
import type { MasterReader } from '../../core/ports/evidence-masters.js';
import type { IdSource } from '../../core/ports/ids.js';
import { filesUnder } from '../sar/export-folder.js';
import type { DisclosureService } from '../sar/sar-export.js';
import { zipStream } from './zip-stream.js';

/** Where the web's police exports are written, one folder per export. */
export const policeExportsDir = (dataDir: string): string => join(dataDir, 'police');

export interface PoliceExportDeskDeps {
  /** Built on first use (the signing key loads asynchronously). */
  disclosures: () => Promise<Pick<DisclosureService, 'exportForPolice'>>;
  masters: Pick<MasterReader, 'sealedMaster'>;
  dataDir: string;
  ids: IdSource;
  clock: Clock;
  audit: Pick<AuditLog, 'append'>;
  onProblem?: (message: string, error: unknown) => void;
}

/** The error codes a page turns into words (js.police.error.*); anything else is 'failed'. */
const KNOWN_ERRORS = new Set(['not-held', 'police-nothing', 'evidence-altered']);
const PROGRESS_STEP = 1 << 20;

export class PoliceExportDesk implements PoliceExportService {
  readonly #d: PoliceExportDeskDeps;
  readonly #jobs = new Map<string, { job: PoliceExportJob; dir: string; actor: string }>();
  readonly #listeners = new Map<string, Set<(job: PoliceExportJob) => void>>();
  readonly #running = new Set<Promise<void>>();
  #disclosures: Promise<Pick<DisclosureService, 'exportForPolice'>> | undefined;

  constructor(deps: PoliceExportDeskDeps) {
    this.#d = deps;
  }

  start(request: PoliceExportRequest, actor: string): PoliceExportJob {
    const id = this.#d.ids.next();
    const master = this.#d.masters.sealedMaster(request.incidentId);
    const job: PoliceExportJob = {
      id,
      incidentId: request.incidentId,
      reference: request.reference,
      step: 'starting',
      bytes: 0,
      totalBytes: master?.bytes ?? null,
      startedAt: this.#d.clock.now().toISOString(),
      error: null,
      result: null,
    };
    const root = policeExportsDir(this.#d.dataDir);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const dir = join(root, `${request.reference.replace(/[^\w-]/g, '_').slice(0, 60)}-${id}`);
    this.#jobs.set(id, { job, dir, actor });
    const run = this.#run(job, dir, request, actor).finally(() => this.#running.delete(run));
    this.#running.add(run);
    return { ...job };
  }

  job(id: string): PoliceExportJob | undefined {
    const j = this.#jobs.get(id)?.job;
    return j ? { ...j } : undefined;
  }

  subscribe(id: string, listener: (job: PoliceExportJob) => void): () => void {
    let set = this.#listeners.get(id);
    if (!set) {
      set = new Set();
      this.#listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(id);
    };
  }

  /** Resolves when every export started so far has finished (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  archive(id: string, actor: string): { fileName: string; stream: AsyncIterable<Uint8Array> } | undefined {
    const entry = this.#jobs.get(id);
    if (entry?.job.step !== 'done' || !existsSync(entry.dir)) return undefined;
    const name = entry.dir.split(/[\\/]/).pop() ?? id;
    const files = filesUnder(entry.dir);
    this.#d.audit.append({
      actor,
      action: 'export',
      subject: entry.job.incidentId,
      details: {
        purpose: 'police-download',
        incidentId: entry.job.incidentId,
        reference: entry.job.reference,
        exportId: id,
        files: files.length,
        bytes: files.reduce((n, f) => n + statSync(f).size, 0),
        masterSha256: entry.job.result?.masterSha256 ?? null,
      },
    });
    return {
      fileName: `${name}.zip`,
      stream: zipStream(
        files.map((f) => ({
          name: `${name}/${relative(entry.dir, f).split('\\').join('/')}`,
          path: f,
          modified: statSync(f).mtime,
        })),
      ),
    };
  }

  #emit(job: PoliceExportJob): void {
    for (const l of this.#listeners.get(job.id) ?? []) l({ ...job });
  }

  async #run(job: PoliceExportJob, dir: string, request: PoliceExportRequest, actor: string): Promise<void> {
    let next = 0;
    try {
      this.#disclosures ??= this.#d.disclosures().catch((e: unknown) => {
        this.#disclosures = undefined;
        throw e;
      });
      const service = await this.#disclosures;
      const r = await service.exportForPolice({
        incidentId: request.incidentId,
        officer: request.officer,
        reference: request.reference,
        outDir: dir,
        actor: { name: actor, role: 'manager' },
        onProgress: (step, bytes) => {
          const moved = step !== job.step;
          job.step = step;
          if (bytes !== undefined) job.bytes = bytes;
          // At most one event per MiB of footage, and one per step.
          if (moved || job.bytes >= next) {
            next = job.bytes + PROGRESS_STEP;
            this.#emit(job);
          }
        },
      });
      job.result = {
        files: await describeFiles(r.dir),
        exhibit: r.footage?.exhibit ?? null,
        masterSha256: r.footage?.sha256 ?? null,
        auditSeq: r.auditSeq,
      };
      job.step = 'done';
    } catch (e) {
      const code = isAppError(e) && KNOWN_ERRORS.has(e.code) ? e.code : 'failed';
      this.#d.onProblem?.(`police export of ${request.incidentId} failed`, e);
      job.step = 'failed';
      job.error = code;
      this.#d.audit.append({
        actor,
        action: 'police-export-failed',
        subject: request.incidentId,
        details: {
          incidentId: request.incidentId,
          reference: request.reference,
          exportId: job.id,
          reason: isAppError(e) ? e.code : 'unexpected',
        },
      });
    }
    this.#emit(job);
  }
}

/** Every file with its SHA-256: from SHA256SUMS where it lists the file (the footage is not read twice), else read. */
async function describeFiles(dir: string): Promise<PoliceExportFile[]> {
  const sums = new Map<string, string>();
  const sumsFile = join(dir, 'SHA256SUMS');
  if (existsSync(sumsFile))
    for (const line of readFileSync(sumsFile, 'utf8').split('\n')) {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      if (m) sums.set(m[2] as string, m[1] as string);
    }
  const out: PoliceExportFile[] = [];
  for (const f of filesUnder(dir)) {
    const path = relative(dir, f).split('\\').join('/');
    out.push({ path, sha256: sums.get(path) ?? (await hashFile(f)), bytes: statSync(f).size });
  }
  return out;
}

async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

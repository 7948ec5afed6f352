// The web's subject access request: a manager names the incidents, the disclosure service writes the export into
// the data directory (one folder per request), and the answer says where it is and when it is due (30 days).
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import type {
  RequesterFaces,
  SubjectAccessExport,
  SubjectAccessRequest,
  SubjectAccessService,
} from '../../core/ports/subject-access.js';
import { filesUnder } from './export-folder.js';
import type { DisclosureService } from './sar-export.js';
import { zipStored } from './zip.js';

const ANSWER_WITHIN_DAYS = 30;

/** Where the web's SAR answers are written, one folder per request (retention does not sweep it; the report counts it). */
export const sarAnswersDir = (dataDir: string): string => join(dataDir, 'sar');

export interface SubjectAccessDeskDeps {
  /** Built on first use: loading the signing key is not worth doing at start for a rare request. */
  disclosures: () => Promise<Pick<DisclosureService, 'exportSar' | 'faces'>>;
  dataDir: string;
  ids: IdSource;
  clock: Clock;
  /** Where a download of an answer is recorded (the hand-over of personal data). */
  audit: Pick<AuditLog, 'append'>;
}

/** Answer folder names as export() makes them: the reference (word characters) and an id. */
const ANSWER_NAME = /^[\w-]{1,200}$/;

export class SubjectAccessDesk implements SubjectAccessService {
  readonly #d: SubjectAccessDeskDeps;
  #disclosures: Promise<Pick<DisclosureService, 'exportSar' | 'faces'>> | undefined;

  constructor(deps: SubjectAccessDeskDeps) {
    this.#d = deps;
  }

  async #service(): Promise<Pick<DisclosureService, 'exportSar' | 'faces'>> {
    this.#disclosures ??= this.#d.disclosures();
    return this.#disclosures.catch((e: unknown) => {
      this.#disclosures = undefined;
      throw e;
    });
  }

  async faces(incidentIds: string[], actor: string): Promise<RequesterFaces[]> {
    const found = await (await this.#service()).faces({ incidentIds, actor: { name: actor, role: 'manager' } });
    return found.map((s) => ({ ...s, faces: s.faces.map(({ face, box }) => ({ face, box })) }));
  }

  async export(request: SubjectAccessRequest, actor: string): Promise<SubjectAccessExport> {
    const disclosures = await this.#service();
    // The exports' own folder is made on first use (a fresh appliance has none; the export refused without it).
    const answers = sarAnswersDir(this.#d.dataDir);
    mkdirSync(answers, { recursive: true, mode: 0o700 });
    const dir = join(answers, `${request.reference.replace(/[^\w-]/g, '_')}-${this.#d.ids.next()}`);
    const r = await disclosures.exportSar({
      reference: request.reference,
      incidentIds: request.incidentIds,
      outDir: dir,
      actor: { name: actor, role: 'manager' },
      ...(request.lang ? { lang: request.lang } : {}),
      ...(request.keep
        ? { keep: new Map(Object.entries(request.keep).map(([still, face]) => [still, { face }] as const)) }
        : {}),
    });
    const dueBy = new Date(this.#d.clock.now().getTime() + ANSWER_WITHIN_DAYS * 86_400_000).toISOString();
    return {
      reference: r.reference,
      location: r.dir,
      incidents: r.incidents.length,
      images: r.items.length,
      dueBy,
      kept: r.items.filter((i) => i.requesterShown).length,
      download: basename(r.dir),
    };
  }

  async archive(name: string, actor: string): Promise<{ fileName: string; bytes: Buffer } | undefined> {
    if (!ANSWER_NAME.test(name)) return undefined;
    const dir = join(sarAnswersDir(this.#d.dataDir), name);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
    const files = filesUnder(dir);
    const bytes = zipStored(
      files.map((f) => ({
        name: `${name}/${relative(dir, f).split('\\').join('/')}`,
        bytes: readFileSync(f),
        modified: statSync(f).mtime,
      })),
    );
    this.#d.audit.append({
      actor,
      action: 'export',
      subject: name,
      details: { purpose: 'sar-download', files: files.length, bytes: bytes.length },
    });
    return { fileName: `${name}.zip`, bytes };
  }
}

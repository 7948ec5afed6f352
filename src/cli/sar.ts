// `bcrp-edge sar export` and `bcrp-edge police export`: disclosures a manager makes, each one folder and one
// audit row in the disclosure register.

import { JoseSigner } from '../adapters/crypto/checkpoint-signer.js';
import { ffmpegWorkingCopy } from '../adapters/ffmpeg/working-copy.js';
import { EncryptedFiles } from '../adapters/store/encrypted-files.js';
import { SqliteIncidents } from '../adapters/store/incidents.js';
import { SqliteAccounts } from '../adapters/store/sqlite-accounts.js';
import { SqliteDrafts } from '../adapters/store/sqlite-drafts.js';
import { SqliteEvidenceMasters } from '../adapters/store/sqlite-evidence-masters.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteOriginals } from '../adapters/store/sqlite-originals.js';
import { SqliteStillChecks } from '../adapters/store/sqlite-still-checks.js';
import { createRedactor } from '../app/redaction.js';
import type { Config } from '../config/schema.js';
import { isDocLang } from '../core/documents/document-words.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import type { Redactor } from '../core/ports/redactor.js';
import type { Box } from '../core/redaction.js';
import { actorFromAccount } from '../services/actors.js';
import { HoldService } from '../services/holds/holds.js';
import { DisclosureService } from '../services/sar/sar-export.js';
import { commonOptions, parse, requireIso } from './args.js';
import { type Command, printJson } from './io.js';
import { clockFrom, loadConfig } from './retention.js';
import { openState, type State } from './state.js';

export type RedactorFactory = (config: Config) => Promise<Redactor>;

// The real Redactor from the redaction config (the ONNX detector); tests may swap it with setRedactorFactory.
let redactorFactory: RedactorFactory = async (config) => (await createRedactor(config.redaction)).redactor;

/** Lets the app (and tests) choose the Redactor the SAR export uses. */
export function setRedactorFactory(factory: RedactorFactory): void {
  redactorFactory = factory;
}

async function disclosures(state: State, config: Config, clock: Clock, redactor: Redactor): Promise<DisclosureService> {
  const ids = uuidV7Source(clock);
  const files = new EncryptedFiles(state.db, state.dir, { clock, ids });
  const incidents = new SqliteIncidents(state.db, { clock, ids, audit: state.audit });
  return new DisclosureService({
    originals: new SqliteOriginals(state.db),
    files,
    audit: state.audit,
    clock,
    signer: await JoseSigner.loadOrCreate(state.dir),
    redactor,
    checks: new SqliteStillChecks(state.db, files, { ids, clock }),
    holds: new HoldService({ holds: new SqliteHolds(state.db), audit: state.audit, clock, ids }),
    siteId: config.site.id,
    // The police master (the recorder's footage), its MP4 working copy and the witness statement's facts.
    evidence: {
      masters: new SqliteEvidenceMasters(state.db, { audit: state.audit, clock, ids, files }),
      workingCopy: ffmpegWorkingCopy,
      ...(config.site.name ? { siteName: config.site.name } : {}),
      cameraName: (c) => config.nvr.channels.find((ch) => ch.id === c)?.name,
      description: (id) => new SqliteDrafts(state.db, clock).get(id)?.description || undefined,
      incident: (id) => incidents.get(id),
    },
  });
}

export function parseKeep(values: readonly string[]): Map<string, Box | { face: number }> {
  const keep = new Map<string, Box | { face: number }>();
  for (const v of values) {
    const byFace = /^([^=\s]+)=#(\d+)$/.exec(v);
    if (byFace) {
      keep.set(byFace[1] as string, { face: Number(byFace[2]) });
      continue;
    }
    const m = /^([^=\s]+)=(\d+),(\d+),(\d+),(\d+)$/.exec(v);
    if (!m)
      throw new UsageError(
        `--keep ${v}: expected STILL-ID=#N (face N as listed by 'sar faces') or STILL-ID=x,y,width,height (pixels of the original)`,
      );
    const box = [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])] as Box;
    if (box[2] === 0 || box[3] === 0) throw new UsageError(`--keep ${v}: the box has no area`);
    keep.set(m[1] as string, box);
  }
  return keep;
}

const selectionOptions = {
  incident: { type: 'string', multiple: true },
  camera: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

/** The stills a SAR is about: incidents, or one camera in a time window; exactly one of the two. */
function selection(
  values: {
    incident?: string[] | undefined;
    camera?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
  },
  usage: string,
) {
  const byIncident = (values.incident ?? []).length > 0;
  const byWindow = values.camera !== undefined || values.from !== undefined || values.to !== undefined;
  if (byIncident === byWindow)
    throw new UsageError(`give either --incident ID... or --camera N --from ISO --to ISO\nusage: ${usage}`);
  const camera = values.camera === undefined ? undefined : Number(values.camera);
  if (byWindow && (camera === undefined || !Number.isInteger(camera) || camera < 1 || !values.from || !values.to))
    throw new UsageError('--camera must be a camera number, with both --from and --to');
  const from = requireIso(values.from, '--from');
  const to = requireIso(values.to, '--to');
  return {
    ...(byIncident ? { incidentIds: values.incident ?? [] } : {}),
    ...(camera !== undefined ? { camera } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

export const sarFaces: Command = {
  name: 'sar faces',
  summary: 'list the faces found in the stills of a SAR, numbered left to right, to choose --keep',
  usage: 'bcrp-edge sar faces (--incident ID... | --camera N --from ISO --to ISO) --actor MANAGER [--json]',
  async run(args, io) {
    const { values } = parse(args, { ...commonOptions, ...selectionOptions, actor: { type: 'string' } }, this.usage);
    const which = selection(values, this.usage);
    const config = loadConfig(values.config, io);
    const clock = clockFrom(undefined);
    const state = openState(values['data-dir'], io.env, { clock });
    try {
      const actor = actorFromAccount(new SqliteAccounts(state.db, clock), values.actor);
      const service = await disclosures(state, config, clock, await redactorFactory(config));
      const list = await service.faces({ ...which, actor });
      if (values.json) printJson(io, list);
      else
        for (const s of list) {
          io.out(
            `${s.stillId}  (incident ${s.incidentId}, ${s.capturedAt}, ${s.width}x${s.height}): ${s.faces.length} face(s)`,
          );
          for (const f of s.faces)
            io.out(`  #${f.face}  x=${f.box[0]} y=${f.box[1]} ${f.box[2]}x${f.box[3]}  score ${f.score.toFixed(2)}`);
        }
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

export const sarExport: Command = {
  name: 'sar export',
  summary: "answer a subject access request: the requester's stills with third parties redacted",
  usage:
    'bcrp-edge sar export (--incident ID... | --camera N --from ISO --to ISO) --reference SAR-REF [--keep STILL=#N | STILL=x,y,w,h ...] --actor MANAGER -o DIR [--lang en|cy] [--json]',
  async run(args, io) {
    const { values } = parse(
      args,
      {
        ...commonOptions,
        ...selectionOptions,
        reference: { type: 'string' },
        keep: { type: 'string', multiple: true },
        lang: { type: 'string' },
        actor: { type: 'string' },
        out: { type: 'string', short: 'o' },
        now: { type: 'string' },
      },
      this.usage,
    );
    if (!values.out) throw new UsageError(`-o DIR is required\nusage: ${this.usage}`);
    if (!values.reference)
      throw new UsageError(`--reference (the SAR's case reference) is required\nusage: ${this.usage}`);
    const which = selection(values, this.usage);
    const keep = parseKeep(values.keep ?? []);
    const lang = values.lang ?? 'en';
    if (!isDocLang(lang)) throw new UsageError(`--lang is en (English) or cy (Welsh)\nusage: ${this.usage}`);
    const config = loadConfig(values.config, io);
    const clock = clockFrom(values.now, { changesState: true });
    const state = openState(values['data-dir'], io.env, { clock });
    try {
      const actor = actorFromAccount(new SqliteAccounts(state.db, clock), values.actor);
      const service = await disclosures(state, config, clock, await redactorFactory(config));
      const r = await service.exportSar({
        reference: values.reference,
        ...which,
        keep,
        outDir: values.out,
        actor,
        lang,
      });
      if (values.json) printJson(io, r);
      else {
        io.out(`wrote ${r.items.length} redacted image(s) from ${r.incidents.length} incident(s) to ${r.dir}`);
        const hidden = r.items.filter((i) => !i.requesterShown).length;
        if (hidden > 0) io.out(`note: ${hidden} image(s) have every face obscured (no --keep box for them)`);
        io.out(`recorded in the disclosure register as audit entry ${r.auditSeq}`);
      }
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

export const policeExport: Command = {
  name: 'police export',
  summary:
    "export the evidence of a held incident: the recorder's footage and the stills as master + working copies, hashes, continuity, a witness statement draft",
  usage:
    'bcrp-edge police export INCIDENT --officer "NAME, NUMBER" --reference CRIME-REF --actor MANAGER -o DIR [--json]',
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      {
        ...commonOptions,
        officer: { type: 'string' },
        reference: { type: 'string' },
        actor: { type: 'string' },
        out: { type: 'string', short: 'o' },
        now: { type: 'string' },
      },
      this.usage,
      true,
    );
    const incidentId = positionals[0];
    if (!incidentId || positionals.length > 1) throw new UsageError(`name exactly one incident\nusage: ${this.usage}`);
    if (!values.out || !values.officer || !values.reference)
      throw new UsageError(`-o DIR, --officer and --reference are required\nusage: ${this.usage}`);
    const config = loadConfig(values.config, io);
    const clock = clockFrom(values.now, { changesState: true });
    const state = openState(values['data-dir'], io.env, { clock });
    try {
      const actor = actorFromAccount(new SqliteAccounts(state.db, clock), values.actor);
      // Police exports carry originals; no redactor is involved, so one that cannot run is never asked for.
      const noRedactor: Redactor = {
        detect: () => Promise.reject(new Error('not used')),
        redact: () => Promise.reject(new Error('not used')),
      };
      const service = await disclosures(state, config, clock, noRedactor);
      const r = await service.exportForPolice({
        incidentId,
        officer: values.officer,
        reference: values.reference,
        outDir: values.out,
        actor,
      });
      if (values.json) printJson(io, r);
      else {
        if (r.footage)
          io.out(
            `wrote the recorder's footage (exhibit ${r.footage.exhibit}, ${r.footage.bytes} bytes, sha256 ${r.footage.sha256}) with its working copy and a witness statement draft`,
          );
        io.out(`wrote master and working copies of ${r.items.length} still(s) of ${incidentId} to ${r.dir}`);
        io.out(`recorded in the disclosure register as audit entry ${r.auditSeq}`);
      }
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

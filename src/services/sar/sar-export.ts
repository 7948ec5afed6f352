// Subject access requests and police exports. A SAR gives the requester their images with every third party
// redacted (through the Redactor port, fail closed), a manifest and a signed cover sheet; the faces are the ones
// capture's face check stored with each still (StillChecks), detected here only for a still that has none. A police
// export gives the
// original evidence of a held incident as master and working copies with SHA-256 hashes and a continuity record.
// Both are manager-only and land in the disclosure register.
import type { AuditEntry } from '../../core/audit-chain.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { type DocLang, SAR_COVER_WORDS } from '../../core/documents/document-words.js';
import { exhibitReference, MASTER_METHOD_TEXT, type MasterRecord } from '../../core/evidence.js';
import { jpegSize } from '../../core/jpeg-size.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { RequesterClips } from '../../core/ports/clips.js';
import type { Clock } from '../../core/ports/clock.js';
import type { FileReader } from '../../core/ports/encrypted-files.js';
import type { MasterReader, WorkingCopyMaker } from '../../core/ports/evidence-masters.js';
import type { DetectedFace, Redactor } from '../../core/ports/redactor.js';
import type { Signer } from '../../core/ports/signer.js';
import type { StillChecks } from '../../core/ports/still-checks.js';
import type { StoredOriginal, StoredOriginals } from '../../core/ports/stored-originals.js';
import type { Box } from '../../core/redaction.js';
import { type Actor, requireManager } from '../actors.js';
import { witnessStatementHtml, witnessStatementText } from '../evidence/witness-statement.js';
import type { HoldService } from '../holds/holds.js';
import { buildFolder, ExportError, type FolderWriter, sha256 } from './export-folder.js';

export interface SarRequest {
  /** The SAR's own reference (the data controller's case number). */
  reference: string;
  incidentIds?: string[];
  camera?: number;
  from?: Date;
  to?: Date;
  /** The requester's face in each still: a box in pixels of the original, or the number of a face as listed by
   * `faces()` (1 = leftmost). Every other face is redacted. */
  keep?: ReadonlyMap<string, Box | { face: number }>;
  outDir: string;
  actor: Actor;
  /** The cover sheet's language (the requester's choice); English when absent. */
  lang?: DocLang;
}

export type SarSelection = Pick<SarRequest, 'incidentIds' | 'camera' | 'from' | 'to' | 'actor'>;

export interface StillFaces {
  stillId: string;
  incidentId: string;
  capturedAt: string;
  width: number;
  height: number;
  faces: { face: number; box: Box; score: number }[];
}

export interface SarResult {
  dir: string;
  reference: string;
  incidents: string[];
  items: {
    file: string;
    sha256: string;
    incidentId: string;
    stillId: string;
    facesRedacted: number;
    requesterShown: boolean;
  }[];
  /** The incidents' redacted clips with only the requester kept (when the clips feature runs). */
  clips: SarClipItem[];
  manifestSha256: string;
  auditSeq: number;
}

export interface SarClipItem {
  incidentId: string;
  /** Where it is in the answer; null when it could not be made (`reason`). */
  file: string | null;
  sha256: string | null;
  durationSeconds?: number;
  facesFilled?: number;
  requesterShown?: boolean;
  reason?: string;
}

export interface PoliceRequest {
  incidentId: string;
  /** The officer (name and collar number) the working copy is handed to. */
  officer: string;
  /** The police reference (crime number). */
  reference: string;
  outDir: string;
  actor: Actor;
  /** Told as the export moves on: each step, and the master's bytes as they are written (the web's progress bar). */
  onProgress?: (step: 'stills' | 'master' | 'working-copy' | 'statement', bytes?: number) => void;
}

export interface PoliceResult {
  dir: string;
  incidentId: string;
  holdId: string;
  items: { stillId: string; sha256: string; master: string; working: string }[];
  /** The recorder's footage of the incident window, exactly as sealed at acquisition (when there is one). */
  footage?: { file: string; sha256: string; bytes: number; method: string; exhibit: string };
  /** The MP4 working copy made from it. */
  workingCopy?: { file: string; sha256: string; how: 'remux' | 're-encode' };
  /** The witness statement drafts (text and HTML). */
  statement?: string[];
  manifestSha256: string;
  auditSeq: number;
}

export const SAR_RESPONSE_DAYS = 30;

export class DisclosureService {
  readonly #originals: StoredOriginals;
  readonly #files: FileReader;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #signer: Signer;
  readonly #redactor: Redactor;
  readonly #checks: Pick<StillChecks, 'load'>;
  readonly #holds: HoldService;
  readonly #siteId: string;
  readonly #evidence: PoliceEvidenceDeps;
  readonly #clips: RequesterClips | undefined;

  constructor(deps: {
    originals: StoredOriginals;
    files: FileReader;
    audit: AuditLog;
    clock: Clock;
    signer: Signer;
    redactor: Redactor;
    /** The face check capture stored per original: used instead of detecting the same still again. */
    checks: Pick<StillChecks, 'load'>;
    holds: HoldService;
    siteId: string;
    /** The police master, its working copy and the witness statement's facts; without it, stills only. */
    evidence?: PoliceEvidenceDeps;
    /** Redacted clips (the clips feature): each incident's clip with only the requester kept goes in the answer. */
    clips?: RequesterClips;
  }) {
    this.#clips = deps.clips;
    this.#originals = deps.originals;
    this.#files = deps.files;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#signer = deps.signer;
    this.#redactor = deps.redactor;
    this.#checks = deps.checks;
    this.#holds = deps.holds;
    this.#siteId = deps.siteId;
    this.#evidence = deps.evidence ?? {};
  }

  #read(row: StoredOriginal): Buffer {
    const bytes = this.#files.get(row.file, row.keyId ?? '');
    if (sha256(bytes) !== row.sha256)
      throw new ExportError(
        'evidence-altered',
        `still ${row.id} does not match the hash recorded at capture: not exported`,
      );
    return bytes;
  }

  /**
   * The still's faces: the check stored at capture (made by the detector from these very bytes, which #read has just
   * matched to the capture hash), or — for a still captured before checks were stored — the detector's, now.
   */
  async #faceCheck(
    row: StoredOriginal,
    image: Buffer,
  ): Promise<{ width: number; height: number; faces: DetectedFace[] }> {
    const stored = this.#checks.load(row.incidentId, row.id);
    if (stored) return { width: stored.width, height: stored.height, faces: stored.faces };
    return this.#redactor.detect(image);
  }

  #select(req: Pick<SarRequest, 'incidentIds' | 'camera' | 'from' | 'to'>): StoredOriginal[] {
    if (req.incidentIds && req.incidentIds.length > 0) {
      const rows: StoredOriginal[] = [];
      for (const id of req.incidentIds) {
        if (!this.#originals.incidentExists(id))
          throw new ExportError(
            'no-such-incident',
            `no incident ${id} on this appliance (deleted by retention, or a typo)`,
          );
        rows.push(...this.#originals.ofIncident(id));
      }
      return rows;
    }
    if (req.camera === undefined || !req.from || !req.to)
      throw new ExportError('sar-criteria', 'name incidents, or a camera with a --from and --to time window');
    return this.#originals.ofCamera(req.camera, req.from.toISOString(), req.to.toISOString());
  }

  async exportSar(req: SarRequest): Promise<SarResult> {
    requireManager(req.actor, 'answer a subject access request');
    const reference = req.reference.trim();
    if (!reference) throw new ExportError('sar-reference', 'a SAR export needs the request reference');
    const rows = this.#select(req);
    if (rows.length === 0)
      throw new ExportError('sar-nothing', 'no stored images match: they may already have been deleted by retention');
    for (const id of req.keep?.keys() ?? [])
      if (!rows.some((r) => r.id === id))
        throw new ExportError('sar-keep', `--keep names still ${id}, which is not in this export`);
    const now = this.#clock.now().toISOString();
    const incidents = [...new Set(rows.map((r) => r.incidentId))];
    const result = await buildFolder(req.outDir, async (w) => {
      const items: SarResult['items'] = [];
      const requesterIn = new Map<string, { box: Box; width: number; height: number; capturedAt: string }>();
      for (const row of rows) {
        const image = this.#read(row);
        const wanted = req.keep?.get(row.id);
        // Detection runs at most once per still, and not at all when capture stored its check: a keep given by face
        // number and the redaction both use the same face list.
        const check =
          this.#checks.load(row.incidentId, row.id) ??
          (wanted !== undefined && !Array.isArray(wanted) ? await this.#redactor.detect(image) : undefined);
        const keep = resolveKeep(row.id, check?.faces ?? [], wanted);
        // Fail closed: a still the redactor cannot process stops the whole export.
        const red = await this.#redactor.redact({
          image,
          ...(keep ? { keep: [keep] } : {}),
          ...(check ? { faces: check.faces } : {}),
          mode: 'solid',
        });
        const size = check ?? jpegSize(image);
        if (keep && size && !requesterIn.has(row.incidentId))
          requesterIn.set(row.incidentId, {
            box: keep,
            width: size.width,
            height: size.height,
            capturedAt: row.capturedAt,
          });
        const file = `images/${row.incidentId}-${row.id}.jpg`;
        items.push({
          file,
          sha256: w.write(file, red.bytes),
          incidentId: row.incidentId,
          stillId: row.id,
          facesRedacted: red.report.facesRedacted,
          requesterShown: keep !== undefined,
        });
      }
      // Each incident's redacted clip, made again with only the requester visible (all faces filled when they were
      // not picked on a still, or are not tracked in the clip). A clip that cannot be made is named, not hidden.
      const clips: SarClipItem[] = [];
      const clipMaker = this.#clips;
      for (const incidentId of clipMaker ? incidents : []) {
        const c = await clipMaker?.forRequester(incidentId, requesterIn.get(incidentId));
        if (!c) continue;
        if ('reason' in c) {
          clips.push({ incidentId, file: null, sha256: null, reason: c.reason });
          continue;
        }
        const file = `clips/${incidentId}.mp4`;
        clips.push({
          incidentId,
          file,
          sha256: w.write(file, c.bytes),
          durationSeconds: c.durationSeconds,
          facesFilled: c.facesFilled,
          requesterShown: c.requesterShown,
        });
      }
      const manifest = {
        type: 'bcrp-sar-export',
        site: this.#siteId,
        reference,
        createdAt: now,
        createdBy: req.actor.name,
        criteria: req.incidentIds?.length
          ? { incidents: req.incidentIds }
          : { camera: req.camera ?? null, from: req.from?.toISOString() ?? null, to: req.to?.toISOString() ?? null },
        items: items.map((i) => ({ ...i, capturedAt: rows.find((r) => r.id === i.stillId)?.capturedAt ?? null })),
        ...(clips.length > 0 ? { clips } : {}),
        note: 'Every face other than the requester\u2019s has been obscured on the device. Originals are not included.',
      };
      const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
      const manifestSha256 = w.write('manifest.json', manifestText);
      const cover = {
        type: 'bcrp-sar-cover-sheet',
        site: this.#siteId,
        reference,
        createdAt: now,
        createdBy: req.actor.name,
        images: items.length,
        manifestSha256,
      };
      w.write('cover-sheet.jws', `${await this.#signer.sign(cover)}\n`);
      w.write('signing-key.pub.pem', this.#signer.publicKeyPem());
      w.write('cover-sheet.txt', sarCoverText(cover, items, this.#signer.keyId, req.lang ?? 'en'));
      // Audited before the folder appears, so an export can never exist without its register entry.
      const entry = this.#audit.append({
        actor: req.actor.name,
        action: 'sar-export',
        subject: reference,
        details: {
          recipient: 'data subject (SAR)',
          reference,
          incidents,
          stills: rows.map((r) => r.id),
          items: items.length,
          ...(clips.length > 0 ? { clips: clips.map((c) => ({ incidentId: c.incidentId, sha256: c.sha256 })) } : {}),
          dir: req.outDir,
          manifestSha256,
        },
      });
      return { items, clips, manifestSha256, auditSeq: entry.seq };
    });
    return { dir: req.outDir, reference, incidents, ...result };
  }

  /** The faces the detector finds in each original still, numbered left to right, for choosing `keep`. */
  async faces(req: SarSelection): Promise<StillFaces[]> {
    requireManager(req.actor, 'answer a subject access request');
    const out: StillFaces[] = [];
    for (const row of this.#select(req)) {
      const found = await this.#faceCheck(row, this.#read(row));
      out.push({
        stillId: row.id,
        incidentId: row.incidentId,
        capturedAt: row.capturedAt,
        width: found.width,
        height: found.height,
        faces: numbered(found.faces),
      });
    }
    // Originals were decrypted and looked at (face boxes only leave): a view, with who, which stills and why.
    this.#audit.append({
      actor: req.actor.name,
      action: 'view',
      subject: 'sar',
      details: {
        purpose: 'sar-faces',
        why: 'find the requester\u2019s face in the originals to answer a subject access request',
        stills: out.map((s) => s.stillId),
        incidents: [...new Set(out.map((s) => s.incidentId))],
        originals: true,
      },
    });
    return out;
  }

  async exportForPolice(req: PoliceRequest): Promise<PoliceResult> {
    requireManager(req.actor, 'export evidence for the police');
    if (!req.officer.trim()) throw new ExportError('police-officer', 'name the officer the working copy is handed to');
    if (!req.reference.trim()) throw new ExportError('police-reference', 'a police export needs the crime reference');
    const hold = this.#holds.activeHold(req.incidentId);
    if (!hold)
      throw new ExportError(
        'not-held',
        `incident ${req.incidentId} is not under an evidence hold: place one first (bcrp-edge hold place), so the master copy's source is kept`,
      );
    const rows = this.#originals.ofIncident(req.incidentId);
    const master = this.#evidence.masters?.sealedMaster(req.incidentId);
    if (rows.length === 0 && !master)
      throw new ExportError('police-nothing', `incident ${req.incidentId} has no original stills or footage left`);
    const now = this.#clock.now().toISOString();
    const custody = [...this.#audit.entries()].filter((e) => concerns(e, req.incidentId, rows)).map(custodyLine);
    const result = await buildFolder(req.outDir, async (w) => {
      const items: PoliceResult['items'] = [];
      req.onProgress?.('stills');
      for (const row of rows) {
        const bytes = this.#read(row);
        const master = `master/${row.id}.jpg`;
        const working = `working/${row.id}.jpg`;
        w.write(master, bytes);
        w.write(working, bytes);
        items.push({ stillId: row.id, sha256: row.sha256, master, working });
      }
      const first = rows[0];
      const incident = this.#evidence.incident?.(req.incidentId);
      const camera = first?.camera ?? incident?.camera ?? master?.camera ?? 0;
      const triggerTime = first?.triggerTime ?? incident?.triggerTime ?? null;
      const footage = master ? await this.#footage(w, master, req.onProgress) : undefined;
      req.onProgress?.('statement');
      const continuity = {
        type: 'bcrp-police-export',
        site: this.#siteId,
        incident: { id: req.incidentId, camera, triggerTime },
        hold: { id: hold.id, reference: hold.reference, placedBy: hold.placedBy, placedAt: hold.placedAt },
        handedTo: req.officer,
        reference: req.reference,
        exportedBy: req.actor.name,
        exportedAt: now,
        items: items.map((i) => ({ ...i, capturedAt: rows.find((r) => r.id === i.stillId)?.capturedAt ?? null })),
        ...(footage && master
          ? { master: masterContinuity(master, footage), workingCopy: footage.working ?? null }
          : {}),
        custody,
        chainHead: this.#audit.head() ?? null,
      };
      const text = `${JSON.stringify(continuity, null, 2)}\n`;
      const manifestSha256 = w.write('continuity.json', text);
      w.write(
        'continuity.jws',
        `${await this.#signer.sign({ type: 'bcrp-police-export-seal', site: this.#siteId, incidentId: req.incidentId, reference: req.reference, exportedAt: now, continuitySha256: manifestSha256, items: items.map((i) => [i.stillId, i.sha256]), ...(footage && master ? { master: [master.id, footage.sha256] } : {}) })}\n`,
      );
      w.write('signing-key.pub.pem', this.#signer.publicKeyPem());
      w.write(
        'SHA256SUMS',
        [
          ...(footage ? [`${footage.sha256}  ${footage.file}`] : []),
          ...(footage?.working ? [`${footage.working.sha256}  ${footage.working.file}`] : []),
          ...items.flatMap((i) => [`${i.sha256}  ${i.master}`, `${i.sha256}  ${i.working}`]),
        ]
          .join('\n')
          .concat('\n'),
      );
      const statement: string[] = [];
      if (footage && master) {
        const facts = {
          siteId: this.#siteId,
          siteName: this.#evidence.siteName ?? null,
          incidentId: req.incidentId,
          camera,
          cameraName: this.#evidence.cameraName?.(camera) ?? null,
          triggerTime: triggerTime ?? master.windowFrom,
          master,
          exhibit: footage.exhibit,
          masterFile: footage.file,
          working: footage.working ?? null,
          stills: items.length,
          description: this.#evidence.description?.(req.incidentId) ?? null,
          officer: req.officer,
          reference: req.reference,
          exportedBy: req.actor.name,
          exportedAt: now,
          continuitySha256: manifestSha256,
        };
        w.write('witness-statement.txt', witnessStatementText(facts));
        w.write('witness-statement.html', witnessStatementHtml(facts));
        statement.push('witness-statement.txt', 'witness-statement.html');
      }
      w.write('README.txt', policeReadme(req, now, items.length, footage));
      const entry = this.#audit.append({
        actor: req.actor.name,
        action: 'police-export',
        subject: req.incidentId,
        details: {
          recipient: req.officer,
          reference: req.reference,
          incidentId: req.incidentId,
          holdId: hold.id,
          stills: rows.map((r) => r.id),
          items: items.length,
          ...(footage && master
            ? {
                master: { masterId: master.id, sha256: footage.sha256, bytes: footage.bytes, method: footage.method },
                workingCopySha256: footage.working?.sha256 ?? null,
              }
            : {}),
          dir: req.outDir,
          manifestSha256,
        },
      });
      return {
        items,
        ...(footage
          ? {
              footage: {
                file: footage.file,
                sha256: footage.sha256,
                bytes: footage.bytes,
                method: footage.method,
                exhibit: footage.exhibit,
              },
              ...(footage.working ? { workingCopy: footage.working } : {}),
              statement,
            }
          : {}),
        manifestSha256,
        auditSeq: entry.seq,
      };
    });
    return { dir: req.outDir, incidentId: req.incidentId, holdId: hold.id, ...result };
  }

  /**
   * The master written out exactly as sealed (decrypted record by record and checked against the acquisition
   * hash), with the recorder's file name, and the MP4 working copy made from it.
   */
  async #footage(w: FolderWriter, master: MasterRecord, onProgress?: PoliceRequest['onProgress']): Promise<FootageOut> {
    const reader = this.#evidence.masters!;
    const file = `master/${master.recorderName ?? `${master.id}.bin`}`;
    onProgress?.('master', 0);
    const written = await w.writeStream(file, counted(reader.readMaster(master.incidentId), onProgress));
    if (written.sha256 !== master.sha256)
      throw new ExportError(
        'evidence-altered',
        `the police master of incident ${master.incidentId} does not match the hash taken at acquisition: not exported`,
      );
    let working: FootageOut['working'];
    const maker = this.#evidence.workingCopy;
    if (maker) {
      onProgress?.('working-copy');
      const base = (master.recorderName ?? master.id).replace(/\.[^.]+$/, '');
      const out = `working/${base}-WORKING-COPY.mp4`;
      const made = await maker.make(w.pathOf(file), w.pathOf(out));
      working = { file: out, sha256: await w.hashOf(out), how: made.how };
    }
    return {
      file,
      sha256: written.sha256,
      bytes: written.bytes,
      method: master.method ?? 'unknown',
      exhibit: exhibitReference(this.#siteId, master.incidentId),
      ...(working ? { working } : {}),
    };
  }
}

/** What the police export needs for the master: the read port, a working-copy maker and the statement's facts. */
export interface PoliceEvidenceDeps {
  masters?: MasterReader;
  workingCopy?: WorkingCopyMaker;
  siteName?: string;
  cameraName?: (camera: number) => string | undefined;
  /** What the reviewer wrote of the incident (the review draft's description). */
  description?: (incidentId: string) => string | undefined;
  /** The incident's camera and time, for an incident whose stills are gone. */
  incident?: (incidentId: string) => { camera: number; triggerTime: string } | undefined;
}

interface FootageOut {
  file: string;
  sha256: string;
  bytes: number;
  method: string;
  exhibit: string;
  working?: { file: string; sha256: string; how: 'remux' | 're-encode' };
}

function masterContinuity(m: MasterRecord, f: FootageOut) {
  return {
    masterId: m.id,
    exhibit: f.exhibit,
    file: f.file,
    recorderName: m.recorderName,
    container: m.container,
    sha256: f.sha256,
    bytes: f.bytes,
    method: m.method,
    methodText: m.method ? MASTER_METHOD_TEXT[m.method] : null,
    acquiredAt: m.sealedAt,
    window: { from: m.windowFrom, to: m.windowTo },
    recorderWindow: { from: m.recorderFrom, to: m.recorderTo, recordedTo: m.recorderEnd },
    complete: m.complete,
    recorderClock: { offsetMs: m.clockOffsetMs, source: m.clockSource, readAt: m.clockReadAt },
    recorder: { make: m.recorderMake, model: m.recorderModel, firmware: m.recorderFirmware, serial: m.recorderSerial },
    acquisitionAuditSeq: m.auditSeq,
  };
}

/** The box to keep visible: as given, or face N of the still's faces as `faces()` numbers them. */
function resolveKeep(
  stillId: string,
  found: DetectedFace[],
  keep: Box | { face: number } | undefined,
): Box | undefined {
  if (keep === undefined || Array.isArray(keep)) return keep;
  const faces = numbered(found);
  const chosen = faces.find((f) => f.face === keep.face);
  if (!chosen)
    throw new ExportError(
      'sar-keep',
      `still ${stillId} has ${faces.length} detected face(s); there is no face ${keep.face}`,
    );
  return chosen.box;
}

/** Faces numbered 1… from left to right (then top to bottom), so a person can name one by position. */
function numbered(faces: { box: Box; score: number }[]): { face: number; box: Box; score: number }[] {
  return [...faces]
    .sort((a, b) => a.box[0] - b.box[0] || a.box[1] - b.box[1])
    .map((f, i) => ({ face: i + 1, box: f.box, score: f.score }));
}

function concerns(e: AuditEntry, incidentId: string, rows: StoredOriginal[]): boolean {
  if (e.subject === incidentId || e.details['incidentId'] === incidentId) return true;
  const inc = e.details['incidents'];
  if (Array.isArray(inc) && inc.includes(incidentId)) return true;
  return rows.some((r) => r.id === e.subject);
}

function custodyLine(e: AuditEntry) {
  return {
    seq: e.seq,
    time: e.time,
    action: e.action,
    by: e.actor,
    subject: e.subject,
    hash: e.hash,
    details: canonicalJson(e.details),
  };
}

export function sarCoverText(
  cover: {
    site: string;
    reference: string;
    createdAt: string;
    createdBy: string;
    images: number;
    manifestSha256: string;
  },
  items: SarResult['items'],
  keyId: string,
  lang: DocLang,
): string {
  const d = SAR_COVER_WORDS[lang];
  // Labels padded to one column, whatever their length in either language.
  const labels = [d.reference, d.site, d.preparedLabel, d.imagesLabel];
  const width = Math.max(...labels.map((l) => l.length), 19) + 1;
  const row = (label: string, value: string) => `${label.padEnd(width)}${value}`;
  return [
    d.title,
    '',
    row(d.reference, cover.reference),
    row(d.site, cover.site),
    row(d.preparedLabel, d.prepared(cover.createdAt, cover.createdBy)),
    row(d.imagesLabel, d.images(cover.images)),
    '',
    ...d.obscured,
    d.answerWithin(SAR_RESPONSE_DAYS),
    '',
    d.contents,
    ...items.map((i) => `  ${i.file}  sha256 ${i.sha256}  ${d.item(i.facesRedacted, i.requesterShown)}`),
    '',
    `${d.manifest} ${cover.manifestSha256}`,
    d.signed(keyId),
    '',
  ].join('\n');
}

function policeReadme(req: PoliceRequest, now: string, n: number, footage: FootageOut | undefined): string {
  return [
    'EVIDENCE EXPORT: MASTER AND WORKING COPIES',
    '',
    `Incident:   ${req.incidentId}`,
    `Reference:  ${req.reference}`,
    `Handed to:  ${req.officer}`,
    `Exported:   ${now} by ${req.actor.name}`,
    `Stills:     ${n}`,
    '',
    ...(footage
      ? [
          `Footage:    exhibit ${footage.exhibit}, ${footage.file} (${footage.bytes} bytes, retrieved by ${footage.method})`,
          '',
        ]
      : []),
    'master/   the recorder\u2019s own footage of the incident window exactly as it gave it (never decoded or',
    '          re-encoded) and the original stills exactly as captured. Seal and retain; do not open.',
    'working/  copies for viewing and issue: an MP4 working copy of the footage made with ffmpeg (named',
    '          WORKING-COPY) and identical copies of the stills.',
    'SHA256SUMS  hashes of every file above (check with: sha256sum -c SHA256SUMS); the master\u2019s and the',
    '          stills\u2019 equal the hashes taken when the appliance received them.',
    'witness-statement.txt / .html  a witness statement draft pre-filled from what the appliance recorded.',
    'continuity.json  the incident, the evidence hold and every audited action on it (continuity record).',
    'continuity.jws   the appliance\u2019s signature over continuity.json\u2019s hash and the still hashes.',
    '',
  ].join('\n');
}

/** The master's records passed on as they are, with the running byte count told to `onProgress`. */
async function* counted(
  chunks: AsyncIterable<Buffer>,
  onProgress: PoliceRequest['onProgress'],
): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const c of chunks) {
    bytes += c.length;
    onProgress?.('master', bytes);
    yield c;
  }
}

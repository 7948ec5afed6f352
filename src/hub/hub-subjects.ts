// Collation at the hub: administrators relate reports about the same person to one subject record (a hub-assigned
// reference), fill in the fields only they may see (name, alias, notes), and the hub computes retention from the
// linked reports (core/packet/retention.ts). Every change is appended to the hub's audit chain, an edit with the
// value it replaced, so a correction never loses what was there before.
import { randomBytes } from 'node:crypto';
import { AppError } from '../core/errors.js';
import {
  hubRetention,
  phaseOf,
  type ReportRetention,
  type RetentionPhase,
  type RetentionRule,
} from '../core/packet/retention.js';
import type { Clock } from '../core/ports/clock.js';
import type { HubStore, LinkResult, SubjectFields, SubjectRecord } from '../core/ports/hub-store.js';
import { HubAudit } from './hub-audit.js';

const MAX_FIELD = 500;

const LINK_PROBLEMS: Record<Exclude<LinkResult, 'linked' | 'already-linked'>, (p: string, s: string) => string> = {
  'no-packet': (p) => `no packet ${p} in the hub store`,
  'deleted-packet': (p) => `packet ${p} was deleted under retention; there is nothing left to link`,
  'no-subject': (_p, s) => `no subject ${s} (see hub subject list)`,
  'deleted-subject': (_p, s) => `subject ${s} was deleted under retention`,
  'linked-elsewhere': (p) => `packet ${p} is linked to another subject; unlink it there first`,
};

export class HubSubjects {
  readonly #store: HubStore;
  readonly #clock: Clock;
  readonly #audit: HubAudit;

  constructor(store: HubStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
    this.#audit = new HubAudit(store, clock);
  }

  /** A new subject with a fresh hub reference, optionally with reports linked at once. */
  async create(actor: string, fields: SubjectFields = {}, packetIds: string[] = []): Promise<SubjectRecord> {
    const clean = checkFields(fields);
    // Check the packets first, so a bad id creates nothing.
    for (const id of packetIds) {
      const p = await this.#store.get(id);
      if (!p) throw new AppError('not-found', LINK_PROBLEMS['no-packet'](id, ''));
      if (p.subjectRef) throw new AppError('linked-elsewhere', LINK_PROBLEMS['linked-elsewhere'](id, ''));
    }
    let ref = '';
    for (let i = 0; i < 5 && !ref; i++) {
      const candidate = `S-${randomBytes(5).toString('hex')}`;
      if (await this.#store.createSubject({ ref: candidate, createdAt: this.#now(), createdBy: actor, ...clean }))
        ref = candidate;
    }
    if (!ref) throw new AppError('subject-ref', 'could not allocate a subject reference; try again');
    await this.#audit.append({
      actor,
      action: 'subject-change',
      subject: ref,
      // The fields themselves stay out of the chain (it outlives the subject's deletion); only which were set.
      details: { change: 'created', fields: Object.keys(clean) },
    });
    for (const id of packetIds) await this.link(actor, ref, id);
    return (await this.#store.subject(ref))!;
  }

  async link(actor: string, ref: string, packetId: string): Promise<'linked' | 'already-linked'> {
    const r = await this.#store.linkPacket({ packetId, subjectRef: ref, at: this.#now(), by: actor });
    if (r !== 'linked' && r !== 'already-linked')
      throw new AppError(r === 'no-packet' || r === 'no-subject' ? 'not-found' : r, LINK_PROBLEMS[r](packetId, ref));
    if (r === 'linked')
      await this.#audit.append({
        actor,
        action: 'subject-change',
        subject: ref,
        details: { change: 'linked', packetId },
      });
    return r;
  }

  async unlink(actor: string, ref: string, packetId: string): Promise<void> {
    if (!(await this.#store.unlinkPacket(packetId, ref)))
      throw new AppError('not-found', `packet ${packetId} is not linked to subject ${ref} (or was deleted)`);
    await this.#audit.append({
      actor,
      action: 'subject-change',
      subject: ref,
      details: { change: 'unlinked', packetId },
    });
  }

  /** A correction: the new values, and in the audit chain the values they replace. */
  async edit(actor: string, ref: string, fields: SubjectFields): Promise<SubjectRecord> {
    const clean = checkFields(fields);
    if (Object.keys(clean).length === 0)
      throw new AppError('usage', 'nothing to change: give --name, --alias or --notes');
    const before = await this.#store.updateSubject(ref, clean);
    if (!before) throw new AppError('not-found', `no active subject ${ref}`);
    await this.#audit.append({
      actor,
      action: 'subject-change',
      subject: ref,
      details: {
        change: 'edited',
        previous: before as Record<string, string | null>,
        now: clean as Record<string, string | null>,
      },
    });
    return (await this.#store.subject(ref))!;
  }

  async show(ref: string): Promise<SubjectRecord> {
    const s = await this.#store.subject(ref);
    if (!s) throw new AppError('not-found', `no subject ${ref} (see hub subject list)`);
    return s;
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }
}

function checkFields(f: SubjectFields): SubjectFields {
  const out: SubjectFields = {};
  for (const k of ['name', 'alias', 'notes'] as const) {
    const v = f[k];
    if (v === undefined) continue;
    if (v !== null && v.length > MAX_FIELD)
      throw new AppError('field-too-long', `--${k} is ${v.length} characters; at most ${MAX_FIELD}`);
    out[k] = v === null || v.trim() === '' ? null : v.trim();
  }
  return out;
}

/** One packet in `hub retention`: what the rule says at `now`, and what the store holds. */
export interface PacketRetentionLine {
  id: string;
  siteId: string;
  subjectRef: string | null;
  receivedAt: string;
  /** The phase the rule gives at `now`. */
  phase: RetentionPhase;
  /** What the store records (before a sweep applies the rule). */
  storedPhase: 'shared' | 'admin-only';
  shareUntil: string;
  deleteAt: string;
  rule: RetentionRule;
  why: string;
  /** The class the device asserted: advisory. */
  deviceClass: string;
  /** What a sweep at `now` does to it. */
  action: 'none' | 'withdraw' | 'delete';
}

export interface SubjectRetentionLine {
  ref: string;
  reports: number;
  firstReport: string;
  lastReport: string;
  /** The latest end of sharing and of keeping among its reports. */
  shareUntil: string;
  deleteAt: string;
  phase: RetentionPhase;
}

export interface RetentionReportDoc {
  now: string;
  packets: PacketRetentionLine[];
  subjects: SubjectRetentionLine[];
  summary: { shared: number; adminOnly: number; dueWithdraw: number; dueDelete: number };
}

/** Retention of every packet the hub holds (not deleted), computed as the sweep computes it. */
export async function retentionReport(store: HubStore, now: Date): Promise<RetentionReportDoc> {
  const rows = await store.retentionRows();
  const computed = hubRetention(rows);
  const packets: PacketRetentionLine[] = [];
  const bySubject = new Map<string, { rows: typeof rows; r: ReportRetention[] }>();
  const summary = { shared: 0, adminOnly: 0, dueWithdraw: 0, dueDelete: 0 };
  for (const row of rows) {
    const r = computed.get(row.id)!;
    const phase = phaseOf(r, now);
    const action =
      phase === 'delete' ? 'delete' : phase === 'admin-only' && row.phase === 'shared' ? 'withdraw' : 'none';
    if (phase === 'shared') summary.shared++;
    else if (phase === 'admin-only') summary.adminOnly++;
    if (action === 'withdraw') summary.dueWithdraw++;
    if (action === 'delete') summary.dueDelete++;
    packets.push({
      id: row.id,
      siteId: row.siteId,
      subjectRef: row.subjectRef ?? null,
      receivedAt: row.receivedAt,
      phase,
      storedPhase: row.phase,
      shareUntil: r.shareUntil.toISOString(),
      deleteAt: r.deleteAt.toISOString(),
      rule: r.rule,
      why: r.why,
      deviceClass: row.deviceClass,
      action,
    });
    if (row.subjectRef) {
      const e = bySubject.get(row.subjectRef) ?? { rows: [], r: [] };
      e.rows.push(row);
      e.r.push(r);
      bySubject.set(row.subjectRef, e);
    }
  }
  packets.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id.localeCompare(b.id));
  const subjects: SubjectRetentionLine[] = [...bySubject.entries()].map(([ref, e]) => {
    const received = e.rows.map((x) => x.receivedAt).sort();
    const shareUntil = new Date(Math.max(...e.r.map((x) => x.shareUntil.getTime())));
    const deleteAt = new Date(Math.max(...e.r.map((x) => x.deleteAt.getTime())));
    return {
      ref,
      reports: e.rows.length,
      firstReport: received[0]!,
      lastReport: received.at(-1)!,
      shareUntil: shareUntil.toISOString(),
      deleteAt: deleteAt.toISOString(),
      phase: phaseOf({ shareUntil, deleteAt }, now),
    };
  });
  subjects.sort((a, b) => a.ref.localeCompare(b.ref));
  return { now: now.toISOString(), packets, subjects, summary };
}

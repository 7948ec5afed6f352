// BCRP retention (seed 001) as the hub applies it: a packet is shared with members for its class's period (or
// until withdrawn), then kept for the administrator only for 12 months, then deleted. Pure: time is passed in.
import type { RetentionClass } from './manifest.js';

export type RetentionPhase = 'shared' | 'admin-only' | 'delete';

const SHARE_MONTHS: Record<RetentionClass, number> = { 'shared-12m': 12, 'shared-24m-second-report': 24 };
export const ADMIN_ONLY_MONTHS = 12;

export function addMonths(iso: string, months: number): Date {
  const d = new Date(iso);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  // 31 January + 1 month is the last day of February, not 3 March.
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export interface RetentionDates {
  /** End of sharing with members: the class period from receipt, or the withdrawal if earlier. */
  shareUntil: Date;
  /** Deletion: 12 months after sharing ended. */
  deleteAt: Date;
}

export function retentionDates(cls: RetentionClass, receivedAt: string, withdrawnAt?: string | null): RetentionDates {
  let shareUntil = addMonths(receivedAt, SHARE_MONTHS[cls]);
  if (withdrawnAt && new Date(withdrawnAt) < shareUntil) shareUntil = new Date(withdrawnAt);
  return { shareUntil, deleteAt: addMonths(shareUntil.toISOString(), ADMIN_ONLY_MONTHS) };
}

export function retentionPhase(
  cls: RetentionClass,
  receivedAt: string,
  now: Date,
  withdrawnAt?: string | null,
): RetentionPhase {
  const { shareUntil, deleteAt } = retentionDates(cls, receivedAt, withdrawnAt);
  if (now < shareUntil) return 'shared';
  if (now < deleteAt) return 'admin-only';
  return 'delete';
}

// ---- Collation: retention computed by the hub from the reports it links to one subject (seed 001). ----
// The device's retentionClass is advisory: the hub records it but never trusts it. What decides is how many reports
// the hub holds about the same subject, and when they arrived.

export const FIRST_REPORT_SHARE_MONTHS = 12;
export const FURTHER_REPORT_SHARE_MONTHS = 24;

/** One report (a stored packet) as the retention rule sees it. */
export interface RetentionReport {
  id: string;
  receivedAt: string;
  /** The subject the hub linked it to; null/undefined: an unlinked packet, a subject of one report. */
  subjectRef?: string | null;
  /** Withdrawn from members by an administrator: sharing ends then, whatever the rule says. */
  withdrawnAt?: string | null;
  /** When the hub moved it to administrator-only: it is never shared again, and deleted 12 months after. */
  adminOnlyAt?: string | null;
}

export type RetentionRule = 'first-report' | 'further-report' | 'withdrawn' | 'admin-only-kept';

export interface ReportRetention {
  id: string;
  subjectRef: string | null;
  shareUntil: Date;
  deleteAt: Date;
  rule: RetentionRule;
  /** Plain words: which report set the period and why. */
  why: string;
  /** How many reports the subject has (1 for an unlinked packet). */
  reports: number;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The seed-001 rule over one subject's reports, oldest first: a first report is shared 12 months; a further report
 * that arrives while the subject is still shared extends sharing of everything about the subject to 24 months from
 * that report (a third report likewise, from the third); a report after sharing ended starts a new 12-month period
 * for itself and does not bring earlier, withdrawn reports back. Each report is then administrator-only for 12
 * months and deleted.
 */
export function subjectRetention(reports: readonly RetentionReport[]): ReportRetention[] {
  const sorted = [...reports].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id.localeCompare(b.id));
  interface Period {
    end: Date;
    rule: 'first-report' | 'further-report';
    basis: RetentionReport;
    members: RetentionReport[];
  }
  const periods: Period[] = [];
  for (const r of sorted) {
    const at = new Date(r.receivedAt);
    const open = periods.at(-1);
    if (open && at < open.end) {
      const extended = addMonths(r.receivedAt, FURTHER_REPORT_SHARE_MONTHS);
      if (extended > open.end) {
        open.end = extended;
        open.rule = 'further-report';
        open.basis = r;
      }
      open.members.push(r);
    } else {
      periods.push({
        end: addMonths(r.receivedAt, FIRST_REPORT_SHARE_MONTHS),
        rule: 'first-report',
        basis: r,
        members: [r],
      });
    }
  }
  const out: ReportRetention[] = [];
  for (const p of periods)
    for (const r of p.members) {
      let shareUntil = p.end;
      let rule: RetentionRule = p.rule;
      let why =
        p.rule === 'first-report'
          ? `first report (${day(new Date(p.basis.receivedAt))}): shared ${FIRST_REPORT_SHARE_MONTHS} months`
          : `further report ${p.basis.id} (${day(new Date(p.basis.receivedAt))}) while shared: shared ${FURTHER_REPORT_SHARE_MONTHS} months from it`;
      if (r.withdrawnAt && new Date(r.withdrawnAt) < shareUntil) {
        shareUntil = new Date(r.withdrawnAt);
        rule = 'withdrawn';
        why = `withdrawn by an administrator (${day(shareUntil)})`;
      }
      // Once administrator-only, never shared again (a late link cannot revive it), and deleted on time.
      if (r.adminOnlyAt && new Date(r.adminOnlyAt) < shareUntil) {
        shareUntil = new Date(r.adminOnlyAt);
        rule = 'admin-only-kept';
        why = `administrator-only since ${day(shareUntil)}; a later report does not share it again`;
      }
      out.push({
        id: r.id,
        subjectRef: r.subjectRef ?? null,
        shareUntil,
        deleteAt: addMonths(shareUntil.toISOString(), ADMIN_ONLY_MONTHS),
        rule,
        why,
        reports: sorted.length,
      });
    }
  return out;
}

/** Every report's retention: linked ones per subject, each unlinked one on its own (the single-report rule). */
export function hubRetention(reports: readonly RetentionReport[]): Map<string, ReportRetention> {
  const bySubject = new Map<string, RetentionReport[]>();
  const out = new Map<string, ReportRetention>();
  for (const r of reports) {
    if (!r.subjectRef) {
      for (const x of subjectRetention([r])) out.set(x.id, x);
      continue;
    }
    const list = bySubject.get(r.subjectRef) ?? [];
    list.push(r);
    bySubject.set(r.subjectRef, list);
  }
  for (const list of bySubject.values()) for (const x of subjectRetention(list)) out.set(x.id, x);
  return out;
}

export function phaseOf(r: Pick<ReportRetention, 'shareUntil' | 'deleteAt'>, now: Date): RetentionPhase {
  if (now < r.shareUntil) return 'shared';
  if (now < r.deleteAt) return 'admin-only';
  return 'delete';
}

/** What a sweep at `now` changes: packets whose sharing ended, and packets past deletion. */
export function sweepActions(
  reports: readonly (RetentionReport & { phase: 'shared' | 'admin-only' })[],
  now: Date,
): { toAdminOnly: string[]; toDelete: string[] } {
  const computed = hubRetention(reports);
  const toAdminOnly: string[] = [];
  const toDelete: string[] = [];
  for (const r of reports) {
    const phase = phaseOf(computed.get(r.id)!, now);
    if (phase === 'delete') toDelete.push(r.id);
    else if (phase === 'admin-only' && r.phase === 'shared') toAdminOnly.push(r.id);
  }
  return { toAdminOnly, toDelete };
}

/**
 * What the hub does, in plain words built from the same constants the rule uses: the compliance report quotes these
 * (services/compliance/principles.ts), and test/unit/hub-retention.test.ts checks every figure in them against
 * subjectRetention, so the report cannot claim what the hub does not do.
 */
export const HUB_RETENTION_STATEMENTS = {
  firstReport: `The reference hub shares a report with members for ${FIRST_REPORT_SHARE_MONTHS} months from receipt when it is the subject's first report or not linked to a subject; the class the device writes into the packet is recorded as advisory, not used (core/packet/retention.ts, applied at every hub sweep).`,
  furtherReport: `The hub computes this from the reports it holds about the same subject reference: a further report linked while the subject is shared extends sharing of everything about the subject to ${FURTHER_REPORT_SHARE_MONTHS} months from that report; a report after sharing ended starts its own ${FIRST_REPORT_SHARE_MONTHS} months and does not bring withdrawn reports back (bcrp-edge hub retention --dry-run shows each packet's dates and why).`,
  afterSharing: `When sharing ends the hub moves each packet to administrator-only for ${ADMIN_ONLY_MONTHS} months, then deletes its images and manifest at the sweep; a tombstone row keeps the deletion time, and a subject whose every report is deleted loses its name, alias and notes.`,
} as const;

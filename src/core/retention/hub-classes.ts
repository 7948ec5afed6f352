// The BCRP retention classes the hub enforces (privacy notice, seed 001), as a pure function the hub calls with
// the reports it holds and the time. A subject reported once is shared with members for 12 months; a further
// report during that period shares everything about the subject for 24 months from that report (and again from
// any later report while still shared); then it is withdrawn to the administrator for 12 months; then deleted.

export type HubRetentionClass = 'shared-12m' | 'shared-24m-second-report';
export type HubState = 'shared' | 'admin-only' | 'deleted';

export interface HubReport {
  /** Packet / incident id. */
  id: string;
  /** The partnership's reference for the person reported (offender record id). */
  subjectRef: string;
  /** When the member reported it (the time the hub accepted the packet). */
  reportedAt: string;
}

export interface HubRetentionStatus {
  id: string;
  subjectRef: string;
  class: HubRetentionClass;
  state: HubState;
  /** Members stop seeing it at this time. */
  withdrawAt: string;
  /** Irrevocably deleted at this time. */
  deleteAt: string;
  why: string;
}

export const SHARED_MONTHS = 12;
export const SHARED_AFTER_SECOND_REPORT_MONTHS = 24;
export const ADMIN_ONLY_MONTHS = 12;

/** Adds calendar months in UTC; the 31st plus one month is the last day of the shorter month. */
export function addMonthsUtc(iso: string | Date, months: number): Date {
  const d = new Date(iso);
  const target = new Date(
    Date.UTC(
      d.getUTCFullYear(),
      d.getUTCMonth() + months,
      1,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target;
}

interface Episode {
  reports: HubReport[];
  withdrawAt: Date;
  repeat: boolean;
}

/** Groups one subject's reports into sharing episodes: a report after withdrawal starts a new one. */
function episodes(reports: HubReport[]): Episode[] {
  const sorted = [...reports].sort((a, b) => a.reportedAt.localeCompare(b.reportedAt) || a.id.localeCompare(b.id));
  const out: Episode[] = [];
  for (const r of sorted) {
    const at = new Date(r.reportedAt);
    const cur = out.at(-1);
    if (cur && at.getTime() < cur.withdrawAt.getTime()) {
      cur.reports.push(r);
      cur.repeat = true;
      const extended = addMonthsUtc(at, SHARED_AFTER_SECOND_REPORT_MONTHS);
      if (extended > cur.withdrawAt) cur.withdrawAt = extended;
    } else {
      out.push({ reports: [r], withdrawAt: addMonthsUtc(at, SHARED_MONTHS), repeat: false });
    }
  }
  return out;
}

/** The class and state of every report at `now`. */
export function hubRetention(reports: readonly HubReport[], now: Date): HubRetentionStatus[] {
  const bySubject = new Map<string, HubReport[]>();
  for (const r of reports) bySubject.set(r.subjectRef, [...(bySubject.get(r.subjectRef) ?? []), r]);
  const out: HubRetentionStatus[] = [];
  for (const [subjectRef, list] of bySubject) {
    for (const ep of episodes(list)) {
      const deleteAt = addMonthsUtc(ep.withdrawAt, ADMIN_ONLY_MONTHS);
      const state: HubState = now < ep.withdrawAt ? 'shared' : now < deleteAt ? 'admin-only' : 'deleted';
      const cls: HubRetentionClass = ep.repeat ? 'shared-24m-second-report' : 'shared-12m';
      const last = ep.reports.at(-1) as HubReport;
      const why = ep.repeat
        ? `reported ${ep.reports.length} times while shared; shared for 24 months from the report of ${last.reportedAt.slice(0, 10)}, then 12 months administrator-only`
        : `reported once (${last.reportedAt.slice(0, 10)}); shared for 12 months, then 12 months administrator-only`;
      for (const r of ep.reports) {
        out.push({
          id: r.id,
          subjectRef,
          class: cls,
          state,
          withdrawAt: ep.withdrawAt.toISOString(),
          deleteAt: deleteAt.toISOString(),
          why,
        });
      }
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export interface HubRetentionAction {
  id: string;
  subjectRef: string;
  action: 'withdraw' | 'delete';
  at: string;
  why: string;
}

/**
 * What the hub must do now given what it last did: reports whose state moved on since `previous` (the state the
 * hub recorded for each id). The hub applies these and keeps the list as its report of what was withdrawn and
 * deleted and when.
 */
export function hubRetentionActions(
  reports: readonly HubReport[],
  previous: ReadonlyMap<string, HubState>,
  now: Date,
): HubRetentionAction[] {
  const actions: HubRetentionAction[] = [];
  for (const s of hubRetention(reports, now)) {
    const before = previous.get(s.id) ?? 'shared';
    if (s.state === 'admin-only' && before === 'shared') {
      actions.push({ id: s.id, subjectRef: s.subjectRef, action: 'withdraw', at: s.withdrawAt, why: s.why });
    }
    if (s.state === 'deleted' && before !== 'deleted') {
      actions.push({ id: s.id, subjectRef: s.subjectRef, action: 'delete', at: s.deleteAt, why: s.why });
    }
  }
  return actions;
}

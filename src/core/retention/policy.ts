// The appliance's local retention policy as a pure function: given what the store holds, the evidence holds and
// the time, it says what is due for deletion and why. The sweeper (services/retention) does the deleting; keeping
// the decision here means a dry run, the compliance report and the tests all see exactly the same rules.

export const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  /** Unredacted originals, counted from the moment the frame was recorded. */
  originalsDays: number;
  /** Redacted stills of an incident that was never sent. */
  draftsDays: number;
  /** Local copies of sent packets (redacted stills and outbox rows), counted from the hub's acknowledgement. */
  sentDays: number;
  /** Incidents whose capture failed, counted from the trigger. */
  failedCapturesDays: number;
}

export interface StillFacts {
  id: string;
  kind: 'original' | 'redacted' | 'subject-crop' | 'context';
  capturedAt: string;
  createdAt: string;
}

/** The police master of an incident (the recorder's footage, encrypted): it follows the originals' period. */
export interface MasterFacts {
  id: string;
  /** Start of the recorded window (appliance time): the footage's age counts from there, like a still's. */
  windowFrom: string;
}

export interface OutboxFacts {
  id: string;
  state: 'queued' | 'sent' | 'acked' | 'failed';
  createdAt: string;
  ackedAt: string | null;
}

export interface IncidentFacts {
  id: string;
  status: string;
  createdAt: string;
  stills: StillFacts[];
  outbox: OutboxFacts[];
  /** Its police master, when one was acquired (or attempted). */
  masters?: MasterFacts[];
}

export interface HoldFacts {
  id: string;
  incidentId: string;
  reference: string | null;
  expiresAt: string | null;
  releasedAt: string | null;
}

export type Target = 'still' | 'master' | 'outbox' | 'incident';

/** One thing that must go now, with the tombstone text the audit row will carry. */
export interface Deletion {
  target: Target;
  id: string;
  incidentId: string;
  /** e.g. "original still", "redacted still (never sent)", "outbox copy of a sent packet". */
  what: string;
  /** Why it is due, in words an auditor can check against the dates. */
  why: string;
  /** The config key and value that made it due, e.g. "retention.originalsDays=30". */
  policy: string;
  dueAt: string;
  /** The still's kind when target is 'still'. */
  kind?: StillFacts['kind'];
}

export interface Exemption {
  incidentId: string;
  holdId: string;
  reason: string;
  /** Items that would have been deleted now but for the hold. */
  items: number;
}

export interface RetentionDecision {
  now: string;
  due: Deletion[];
  held: Exemption[];
  /** The earliest time anything still kept becomes due (not counting held data); null when nothing is pending. */
  nextDueAt: string | null;
}

const IN_FLIGHT = new Set(['queued', 'sent']);

export function isHoldActive(hold: HoldFacts, now: Date): boolean {
  if (hold.releasedAt !== null) return false;
  return hold.expiresAt === null || new Date(hold.expiresAt).getTime() > now.getTime();
}

const plusDays = (iso: string, days: number): Date => new Date(new Date(iso).getTime() + days * DAY_MS);
const date = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString()).slice(0, 10);

interface Pending {
  deletion: Omit<Deletion, 'dueAt'>;
  dueAt: Date | null; // null: not due while its state lasts (e.g. a packet still on its way)
}

function stillPending(inc: IncidentFacts, s: StillFacts, p: RetentionPolicy, failed: boolean): Pending {
  const base = { target: 'still' as const, id: s.id, incidentId: inc.id, kind: s.kind };
  if (failed) {
    return {
      deletion: {
        ...base,
        what: `${s.kind} still of a failed capture`,
        why: `the capture failed on ${date(inc.createdAt)}; failed captures are kept ${p.failedCapturesDays} days`,
        policy: `retention.failedCapturesDays=${p.failedCapturesDays}`,
      },
      dueAt: plusDays(inc.createdAt, p.failedCapturesDays),
    };
  }
  if (s.kind === 'original') {
    return {
      deletion: {
        ...base,
        what: 'original still (unredacted, encrypted)',
        why: `recorded on ${date(s.capturedAt)}; originals are kept ${p.originalsDays} days`,
        policy: `retention.originalsDays=${p.originalsDays}`,
      },
      dueAt: plusDays(s.capturedAt, p.originalsDays),
    };
  }
  // A packet on its way may carry this still: keep it until the hub has answered, whatever older packets did.
  if (inc.outbox.some((o) => IN_FLIGHT.has(o.state))) {
    return {
      deletion: { ...base, what: `${s.kind} still`, why: 'packet awaiting acknowledgement', policy: '' },
      dueAt: null,
    };
  }
  const acks = inc.outbox.filter((o) => o.state === 'acked' && o.ackedAt).map((o) => o.ackedAt as string);
  if (acks.length > 0) {
    const lastAck = acks.sort().at(-1) as string;
    return {
      deletion: {
        ...base,
        what: `${s.kind} still (local copy of a sent packet)`,
        why: `the hub acknowledged the packet on ${date(lastAck)}; sent copies are kept ${p.sentDays} days after that`,
        policy: `retention.sentDays=${p.sentDays}`,
      },
      dueAt: plusDays(lastAck, p.sentDays),
    };
  }
  return {
    deletion: {
      ...base,
      what: `${s.kind} still (never sent)`,
      why: `made on ${date(s.createdAt)} and never sent; unsent drafts are kept ${p.draftsDays} days`,
      policy: `retention.draftsDays=${p.draftsDays}`,
    },
    dueAt: plusDays(s.createdAt, p.draftsDays),
  };
}

function masterPending(inc: IncidentFacts, m: MasterFacts, p: RetentionPolicy): Pending {
  return {
    deletion: {
      target: 'master',
      id: m.id,
      incidentId: inc.id,
      what: "police master (the recorder's footage, encrypted)",
      why: `recorded from ${date(m.windowFrom)}; the master follows the originals, kept ${p.originalsDays} days`,
      policy: `retention.originalsDays=${p.originalsDays}`,
    },
    dueAt: plusDays(m.windowFrom, p.originalsDays),
  };
}

function outboxPending(inc: IncidentFacts, o: OutboxFacts, p: RetentionPolicy): Pending {
  const base = { target: 'outbox' as const, id: o.id, incidentId: inc.id };
  if (o.state === 'acked') {
    const ackedAt = o.ackedAt ?? o.createdAt;
    return {
      deletion: {
        ...base,
        what: 'outbox copy of a sent packet',
        why: `the hub acknowledged it on ${date(ackedAt)}; sent copies are kept ${p.sentDays} days after that`,
        policy: `retention.sentDays=${p.sentDays}`,
      },
      dueAt: plusDays(ackedAt, p.sentDays),
    };
  }
  if (o.state === 'failed') {
    return {
      deletion: {
        ...base,
        what: 'outbox copy of a packet that could not be sent',
        why: `queued on ${date(o.createdAt)} and failed; unsent drafts are kept ${p.draftsDays} days`,
        policy: `retention.draftsDays=${p.draftsDays}`,
      },
      dueAt: plusDays(o.createdAt, p.draftsDays),
    };
  }
  return { deletion: { ...base, what: 'outbox packet', why: 'still being delivered', policy: '' }, dueAt: null };
}

/**
 * Decides what is due at `now`. An incident under an active hold keeps everything; an incident record goes only
 * once every still and outbox row of it is gone or going, and not before its originals' period has passed.
 */
export function decideRetention(
  incidents: readonly IncidentFacts[],
  holds: readonly HoldFacts[],
  policy: RetentionPolicy,
  now: Date,
): RetentionDecision {
  const due: Deletion[] = [];
  const held: Exemption[] = [];
  let next: number | null = null;
  const later = (d: Date) => {
    if (d.getTime() > now.getTime() && (next === null || d.getTime() < next)) next = d.getTime();
  };
  for (const inc of incidents) {
    const failed = inc.status === 'capture-failed';
    const children = [
      ...inc.stills.map((s) => stillPending(inc, s, policy, failed)),
      ...(inc.masters ?? []).map((m) => masterPending(inc, m, policy)),
      ...inc.outbox.map((o) => outboxPending(inc, o, policy)),
    ];
    const recordDays = failed ? policy.failedCapturesDays : policy.originalsDays;
    let recordDue: Date | null = plusDays(inc.createdAt, recordDays);
    for (const c of children) {
      if (c.dueAt === null) recordDue = null;
      else if (recordDue && c.dueAt > recordDue) recordDue = c.dueAt;
    }
    const record: Pending = {
      deletion: {
        target: 'incident',
        id: inc.id,
        incidentId: inc.id,
        what: failed ? 'record of a failed capture' : 'incident record (camera, time, category, status)',
        why: failed
          ? `the capture failed on ${date(inc.createdAt)}; failed captures are kept ${policy.failedCapturesDays} days`
          : `created on ${date(inc.createdAt)}; nothing of the incident is left to keep`,
        policy: failed
          ? `retention.failedCapturesDays=${policy.failedCapturesDays}`
          : `retention.originalsDays=${policy.originalsDays}`,
      },
      dueAt: recordDue,
    };
    const nowDue = [...children, record].filter((c) => c.dueAt !== null && c.dueAt.getTime() <= now.getTime());
    const hold = holds.find((h) => h.incidentId === inc.id && isHoldActive(h, now));
    if (hold) {
      if (nowDue.length > 0) {
        held.push({
          incidentId: inc.id,
          holdId: hold.id,
          reason: `evidence hold ${hold.id}${hold.reference ? ` (${hold.reference})` : ''}${hold.expiresAt ? ` until ${hold.expiresAt}` : ''}`,
          items: nowDue.length,
        });
      }
      continue;
    }
    for (const c of [...children, record]) {
      if (c.dueAt === null) continue;
      if (c.dueAt.getTime() <= now.getTime()) due.push({ ...c.deletion, dueAt: c.dueAt.toISOString() });
      else later(c.dueAt);
    }
  }
  // Children before their incident record, so foreign keys never block a deletion.
  const order: Record<Target, number> = { still: 0, master: 0, outbox: 1, incident: 2 };
  due.sort((a, b) => order[a.target] - order[b.target] || a.dueAt.localeCompare(b.dueAt));
  return { now: now.toISOString(), due, held, nextDueAt: next === null ? null : new Date(next).toISOString() };
}

/** How far back the clock may jump between sweeps before the sweeper stops trusting it. */
export const MAX_BACKWARD_JUMP_MS = DAY_MS;

/**
 * Checks the clock against the previous sweep. A clock that jumped back more than a day (a flat RTC battery, a
 * bad NTP answer) cannot be trusted to date anything, so the sweep refuses and says why.
 */
export function checkClock(lastSweepAt: string | null, now: Date): { ok: true } | { ok: false; message: string } {
  if (lastSweepAt === null) return { ok: true };
  const back = new Date(lastSweepAt).getTime() - now.getTime();
  if (back > MAX_BACKWARD_JUMP_MS) {
    return {
      ok: false,
      message: `the clock reads ${now.toISOString()}, ${Math.round(back / 3_600_000)} hours before the last sweep (${lastSweepAt}): the clock jumped backwards, so nothing was deleted. Fix the time (NTP/RTC) and sweep again.`,
    };
  }
  return { ok: true };
}

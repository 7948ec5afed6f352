// Exclusions (seed 001): after a second report while shared, the scheme may exclude a subject from one member's
// premises or from all members' premises for up to 24 months, and members are told. The rules are the scheme's
// (hub config `scheme:`), the decision is an administrator's, every step is in the hub audit chain, and the notice
// served on the person is rendered here as a printable page (HTML, print-ready) in plain words.
import { randomBytes } from 'node:crypto';
import { AppError } from '../core/errors.js';
import { addMonths, subjectRetention } from '../core/packet/retention.js';
import type { Clock } from '../core/ports/clock.js';
import type { ExclusionRecord, HubStore } from '../core/ports/hub-store.js';
import { html } from '../web/views/html.js';
import type { HubConfig } from './config.js';
import { HubAudit } from './hub-audit.js';

export interface SchemeRules {
  name: string;
  exclusionAfterSecondReport: boolean;
  exclusionMaxMonths: number;
  appealRoute: string;
  privacyNotice: string;
}

/** The scheme's rules with seed 001's defaults for what the configuration leaves out. */
export function schemeRules(config: Pick<HubConfig, 'scheme' | 'web'>): SchemeRules {
  const s = config.scheme ?? {};
  return {
    name: s.name ?? config.web?.name ?? 'the Business Crime Reduction Partnership',
    exclusionAfterSecondReport: s.exclusionAfterSecondReport ?? true,
    exclusionMaxMonths: s.exclusionMaxMonths ?? 24,
    appealRoute:
      s.appealRoute ??
      "Write to the scheme administrator within 28 days of this notice, saying why the exclusion should be lifted; the scheme's Board of Management decides and answers in writing.",
    privacyNotice:
      s.privacyNotice ??
      "The scheme processes your name, facial image and reports about incidents to protect its members' property, staff and customers (legitimate interests). Your data is shared with members for 12 months after a report, or 24 months after a second report, then kept by the administrator only for 12 months, then deleted. You may ask for a copy of the data held about you (answered within 30 days) and for incorrect data to be corrected, and you may complain to the Information Commissioner's Office.",
  };
}

export class HubExclusions {
  readonly #store: HubStore;
  readonly #clock: Clock;
  readonly #rules: SchemeRules;
  readonly #audit: HubAudit;

  constructor(store: HubStore, clock: Clock, rules: SchemeRules) {
    this.#store = store;
    this.#clock = clock;
    this.#rules = rules;
    this.#audit = new HubAudit(store, clock);
  }

  /** Records an exclusion within the scheme's rules; refuses with the rule it would break. */
  async record(
    actor: string,
    e: {
      subjectRef: string;
      months: number;
      premises?: string;
      startsAt?: string;
      grounds: string;
      appealRoute?: string;
    },
  ): Promise<ExclusionRecord> {
    const subject = await this.#store.subject(e.subjectRef);
    if (subject?.status !== 'active')
      throw new AppError('not-found', `no active subject ${e.subjectRef} (see hub subject list)`);
    if (!Number.isInteger(e.months) || e.months < 1 || e.months > this.#rules.exclusionMaxMonths)
      throw new AppError(
        'exclusion-too-long',
        `an exclusion lasts 1 to ${this.#rules.exclusionMaxMonths} months under the scheme's rules; ${e.months} was asked`,
      );
    const grounds = e.grounds.trim();
    if (grounds.length < 10 || grounds.length > 1000)
      throw new AppError('grounds', 'give the grounds in plain words (10 to 1000 characters, --grounds)');
    if (this.#rules.exclusionAfterSecondReport) {
      const r = subjectRetention(await this.#store.retentionRows({ subjectRef: e.subjectRef }));
      if (!r.some((x) => x.rule === 'further-report'))
        throw new AppError(
          'exclusion-not-offered',
          `the scheme offers an exclusion only after a second report while the subject is shared; subject ${e.subjectRef} has ${subject.packetIds.length} linked report(s) and none was a further report while shared`,
        );
    }
    if (e.premises !== undefined && !(await this.#store.devices()).some((d) => d.siteId === e.premises))
      throw new AppError('not-found', `no member premises ${e.premises} (no device is enrolled for that site)`);
    const now = this.#clock.now();
    const startsAt = e.startsAt ? new Date(e.startsAt) : now;
    const record = {
      id: `X-${randomBytes(5).toString('hex')}`,
      subjectRef: e.subjectRef,
      scope: e.premises ? ('premises' as const) : ('scheme' as const),
      premises: e.premises ?? null,
      startsAt: startsAt.toISOString(),
      endsAt: addMonths(startsAt.toISOString(), e.months).toISOString(),
      grounds,
      appealRoute: e.appealRoute?.trim() || this.#rules.appealRoute,
      recordedAt: now.toISOString(),
      recordedBy: actor,
    };
    if (!(await this.#store.addExclusion(record)))
      throw new AppError('exclusion-refused', `could not record the exclusion for ${e.subjectRef}; try again`);
    await this.#audit.append({
      actor,
      action: 'subject-change',
      subject: e.subjectRef,
      details: {
        change: 'excluded',
        exclusion: record.id,
        scope: record.scope,
        premises: record.premises,
        startsAt: record.startsAt,
        endsAt: record.endsAt,
      },
    });
    return { ...record, servedAt: null, servedBy: null };
  }

  async get(id: string): Promise<ExclusionRecord> {
    const e = await this.#store.exclusion(id);
    if (!e) throw new AppError('not-found', `no exclusion ${id}`);
    return e;
  }

  /** Records when the notice was served on the person (once). */
  async served(actor: string, id: string, at?: string): Promise<ExclusionRecord> {
    const e = await this.get(id);
    const when = at ?? this.#clock.now().toISOString();
    if (!(await this.#store.markExclusionServed(id, when, actor)))
      throw new AppError('already-served', `the notice for exclusion ${id} was served already, at ${e.servedAt}`);
    await this.#audit.append({
      actor,
      action: 'subject-change',
      subject: e.subjectRef,
      details: { change: 'notice-served', exclusion: id, servedAt: when },
    });
    return (await this.#store.exclusion(id))!;
  }

  /** The printable notice (a whole HTML page; print to paper or PDF from any browser). */
  async notice(id: string): Promise<string> {
    const e = await this.get(id);
    const subject = await this.#store.subject(e.subjectRef);
    return exclusionNotice(this.#rules, e, subject?.name ?? null);
  }
}

const longDate = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function monthsBetween(from: string, to: string): number {
  for (let m = 1; m <= 120; m++) if (addMonths(from, m).toISOString() >= new Date(to).toISOString()) return m;
  return 120;
}

export function exclusionNotice(rules: SchemeRules, e: ExclusionRecord, name: string | null): string {
  const where =
    e.scope === 'scheme' ? 'all premises of all members of the scheme' : `the premises of member site ${e.premises}`;
  const months = monthsBetween(e.startsAt, e.endsAt);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Exclusion notice ${e.id}</title>
<style>
body{font:12pt/1.5 Georgia,serif;max-width:40em;margin:2em auto;color:#000}
h1{font-size:18pt}h2{font-size:13pt;margin-top:1.5em}
.ref{font-family:monospace}.small{font-size:10pt}
@media print{body{margin:0}}
</style></head>
<body>
<h1>${rules.name}: exclusion notice</h1>
<p class="ref">Notice ${e.id} · subject reference ${e.subjectRef}</p>
<p>To: ${name ?? 'the person shown in the scheme’s records under the reference above'}</p>
<h2>What this notice means</h2>
<p>You are excluded from <strong>${where}</strong> from <strong>${longDate(e.startsAt)}</strong> until
<strong>${longDate(e.endsAt)}</strong> (${months} month${months === 1 ? '' : 's'}). Members of the scheme are told
of this exclusion while it lasts. If you enter those premises during this time you may be asked to leave.</p>
<h2>Why</h2>
<p>${e.grounds}</p>
<h2>How to appeal</h2>
<p>${e.appealRoute}</p>
<h2>Your data</h2>
<p class="small">${rules.privacyNotice}</p>
<p class="small">Recorded ${longDate(e.recordedAt)}${e.servedAt ? html` · served ${longDate(e.servedAt)}` : ''}.</p>
</body></html>
`.value;
}

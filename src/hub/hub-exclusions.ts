// Exclusions (seed 001): after a second report while shared, the scheme may exclude a subject from one member's
// premises or from all members' premises for up to 24 months, and members are told. The rules are the scheme's
// (hub config `scheme:`), the decision is an administrator's, every step is in the hub audit chain, and the notice
// served on the person is rendered here as a printable page (HTML, print-ready) in plain words.
import { randomBytes } from 'node:crypto';
import { type DocLang, docDate, EXCLUSION_NOTICE_WORDS } from '../core/documents/document-words.js';
import { AppError } from '../core/errors.js';
import { addMonths, subjectRetention } from '../core/packet/retention.js';
import type { Clock } from '../core/ports/clock.js';
import type { ExclusionRecord, HubStore } from '../core/ports/hub-store.js';
import { escapeHtml, html, raw } from '../web/views/html.js';
import type { HubConfig } from './config.js';
import { HubAudit } from './hub-audit.js';

const EN_NOTICE = EXCLUSION_NOTICE_WORDS.en;

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
    name: s.name ?? config.web?.name ?? EN_NOTICE.defaultSchemeName,
    exclusionAfterSecondReport: s.exclusionAfterSecondReport ?? true,
    exclusionMaxMonths: s.exclusionMaxMonths ?? 24,
    appealRoute: s.appealRoute ?? EN_NOTICE.defaultAppealRoute,
    privacyNotice: s.privacyNotice ?? EN_NOTICE.defaultPrivacyNotice,
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
  async notice(id: string, lang: DocLang = 'en'): Promise<string> {
    const e = await this.get(id);
    const subject = await this.#store.subject(e.subjectRef);
    return exclusionNotice(this.#rules, e, subject?.name ?? null, lang);
  }
}

function monthsBetween(from: string, to: string): number {
  for (let m = 1; m <= 120; m++) if (addMonths(from, m).toISOString() >= new Date(to).toISOString()) return m;
  return 120;
}

/**
 * The notice in English or Welsh. The scheme's own texts (its name, appeal route, privacy notice) are the
 * configuration's words; where the configuration leaves them to seed 001's defaults, Welsh gets the Welsh defaults.
 * The grounds are the administrator's own words, as recorded.
 */
export function exclusionNotice(
  rules: SchemeRules,
  e: ExclusionRecord,
  name: string | null,
  lang: DocLang = 'en',
): string {
  const d = EXCLUSION_NOTICE_WORDS[lang];
  const own = (text: string, english: string, local: string) => (text === english ? local : text);
  const scheme = own(rules.name, EN_NOTICE.defaultSchemeName, d.defaultSchemeName);
  const appeal = own(e.appealRoute, EN_NOTICE.defaultAppealRoute, d.defaultAppealRoute);
  const privacy = own(rules.privacyNotice, EN_NOTICE.defaultPrivacyNotice, d.defaultPrivacyNotice);
  const where = e.scope === 'scheme' ? d.whereScheme : d.whereSite(e.premises ?? '');
  const months = monthsBetween(e.startsAt, e.endsAt);
  const date = (iso: string) => docDate(lang, iso);
  // The sentence carries its own <strong> marks around values escaped here first.
  const means = d.means(escapeHtml(where), escapeHtml(date(e.startsAt)), escapeHtml(date(e.endsAt)), months);
  return html`<!doctype html>
<html lang="${lang === 'cy' ? 'cy' : 'en-GB'}"><head><meta charset="utf-8"><title>${d.title(e.id)}</title>
<style>
body{font:12pt/1.5 Georgia,serif;max-width:40em;margin:2em auto;color:#000}
h1{font-size:18pt}h2{font-size:13pt;margin-top:1.5em}
.ref{font-family:monospace}.small{font-size:10pt}
@media print{body{margin:0}}
</style></head>
<body>
<h1>${d.heading(scheme)}</h1>
<p class="ref">${d.ref(e.id, e.subjectRef)}</p>
<p>${d.to(name)}</p>
<h2>${d.meansHeading}</h2>
<p>${raw(means)}</p>
<h2>${d.whyHeading}</h2>
<p>${e.grounds}</p>
<h2>${d.appealHeading}</h2>
<p>${appeal}</p>
<h2>${d.dataHeading}</h2>
<p class="small">${privacy}</p>
<p class="small">${d.recorded(date(e.recordedAt))}${e.servedAt ? ` · ${d.served(date(e.servedAt))}` : ''}.</p>
</body></html>
`.value;
}

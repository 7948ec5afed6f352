// The web UI's words in English and Welsh: one typed catalogue per language (messages-en.ts is the source of the
// keys, messages-cy.ts must have every one), a translator that fills {placeholders} and picks plural forms, and the
// date and number formats of each language. Pages, errors and the page scripts all take their words from here.

import { hubCy } from './hub-cy.js';
import { type HubMessageKey, hubEn } from './hub-en.js';
import { cy } from './messages-cy.js';
import { type MessageKey as ApplianceMessageKey, en } from './messages-en.js';
import { outgoingCy } from './outgoing-cy.js';
import { type OutgoingMessageKey, outgoingEn } from './outgoing-en.js';
import { statusCy } from './status-cy.js';
import { type StatusMessageKey, statusEn } from './status-en.js';

/** Every key: the appliance pages', the hub page's, and the words both show about outgoing packets. */
export type MessageKey = ApplianceMessageKey | HubMessageKey | OutgoingMessageKey | StatusMessageKey;

export const LANGS = ['en', 'cy'] as const;
export type Lang = (typeof LANGS)[number];

/** A message: a template with {name} placeholders, or plural forms chosen by the number in {n}. */
export type Message = string | PluralMessage;
export interface PluralMessage {
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
}

export type Params = Record<string, string | number>;

export const CATALOGUES: Record<Lang, Record<MessageKey, Message>> = {
  en: { ...en, ...hubEn, ...outgoingEn, ...statusEn },
  cy: { ...cy, ...hubCy, ...outgoingCy, ...statusCy },
};

/** What the language switch offers, each named in its own language. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', cy: 'Cymraeg' };

/** BCP 47 tags for the `lang` attribute and Intl: British English, Welsh. */
const LOCALES: Record<Lang, string> = { en: 'en-GB', cy: 'cy-GB' };

export function isLang(s: unknown): s is Lang {
  return typeof s === 'string' && (LANGS as readonly string[]).includes(s);
}

/** A message rendered with its parameters: English or Welsh, never the key. */
export function format(lang: Lang, m: Message, params: Params = {}): string {
  let template: string;
  if (typeof m === 'string') template = m;
  else {
    const n = Number(params['n'] ?? 0);
    const form = new Intl.PluralRules(LOCALES[lang]).select(n) as keyof PluralMessage;
    template = m[form] ?? m.other;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? new Intl.NumberFormat(LOCALES[lang]).format(v) : v;
  });
}

/**
 * The language a browser asks for (Accept-Language), before anyone has chosen: Welsh when it ranks Welsh above
 * English, English otherwise.
 */
export function fromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.map((r) => r.trim()).find((r) => r.startsWith('q='));
      return { base: tag.toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) || 0 : 1, i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const first = ranked.find((x) => isLang(x.base));
  return first && isLang(first.base) ? first.base : 'en';
}

// Shop staff and managers read times in the shop's own time: Europe/London (GMT or BST), the date written out so
// two incidents on different days never look alike.
const ZONE = 'Europe/London';

/**
 * One language's words and formats, handed to every view. The Intl formatters are made on first use: the first
 * time-zone formatter maps about 8 MB of ICU data, which an idle appliance nobody is looking at need not hold.
 */
export class Words {
  readonly locale: string;
  readonly #catalogue: Record<MessageKey, Message>;
  #formats:
    | { time: Intl.DateTimeFormat; date: Intl.DateTimeFormat; clock: Intl.DateTimeFormat; number: Intl.NumberFormat }
    | undefined;

  constructor(readonly lang: Lang) {
    this.locale = LOCALES[lang];
    this.#catalogue = CATALOGUES[lang];
  }

  get #f() {
    this.#formats ??= {
      time: new Intl.DateTimeFormat(this.locale, {
        timeZone: ZONE,
        weekday: 'short',
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      }),
      date: new Intl.DateTimeFormat(this.locale, { timeZone: ZONE, day: 'numeric', month: 'long', year: 'numeric' }),
      clock: new Intl.DateTimeFormat(this.locale, {
        timeZone: ZONE,
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
      number: new Intl.NumberFormat(this.locale),
    };
    return this.#formats;
  }

  t(key: MessageKey, params?: Params): string {
    return format(this.lang, this.#catalogue[key], params);
  }

  /** A key built from data (a status, a category, an audit action); undefined when the catalogue has none. */
  maybe(key: string, params?: Params): string | undefined {
    const m = (this.#catalogue as Record<string, Message | undefined>)[key];
    return m === undefined ? undefined : format(this.lang, m, params);
  }

  status(s: string): string {
    return this.maybe(`status.${s}`) ?? s;
  }

  category(c: string | null | undefined): string {
    if (!c) return this.t('category.none');
    return this.maybe(`category.${c}`) ?? this.t('category.other');
  }

  /** "Thu 2 July 2026, 06:59" (or "Iau 2 Gorffennaf 2026, 06:59") in UK time. */
  time(iso: string): string {
    const p = Object.fromEntries(this.#f.time.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
    return `${p['weekday']} ${p['day']} ${p['month']} ${p['year']}, ${p['hour']}:${p['minute']}`;
  }

  /** "2 July 2026" in UK time. */
  date(iso: string): string {
    return this.#f.date.format(new Date(iso));
  }

  /** "06:59:12" in UK time (stills a few seconds apart). */
  clock(iso: string): string {
    return this.#f.clock.format(new Date(iso));
  }

  number(n: number): string {
    return this.#f.number.format(n);
  }

  /** "5 minutes ago" */
  age(from: string, now: Date): string {
    const s = Math.max(0, Math.round((now.getTime() - new Date(from).getTime()) / 1000));
    if (s < 60) return this.t('age.justNow');
    if (s < 3600) return this.t('age.minutes', { n: Math.floor(s / 60) });
    if (s < 86400) return this.t('age.hours', { n: Math.floor(s / 3600) });
    return this.t('age.days', { n: Math.floor(s / 86400) });
  }

  /** The messages the page scripts use (keys under js.), for the page to carry as JSON. */
  scriptMessages(): Record<string, Message> {
    return Object.fromEntries(Object.entries(this.#catalogue).filter(([k]) => k.startsWith('js.')));
  }
}

const WORDS: Partial<Record<Lang, Words>> = {};

export function words(lang: Lang): Words {
  WORDS[lang] ??= new Words(lang);
  return WORDS[lang];
}

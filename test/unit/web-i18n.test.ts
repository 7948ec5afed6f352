// The web UI's catalogues: every key in English and Welsh with the same placeholders, a label for every status,
// category, audit action, role and page, the language a browser asks for, and Welsh dates and numbers.
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../src/core/audit-chain.js';
import { INCIDENT_CATEGORIES, INCIDENT_STATUSES } from '../../src/core/incident.js';
import { ROLES } from '../../src/core/ports/accounts.js';
import { CATALOGUES, fromAcceptLanguage, LANGS, type Message, words } from '../../src/web/i18n/i18n.js';
import { PAGES } from '../../src/web/roles.js';

const forms = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m).filter((x) => x !== undefined));
const placeholders = (m: Message) => new Set(forms(m).flatMap((f) => [...f.matchAll(/\{(\w+)\}/g)].map((x) => x[1])));

describe('the catalogues', () => {
  it('have the same keys in English and Welsh, none empty', () => {
    const en = Object.keys(CATALOGUES.en).sort();
    for (const lang of LANGS) {
      expect(Object.keys(CATALOGUES[lang]).sort(), `${lang} keys`).toEqual(en);
      for (const [key, m] of Object.entries(CATALOGUES[lang])) {
        for (const f of forms(m)) expect(f.trim(), `${lang} ${key}`).not.toBe('');
      }
    }
  });

  it('fill the same placeholders in both languages', () => {
    const wrong = Object.entries(CATALOGUES.en)
      .filter(([key, m]) => {
        const cy = CATALOGUES.cy[key as keyof typeof CATALOGUES.cy];
        return [...placeholders(m)].sort().join() !== [...placeholders(cy)].sort().join();
      })
      .map(([key]) => key);
    expect(wrong).toEqual([]);
  });

  it('label every status, category, audit action, role and page in both languages', () => {
    const needed = [
      ...INCIDENT_STATUSES.map((s) => `status.${s}`),
      ...INCIDENT_CATEGORIES.flatMap((c) => [`category.${c}`, `js.category.${c}`]),
      ...AUDIT_ACTIONS.map((a) => `action.${a}`),
      ...ROLES.map((r) => `role.${r}`),
      ...PAGES.map((p) => `nav${p.path.replace('/', '.')}`),
    ];
    for (const lang of LANGS) {
      const missing = needed.filter((k) => words(lang).maybe(k) === undefined);
      expect(missing, `${lang}: add these keys to src/web/i18n/messages-${lang}.ts`).toEqual([]);
    }
  });

  it('translates, fills placeholders and picks the plural form', () => {
    expect(words('en').t('age.minutes', { n: 1 })).toBe('1 minute ago');
    expect(words('en').t('age.minutes', { n: 5 })).toBe('5 minutes ago');
    expect(words('cy').t('age.minutes', { n: 5 })).toBe('5 munud yn ôl');
    expect(words('cy').status('in-review')).toBe('Yn barod i’w adolygu');
    expect(words('en').category('criminal-damage')).toBe('Criminal damage');
    expect(words('en').category(null)).toBe('Not chosen yet');
    expect(words('cy').number(1234.5)).toBe('1,234.5');
  });

  it('writes dates out in the reader’s language, in UK time', () => {
    // 2 July 2026 05:59 UTC is 06:59 BST.
    expect(words('en').time('2026-07-02T05:59:00.000Z')).toBe('Thu 2 July 2026, 06:59');
    expect(words('cy').time('2026-07-02T05:59:00.000Z')).toBe('Iau 2 Gorffennaf 2026, 06:59');
    expect(words('cy').date('2026-12-02T12:00:00.000Z')).toBe('2 Rhagfyr 2026');
  });
});

describe('the language a browser asks for', () => {
  it('is Welsh when Welsh ranks above English, English otherwise', () => {
    expect(fromAcceptLanguage(undefined)).toBe('en');
    expect(fromAcceptLanguage('cy-GB,cy;q=0.9,en-GB;q=0.8')).toBe('cy');
    expect(fromAcceptLanguage('en-GB,en;q=0.9,cy;q=0.8')).toBe('en');
    expect(fromAcceptLanguage('fr-FR,cy;q=0.5')).toBe('cy');
    expect(fromAcceptLanguage('de-DE')).toBe('en');
    expect(fromAcceptLanguage('en;q=0.2, cy;q=0.7')).toBe('cy');
    expect(fromAcceptLanguage('cy;q=0, en')).toBe('en');
  });
});

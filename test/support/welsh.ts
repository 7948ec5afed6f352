// What "a page in Welsh" means to the tests: lang="cy", no catalogue key left raw, and no English sentence from the
// catalogue anywhere a person reads (text, labels, titles, alt text). Names (sites, accounts, ids) may stay as they are.
import { CATALOGUES, type Message } from '../../src/web/i18n/i18n.js';

/** What a person reads on a page: its text and the attributes read out or shown (labels, titles, alt text). */
export function readable(page: string): string {
  const attrs = [...page.matchAll(/\b(?:aria-label|title|alt|placeholder|data-confirm)="([^"]*)"/g)].map((m) => m[1]);
  const text = page
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
  return [text, ...attrs]
    .join(' \n ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

const forms = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m).filter((x) => x !== undefined));

/** English sentences from the catalogue that Welsh says differently: the longest fixed run of each (12+ chars). */
export const ENGLISH_RUNS: string[] = Object.entries(CATALOGUES.en).flatMap(([key, m]) => {
  const cy = forms(CATALOGUES.cy[key as keyof typeof CATALOGUES.cy]);
  return forms(m)
    .filter((f) => !cy.includes(f))
    .map(
      (f) =>
        f
          .split(/\{\w+\}/)
          .sort((a, b) => b.length - a.length)[0]
          ?.trim() ?? '',
    )
    .filter((run) => run.length >= 12 && !cy.some((c) => c.includes(run)));
});

export const CATALOGUE_KEYS: string[] = Object.keys(CATALOGUES.en);

/** The problems that stop `text` (what a person reads) being Welsh: raw keys and English sentences left. */
export function notWelsh(text: string): { rawKeys: string[]; english: string[] } {
  return {
    rawKeys: CATALOGUE_KEYS.filter((k) => text.includes(k)),
    english: ENGLISH_RUNS.filter((e) => text.includes(e)),
  };
}

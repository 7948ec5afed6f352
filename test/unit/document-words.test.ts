// The documents handed to people outside the appliance and the hub — the subject access cover sheet and the
// exclusion notice — in Welsh are Welsh throughout: the same parts in both languages, and no English sentence of
// the English version left in the Welsh one (names, references, hashes and the administrator's own grounds aside).
import { describe, expect, it } from 'vitest';
import {
  DOC_LANGS,
  docDate,
  EXCLUSION_NOTICE_WORDS,
  SAR_COVER_WORDS,
} from '../../src/core/documents/document-words.js';
import type { ExclusionRecord } from '../../src/core/ports/hub-store.js';
import { exclusionNotice, schemeRules } from '../../src/hub/hub-exclusions.js';
import { sarCoverText } from '../../src/services/sar/sar-export.js';

/** Every run of 12+ characters of English words in `english` that `welsh` still contains. */
function englishLeft(english: string, welsh: string, own: string[] = []): string[] {
  const runs = english
    .replace(/<style>[\s\S]*?<\/style>/g, '\n')
    .replace(/<[^>]+>/g, '\n')
    .split(/[\n():;·,.]+/)
    .map((r) => r.trim())
    .filter((r) => r.length >= 12 && /[a-z]{3,} [a-z]{2,}/.test(r) && !own.some((o) => o.includes(r)));
  // Whole words only ("ffolder images/" is Welsh, though it ends in "folder images/").
  const literal = (r: string) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return runs.filter((r) => new RegExp(`(^|[^\\p{L}])${literal(r)}`, 'u').test(welsh));
}

describe('document words', () => {
  it('have the same parts in English and Welsh', () => {
    expect(Object.keys(SAR_COVER_WORDS.cy).sort()).toEqual(Object.keys(SAR_COVER_WORDS.en).sort());
    expect(Object.keys(EXCLUSION_NOTICE_WORDS.cy).sort()).toEqual(Object.keys(EXCLUSION_NOTICE_WORDS.en).sort());
    expect(DOC_LANGS).toEqual(['en', 'cy']);
  });

  it('write dates out in the document’s language', () => {
    expect(docDate('en', '2026-12-02T10:00:00.000Z')).toBe('2 December 2026');
    expect(docDate('cy', '2026-12-02T10:00:00.000Z')).toBe('2 Rhagfyr 2026');
  });
});

describe('the subject access cover sheet', () => {
  const cover = {
    site: 'cardiff-queen-st',
    reference: 'SAR-2026-014',
    createdAt: '2026-12-02T10:00:00.000Z',
    createdBy: 'mina',
    images: 2,
    manifestSha256: 'a'.repeat(64),
  };
  const items = [
    {
      file: 'images/i1-s1.jpg',
      sha256: 'b'.repeat(64),
      incidentId: 'i1',
      stillId: 's1',
      facesRedacted: 3,
      requesterShown: true,
    },
    {
      file: 'images/i1-s2.jpg',
      sha256: 'c'.repeat(64),
      incidentId: 'i1',
      stillId: 's2',
      facesRedacted: 2,
      requesterShown: false,
    },
  ];

  it('in English says what it always said', () => {
    const en = sarCoverText(cover, items, 'key-1', 'en');
    expect(en).toContain('SUBJECT ACCESS REQUEST: CCTV STILLS');
    expect(en).toContain('Request reference:  SAR-2026-014');
    expect(en).toContain('(3 face(s) obscured, requester shown)');
    expect(en).toContain('The request must be answered within 30 days of receipt.');
  });

  it('in Welsh has no English sentence left', () => {
    const en = sarCoverText(cover, items, 'key-1', 'en');
    const cy = sarCoverText(cover, items, 'key-1', 'cy');
    expect(cy).toContain('CAIS GWRTHRYCH AM FYNEDIAD');
    expect(cy).toContain('Rhaid ateb y cais o fewn 30 diwrnod');
    expect(cy).toContain('SAR-2026-014');
    // The manifest line is a file name and a hash in both.
    expect(englishLeft(en, cy, [`manifest.json sha256 ${cover.manifestSha256}`])).toEqual([]);
  });
});

describe('the exclusion notice', () => {
  const rules = schemeRules({ scheme: {} });
  const e: ExclusionRecord = {
    id: 'X-7bb8d321be',
    subjectRef: 'S-0001',
    scope: 'scheme',
    premises: null,
    startsAt: '2026-11-23T10:00:00.000Z',
    endsAt: '2027-05-23T10:00:00.000Z',
    grounds: 'Dwyn dro ar ôl tro.',
    appealRoute: rules.appealRoute,
    recordedAt: '2026-11-23T10:00:00.000Z',
    recordedBy: 'ada',
    servedAt: '2026-11-24T10:00:00.000Z',
    servedBy: 'ada',
  };

  it('in Welsh is Welsh throughout, the seed’s default appeal route and privacy notice included', () => {
    const en = exclusionNotice(rules, e, null, 'en');
    const cy = exclusionNotice(rules, e, null, 'cy');
    expect(cy).toMatch(/<html lang="cy">/);
    expect(cy).toContain('hysbysiad gwahardd');
    expect(cy).toContain('23 Mai 2027');
    expect(cy).toContain('(6 mis)');
    expect(cy).toContain('Swyddfa’r Comisiynydd Gwybodaeth');
    expect(englishLeft(en, cy, [e.grounds])).toEqual([]);
    // The premises variant too.
    const site = { ...e, scope: 'premises' as const, premises: 'shop-001' };
    expect(
      englishLeft(exclusionNotice(rules, site, 'Jo Bloggs', 'en'), exclusionNotice(rules, site, 'Jo Bloggs', 'cy'), [
        e.grounds,
      ]),
    ).toEqual([]);
  });

  it('in English keeps its sentences, with the dates written out', () => {
    const en = exclusionNotice(rules, e, null, 'en');
    expect(en).toContain('You are excluded from <strong>all premises of all members of the scheme</strong>');
    expect(en).toContain('until <strong>23 May 2027</strong> (6 months)');
    expect(en).toContain('Recorded 23 November 2026 · served 24 November 2026.');
  });

  it('keeps a scheme’s own configured texts as written', () => {
    const own = schemeRules({ scheme: { name: 'Cardiff BCRP', privacyNotice: 'Our own notice.' } });
    const cy = exclusionNotice(own, { ...e, appealRoute: 'Write to us.' }, null, 'cy');
    expect(cy).toContain('Cardiff BCRP: hysbysiad gwahardd');
    expect(cy).toContain('Our own notice.');
    expect(cy).toContain('Write to us.');
  });
});

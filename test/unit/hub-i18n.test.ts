// The hub page's words and the words about outgoing packets: every key in English and Welsh with the same
// placeholders (a key missing from either file fails here), each hub view renders in Welsh with no key left raw and
// no English sentence, and the certificate wording says what was checked, or plainly that nothing was.
import { describe, expect, it } from 'vitest';
import type { HubPacketView } from '../../src/hub/hub-packets.js';
import { packetPage, packetsPage } from '../../src/hub/web/views.js';
import { hubCy } from '../../src/web/i18n/hub-cy.js';
import { hubEn } from '../../src/web/i18n/hub-en.js';
import { type Message, words } from '../../src/web/i18n/i18n.js';
import { outgoingCy } from '../../src/web/i18n/outgoing-cy.js';
import { outgoingEn } from '../../src/web/i18n/outgoing-en.js';
import { imageCheck, packetCheck, retentionSentence } from '../../src/web/views/outgoing.js';
import { notWelsh, readable } from '../support/welsh.js';

const forms = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m).filter((x) => x !== undefined));
const placeholders = (m: Message) =>
  [...new Set(forms(m).flatMap((f) => [...f.matchAll(/\{(\w+)\}/g)].map((x) => x[1])))].sort().join();

const PAIRS: [string, Record<string, Message>, Record<string, Message>][] = [
  ['hub', hubEn, hubCy],
  ['outgoing', outgoingEn, outgoingCy],
];

describe.each(PAIRS)('the %s words', (name, en, cy) => {
  it('have every key in English and in Welsh, none empty', () => {
    expect(Object.keys(cy).sort(), `src/web/i18n/${name}-cy.ts`).toEqual(Object.keys(en).sort());
    for (const [key, m] of [...Object.entries(en), ...Object.entries(cy)])
      for (const f of forms(m)) expect(f.trim(), key).not.toBe('');
  });

  it('fill the same placeholders in both languages', () => {
    expect(Object.keys(en).filter((k) => placeholders(en[k]!) !== placeholders(cy[k] ?? ''))).toEqual([]);
  });
});

const NOW = new Date('2026-11-23T10:00:00.000Z');
const view = (over: Partial<HubPacketView> = {}): HubPacketView => ({
  id: '019a8a6e-aaaa-7000-8000-000000000001',
  siteId: 'shop-001',
  deviceId: 'e'.repeat(64),
  receivedAt: '2026-11-01T09:00:00.000Z',
  encrypted: true,
  duplicates: 0,
  phase: 'shared',
  subjectRef: null,
  retention: {
    class: 'shared-12m',
    rule: 'further-report',
    why: null,
    reports: 2,
    shareUntil: '2028-11-01T09:00:00.000Z',
    deleteAt: '2029-11-01T09:00:00.000Z',
    withdrawnAt: null,
    deletedAt: null,
  },
  incident: { category: 'theft', incidentTime: '2026-11-01T08:55:00.000Z', description: null },
  images: [
    { name: 'subject-1.jpg', role: 'subject', width: 64, height: 48 },
    { name: 'context-1.jpg', role: 'context', width: 96, height: 64 },
  ],
  clip: null,
  checked: { passes: 4, facesFoundAfterRedaction: 1 },
  signature: { state: 'verified', message: 'signed by device, signature valid' },
  device: { state: 'revoked', revokedAt: '2026-11-20T12:00:00.000Z', revokedReason: 'stolen' },
  ...over,
});

describe('the hub views in Welsh', () => {
  const frame = (role: 'member' | 'administrator') => ({
    name: 'Cynllun Caerdydd',
    user: { username: 'ada', role },
    csrfToken: 't',
    now: NOW,
    w: words('cy'),
    here: '/packets',
  });

  it('leave no key raw and no English sentence, whatever the packet’s state', () => {
    const packets = [
      view(),
      view({ checked: null, phase: 'admin-only', retention: { ...view().retention, rule: 'withdrawn' } }),
      view({
        phase: 'deleted',
        images: [],
        incident: null,
        checked: null,
        retention: { ...view().retention, rule: null },
      }),
      view({
        signature: { state: 'failed', message: 'x' },
        device: { state: 'unknown', revokedAt: null, revokedReason: null },
      }),
    ];
    for (const role of ['member', 'administrator'] as const) {
      const pages = [packetsPage(frame(role), packets), ...packets.map((p) => packetPage(frame(role), p))];
      for (const p of pages) {
        expect(p).toMatch(/<html lang="cy">/);
        expect(notWelsh(readable(p))).toEqual({ rawKeys: [], english: [] });
      }
    }
  });
});

describe('the certificate in words', () => {
  it('names the passes and any face the check found, or says the reviewer’s confirmation stood in', () => {
    const en = words('en');
    expect(imageCheck(en, { passes: 2, facesFoundAfterRedaction: 0 })).toBe(
      'Checked again after blurring: no face found (2 passes)',
    );
    expect(imageCheck(en, { passes: 1, facesFoundAfterRedaction: 0 })).toBe(
      'Checked again after blurring: no face found (1 pass)',
    );
    expect(imageCheck(en, { passes: 3, facesFoundAfterRedaction: 1 })).toBe(
      'Checked again after blurring: 1 more face found and blurred too, then none (3 passes)',
    );
    expect(imageCheck(en, undefined)).toContain('the reviewer’s confirmation that no face was left stood in');
    expect(packetCheck(en, null)).toMatch(/^No certificate/);
    expect(imageCheck(words('cy'), { passes: 2, facesFoundAfterRedaction: 0 })).toBe(
      'Gwiriwyd eto ar ôl niwlio: dim wyneb wedi’i ganfod (2 gwiriad)',
    );
  });

  it('gives one retention sentence built from the hub rule’s own figures', () => {
    expect(retentionSentence(words('en'))).toBe(
      'The partnership shares it with members for 12 months (24 months after a further report about the same person), then keeps it 12 months for its administrator only, then deletes it.',
    );
    expect(retentionSentence(words('cy'))).toContain('12 mis');
  });
});

describe('the status strip’s reasons', () => {
  it('are said in the reader’s language when the service gives a code, and in its own words otherwise', async () => {
    const { statusStrip } = await import('../../src/web/views/layout.js');
    const status = {
      nvr: { state: 'down' as const, detail: 'Recorder not answering', code: 'recorderNotAnswering' },
      broker: { state: 'down' as const, detail: 'Not connected to the broker: ECONNREFUSED.', code: 'brokerDown' },
      hub: { state: 'ok' as const, detail: 'Last report acknowledged 5 min ago', code: 'lastAck', params: { n: 5 } },
      queueDepth: 3,
      disk: { state: 'degraded' as const, detail: 'Data disk nearly full', code: 'diskLow', freeBytes: 5e8 },
      clock: {
        state: 'degraded' as const,
        detail: 'Clock not synchronised',
        code: 'clockNotSynced',
        synchronised: false,
      },
    };
    const cy = readable(statusStrip(status, words('cy')).value);
    expect(cy).toContain('Nid yw’r recordydd yn ateb');
    expect(cy).toContain('Heb gysylltu â’r brocer');
    expect(cy).toContain('Cydnabuwyd yr adroddiad diwethaf 5 munud yn ôl');
    expect(cy).toContain('Mae’r ddisg ddata bron yn llawn');
    expect(notWelsh(cy)).toEqual({ rawKeys: [], english: [] });
    expect(cy).not.toContain('ECONNREFUSED');
    const en = readable(
      statusStrip({ ...status, nvr: { state: 'down', detail: 'Recorder refused the password' } }).value,
    );
    expect(en).toContain('Recorder refused the password');
    expect(en).toContain('Last report acknowledged 5 minutes ago');
  });
});

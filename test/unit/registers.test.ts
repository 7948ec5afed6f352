import { describe, expect, it } from 'vitest';
import { type AuditEntry, type AuditEvent, nextEntry } from '../../src/core/audit-chain.js';
import { csvCell, DISCLOSURE_COLUMNS, disclosureRegister, mediaRegister, toCsv } from '../../src/core/registers.js';

function chain(events: AuditEvent[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const [i, e] of events.entries()) out.push(nextEntry(out.at(-1), new Date(Date.UTC(2026, 0, 1, 0, i)), e));
  return out;
}

const entries = chain([
  { actor: 'system', action: 'capture', subject: 's1', details: { incidentId: 'inc-1', stillId: 's1' } },
  { actor: 'alice', action: 'view', subject: 's1', details: { incidentId: 'inc-1', stillId: 's1' } },
  {
    actor: 'alice',
    action: 'send',
    subject: 'pkt-1',
    details: { incidentId: 'inc-1', packetId: 'pkt-1', stills: ['s1'] },
  },
  { actor: 'cli', action: 'export', subject: 'audit-log', details: { entries: 3 } },
  {
    actor: 'mina',
    action: 'police-export',
    subject: 'inc-1',
    details: { incidentId: 'inc-1', recipient: 'PC 1 Jones', reference: 'CR/1', items: 1 },
  },
  {
    actor: 'retention',
    action: 'delete',
    subject: 'pkt-1',
    details: { target: 'outbox', what: 'outbox copy', why: 'x', policy: 'y' },
  },
  {
    actor: 'retention',
    action: 'delete',
    subject: 's1',
    details: {
      target: 'still',
      stillId: 's1',
      incidentId: 'inc-1',
      what: 'original still',
      why: 'kept 30 days',
      policy: 'retention.originalsDays=30',
    },
  },
  { actor: 'alice', action: 'login', subject: 'alice' },
]);

describe('registers over the audit chain', () => {
  it("the media register is each still's life (and every deletion), without log exports or logins", () => {
    const rows = mediaRegister(entries);
    expect(rows.map((r) => `${r.action}:${r.media}`)).toEqual([
      'capture:s1',
      'view:s1',
      'send:s1',
      'police-export:inc-1',
      'delete:pkt-1',
      'delete:s1',
    ]);
    expect(rows.at(-1)?.remarks).toBe('original still: kept 30 days [retention.originalsDays=30]');
  });

  it('the disclosure register names recipient and reference; the hub is the recipient of a send', () => {
    const rows = disclosureRegister(entries);
    expect(rows.map((r) => [r.action, r.recipient, r.reference, r.incidents])).toEqual([
      ['send', 'BCRP hub', 'pkt-1', 'inc-1'],
      ['police-export', 'PC 1 Jones', 'CR/1', 'inc-1'],
    ]);
  });

  it('CSV quotes commas, quotes and newlines and defuses spreadsheet formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1')).toBe("'-1");
    const csv = toCsv(disclosureRegister(entries), DISCLOSURE_COLUMNS);
    expect(csv.split('\r\n')[0]).toBe(DISCLOSURE_COLUMNS.join(','));
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});

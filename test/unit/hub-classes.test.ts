import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonthsUtc,
  type HubState,
  hubRetention,
  hubRetentionActions,
} from '../../src/core/retention/hub-classes.js';

const r = (id: string, subjectRef: string, reportedAt: string) => ({ id, subjectRef, reportedAt });

describe('BCRP hub retention classes', () => {
  it('adds calendar months, clamping to the end of shorter months', () => {
    expect(addMonthsUtc('2026-01-31T12:00:00Z', 1).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(addMonthsUtc('2024-02-29T00:00:00Z', 12).toISOString()).toBe('2025-02-28T00:00:00.000Z');
  });

  it('a single report is shared 12 months, admin-only 12 more, then deleted', () => {
    const reports = [r('p1', 'S1', '2026-01-10T09:00:00.000Z')];
    const at = (iso: string) => hubRetention(reports, new Date(iso))[0];
    expect(at('2027-01-10T08:59:59.000Z')).toMatchObject({ class: 'shared-12m', state: 'shared' });
    expect(at('2027-01-10T09:00:00.000Z')).toMatchObject({
      state: 'admin-only',
      withdrawAt: '2027-01-10T09:00:00.000Z',
    });
    expect(at('2028-01-10T08:59:59.000Z')?.state).toBe('admin-only');
    expect(at('2028-01-10T09:00:00.000Z')).toMatchObject({ state: 'deleted', deleteAt: '2028-01-10T09:00:00.000Z' });
  });

  it('a second report while shared makes both shared for 24 months from the second report', () => {
    const reports = [r('p1', 'S1', '2026-01-10T09:00:00.000Z'), r('p2', 'S1', '2026-06-01T09:00:00.000Z')];
    const now = new Date('2027-06-01T00:00:00.000Z'); // past p1's own 12 months
    const s = hubRetention(reports, now);
    expect(s.map((x) => [x.id, x.class, x.state])).toEqual([
      ['p1', 'shared-24m-second-report', 'shared'],
      ['p2', 'shared-24m-second-report', 'shared'],
    ]);
    expect(s[0]?.withdrawAt).toBe('2028-06-01T09:00:00.000Z');
    expect(s[0]?.deleteAt).toBe('2029-06-01T09:00:00.000Z');
  });

  it('a report after withdrawal starts a new 12-month episode and does not revive the old one', () => {
    const reports = [r('p1', 'S1', '2026-01-10T09:00:00.000Z'), r('p2', 'S1', '2027-03-01T09:00:00.000Z')];
    const s = hubRetention(reports, new Date('2027-04-01T00:00:00.000Z'));
    expect(s.find((x) => x.id === 'p1')).toMatchObject({ class: 'shared-12m', state: 'admin-only' });
    expect(s.find((x) => x.id === 'p2')).toMatchObject({ class: 'shared-12m', state: 'shared' });
  });

  it('reports about different subjects do not extend each other', () => {
    const reports = [r('p1', 'S1', '2026-01-10T09:00:00.000Z'), r('p2', 'S2', '2026-06-01T09:00:00.000Z')];
    const s = hubRetention(reports, new Date('2027-02-01T00:00:00.000Z'));
    expect(s.find((x) => x.id === 'p1')?.state).toBe('admin-only');
    expect(s.find((x) => x.id === 'p2')?.state).toBe('shared');
  });

  it('lists what to withdraw and delete since the last run, once each', () => {
    const reports = [r('p1', 'S1', '2026-01-10T09:00:00.000Z')];
    const prev = new Map<string, HubState>();
    const a1 = hubRetentionActions(reports, prev, new Date('2027-02-01T00:00:00Z'));
    expect(a1).toEqual([expect.objectContaining({ id: 'p1', action: 'withdraw', at: '2027-01-10T09:00:00.000Z' })]);
    prev.set('p1', 'admin-only');
    expect(hubRetentionActions(reports, prev, new Date('2027-03-01T00:00:00Z'))).toEqual([]);
    const a2 = hubRetentionActions(reports, prev, new Date('2028-02-01T00:00:00Z'));
    expect(a2).toEqual([expect.objectContaining({ id: 'p1', action: 'delete', at: '2028-01-10T09:00:00.000Z' })]);
  });
});

describe('hub classes properties', () => {
  it('for any reports: shared at least 12 months from its own report, admin-only exactly 12 more, and never coming back', () => {
    const month = 30 * 86_400_000;
    const base = Date.UTC(2026, 0, 1);
    fc.assert(
      fc.property(
        fc.array(fc.record({ subject: fc.constantFrom('S1', 'S2'), offsetDays: fc.integer({ min: 0, max: 1500 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 2, maxLength: 5 }),
        (specs, nowDays) => {
          const reports = specs.map((s, i) =>
            r(`p${i}`, s.subject, new Date(base + s.offsetDays * 86_400_000).toISOString()),
          );
          const order: Record<string, number> = { shared: 0, 'admin-only': 1, deleted: 2 };
          const last = new Map<string, number>();
          for (const d of [...nowDays].sort((a, b) => a - b)) {
            for (const st of hubRetention(reports, new Date(base + d * 86_400_000))) {
              const rep = reports.find((x) => x.id === st.id) as { reportedAt: string };
              expect(new Date(st.withdrawAt).getTime()).toBeGreaterThanOrEqual(
                new Date(rep.reportedAt).getTime() + 11 * month,
              );
              expect(addMonthsUtc(st.withdrawAt, 12).toISOString()).toBe(st.deleteAt);
              expect(order[st.state]).toBeGreaterThanOrEqual(last.get(st.id) ?? 0);
              last.set(st.id, order[st.state] as number);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

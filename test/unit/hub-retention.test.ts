// BCRP retention as the hub applies it (core/packet/retention.ts): examples and properties over any class,
// receipt time, withdrawal and sequence of later times.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RetentionClass } from '../../src/core/packet/manifest.js';
import {
  addMonths,
  HUB_RETENTION_STATEMENTS,
  hubRetention,
  retentionDates,
  retentionPhase,
  subjectRetention,
} from '../../src/core/packet/retention.js';

const DAY = 86_400_000;
const CLASS_MONTHS: Record<RetentionClass, number> = { 'shared-12m': 12, 'shared-24m-second-report': 24 };

describe('BCRP hub retention', () => {
  it('adds calendar months, clamping to the end of shorter months', () => {
    expect(addMonths('2026-01-31T12:00:00Z', 1).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(addMonths('2024-02-29T00:00:00Z', 12).toISOString()).toBe('2025-02-28T00:00:00.000Z');
  });

  it('a shared-12m packet is shared 12 months, admin-only 12 more, then deleted', () => {
    const at = (iso: string) => retentionPhase('shared-12m', '2026-01-10T09:00:00.000Z', new Date(iso));
    expect(at('2026-12-31T00:00:00Z')).toBe('shared');
    expect(at('2027-01-10T09:00:00Z')).toBe('admin-only');
    expect(at('2028-01-10T08:59:59Z')).toBe('admin-only');
    expect(at('2028-01-10T09:00:00Z')).toBe('delete');
  });
});

describe('hub retention properties', () => {
  const cls = fc.constantFrom<RetentionClass>('shared-12m', 'shared-24m-second-report');
  const base = Date.UTC(2026, 0, 1);

  it('for any packet: shared for its class period from receipt unless withdrawn sooner, admin-only exactly 12 months more, and never coming back', () => {
    fc.assert(
      fc.property(
        cls,
        fc.integer({ min: 0, max: 1500 }),
        fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 2, maxLength: 6 }),
        (c, receivedDay, withdrawAfter, nowDays) => {
          const receivedAt = new Date(base + receivedDay * DAY).toISOString();
          const withdrawnAt =
            withdrawAfter === undefined
              ? undefined
              : new Date(base + (receivedDay + withdrawAfter) * DAY).toISOString();
          const { shareUntil, deleteAt } = retentionDates(c, receivedAt, withdrawnAt);
          const full = addMonths(receivedAt, CLASS_MONTHS[c]);
          const expectedShare = withdrawnAt && new Date(withdrawnAt) < full ? new Date(withdrawnAt) : full;
          expect(shareUntil.toISOString()).toBe(expectedShare.toISOString());
          expect(deleteAt.toISOString()).toBe(addMonths(shareUntil.toISOString(), 12).toISOString());
          const order = { shared: 0, 'admin-only': 1, delete: 2 } as const;
          let last = 0;
          for (const d of [...nowDays].sort((a, b) => a - b)) {
            const now = new Date(base + d * DAY);
            const phase = retentionPhase(c, receivedAt, now, withdrawnAt);
            expect(order[phase]).toBeGreaterThanOrEqual(last);
            last = order[phase];
            if (now < shareUntil) expect(phase).toBe('shared');
            else if (now < deleteAt) expect(phase).toBe('admin-only');
            else expect(phase).toBe('delete');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('retention computed from the reports linked to one subject (subjectRetention)', () => {
  const base = Date.UTC(2026, 0, 1);
  const isoDay = (d: number) => new Date(base + d * DAY).toISOString();
  const reportsOf = (days: number[]) => days.map((d, i) => ({ id: `r${i}`, receivedAt: isoDay(d), subjectRef: 'S' }));
  const share = (rs: ReturnType<typeof subjectRetention>) => new Map(rs.map((r) => [r.id, r.shareUntil.getTime()]));
  const days = fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 8 });

  it('the cases of seed 001', () => {
    const at = (months: number) => addMonths(isoDay(0), months);
    const one = subjectRetention(reportsOf([0]))[0]!;
    expect(one).toMatchObject({ shareUntil: at(12), deleteAt: at(24), rule: 'first-report', reports: 1 });
    const inside = subjectRetention([
      { id: 'a', receivedAt: isoDay(0) },
      { id: 'b', receivedAt: at(6).toISOString() },
    ]);
    for (const r of inside) expect(r).toMatchObject({ shareUntil: at(30), deleteAt: at(42), rule: 'further-report' });
    const outside = subjectRetention([
      { id: 'a', receivedAt: isoDay(0) },
      { id: 'b', receivedAt: at(13).toISOString() },
    ]);
    expect(outside.map((r) => [r.id, r.shareUntil, r.rule])).toEqual([
      ['a', at(12), 'first-report'],
      ['b', at(25), 'first-report'],
    ]);
    const withdrawn = subjectRetention([{ id: 'a', receivedAt: isoDay(0), withdrawnAt: isoDay(10) }])[0]!;
    expect(withdrawn).toMatchObject({ shareUntil: new Date(isoDay(10)), rule: 'withdrawn' });
  });

  it('for any reports: shared at least 12 months from its own receipt, 24 from a report made while shared, then admin-only exactly 12 months', () => {
    fc.assert(
      fc.property(days, (ds) => {
        const rs = subjectRetention(reportsOf(ds));
        const sorted = [...rs].sort((a, b) => a.shareUntil.getTime() - b.shareUntil.getTime());
        for (const r of rs) {
          const own = reportsOf(ds).find((x) => x.id === r.id)!;
          expect(r.shareUntil >= addMonths(own.receivedAt, 12)).toBe(true);
          expect(r.deleteAt.toISOString()).toBe(addMonths(r.shareUntil.toISOString(), 12).toISOString());
          expect(r.reports).toBe(ds.length);
        }
        // A report that arrives while an earlier one is still shared is shared 24 months from itself, and so is
        // every report of that period.
        for (const r of rs) {
          const own = new Date(reportsOf(ds).find((x) => x.id === r.id)!.receivedAt);
          const earlier = rs.filter((x) => {
            const t = new Date(reportsOf(ds).find((y) => y.id === x.id)!.receivedAt);
            return t < own && x.shareUntil > own;
          });
          if (earlier.length > 0) {
            expect(r.shareUntil >= addMonths(own.toISOString(), 24)).toBe(true);
            for (const e of earlier) expect(e.shareUntil.getTime()).toBe(r.shareUntil.getTime());
          }
        }
        expect(sorted.length).toBe(ds.length);
      }),
      { numRuns: 300 },
    );
  });

  it('linking a further report never shortens anyone’s sharing; unlinking one never lengthens it', () => {
    fc.assert(
      fc.property(days, fc.integer({ min: 0, max: 2000 }), (ds, extra) => {
        const before = share(subjectRetention(reportsOf(ds)));
        const after = share(
          subjectRetention([...reportsOf(ds), { id: 'extra', receivedAt: isoDay(extra), subjectRef: 'S' }]),
        );
        for (const [id, t] of before) expect(after.get(id)!).toBeGreaterThanOrEqual(t);
        if (ds.length > 1) {
          const fewer = share(subjectRetention(reportsOf(ds).slice(1)));
          for (const [id, t] of fewer) expect(t).toBeLessThanOrEqual(before.get(id)!);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('once administrator-only, a report is never shared again and is deleted 12 months later, whatever is linked', () => {
    fc.assert(
      fc.property(days, fc.integer({ min: 0, max: 2000 }), (ds, extra) => {
        const first = subjectRetention(reportsOf(ds));
        const withdrawn = reportsOf(ds).map((r) => ({
          ...r,
          adminOnlyAt: first.find((x) => x.id === r.id)!.shareUntil.toISOString(),
        }));
        const later = subjectRetention([...withdrawn, { id: 'extra', receivedAt: isoDay(extra), subjectRef: 'S' }]);
        for (const r of first) {
          const now = later.find((x) => x.id === r.id)!;
          expect(now.shareUntil.getTime()).toBeLessThanOrEqual(r.shareUntil.getTime());
          expect(now.deleteAt.getTime()).toBeLessThanOrEqual(r.deleteAt.getTime());
        }
      }),
      { numRuns: 300 },
    );
  });

  it('unlinked packets are each their own subject: the single-report rule', () => {
    const m = hubRetention([
      { id: 'a', receivedAt: isoDay(0) },
      { id: 'b', receivedAt: isoDay(30) },
    ]);
    expect(m.get('a')!.shareUntil).toEqual(addMonths(isoDay(0), 12));
    expect(m.get('b')!.shareUntil).toEqual(addMonths(isoDay(30), 12));
  });
});

describe('the compliance report says what the hub computes', () => {
  const months = (text: string) => [...text.matchAll(/(\d+) months/g)].map((m) => Number(m[1]));
  const received = '2026-05-05T10:00:00.000Z';

  it('every period it quotes is the period subjectRetention applies', () => {
    const [first] = months(HUB_RETENTION_STATEMENTS.firstReport);
    const single = subjectRetention([{ id: 'a', receivedAt: received }])[0]!;
    expect(single.shareUntil).toEqual(addMonths(received, first!));
    const [further, again] = months(HUB_RETENTION_STATEMENTS.furtherReport);
    const second = addMonths(received, 3).toISOString();
    const two = subjectRetention([
      { id: 'a', receivedAt: received },
      { id: 'b', receivedAt: second },
    ]);
    for (const r of two) expect(r.shareUntil).toEqual(addMonths(second, further!));
    const late = addMonths(received, first! + 1).toISOString();
    const apart = subjectRetention([
      { id: 'a', receivedAt: received },
      { id: 'b', receivedAt: late },
    ]);
    expect(apart.find((r) => r.id === 'b')!.shareUntil).toEqual(addMonths(late, again!));
    expect(apart.find((r) => r.id === 'a')!.shareUntil).toEqual(addMonths(received, first!));
    const [adminOnly] = months(HUB_RETENTION_STATEMENTS.afterSharing);
    for (const r of [single, ...two, ...apart])
      expect(r.deleteAt).toEqual(addMonths(r.shareUntil.toISOString(), adminOnly!));
  });

  it('the report quotes these statements', async () => {
    const { readFileSync } = await import('node:fs');
    const src = readFileSync(new URL('../../src/services/compliance/principles.ts', import.meta.url), 'utf8');
    for (const k of Object.keys(HUB_RETENTION_STATEMENTS)) expect(src).toContain(`HUB_RETENTION_STATEMENTS.${k}`);
  });
});

// BCRP retention as the hub applies it (core/packet/retention.ts): examples and properties over any class,
// receipt time, withdrawal and sequence of later times.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RetentionClass } from '../../src/core/packet/manifest.js';
import { addMonths, retentionDates, retentionPhase } from '../../src/core/packet/retention.js';

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

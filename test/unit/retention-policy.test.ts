import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkClock,
  DAY_MS,
  decideRetention,
  type HoldFacts,
  type IncidentFacts,
  type RetentionPolicy,
} from '../../src/core/retention/policy.js';

const policy: RetentionPolicy = { originalsDays: 30, draftsDays: 7, sentDays: 30, failedCapturesDays: 7 };
const T0 = '2026-01-01T10:00:00.000Z';
const at = (days: number) => new Date(new Date(T0).getTime() + days * DAY_MS);

function incident(over: Partial<IncidentFacts> = {}): IncidentFacts {
  return {
    id: 'inc-1',
    status: 'in-review',
    createdAt: T0,
    stills: [
      { id: 'o1', kind: 'original', capturedAt: T0, createdAt: T0 },
      { id: 'r1', kind: 'redacted', capturedAt: T0, createdAt: T0 },
    ],
    outbox: [],
    ...over,
  };
}

const ids = (d: ReturnType<typeof decideRetention>) => d.due.map((x) => `${x.target}:${x.id}`);

describe('local retention policy', () => {
  it('keeps originals for exactly 30 days from recording, then deletes them', () => {
    const sent = incident({ outbox: [{ id: 'p1', state: 'acked', createdAt: T0, ackedAt: T0 }] });
    expect(ids(decideRetention([sent], [], policy, at(30 - 1 / 1440)))).toEqual([]);
    const d = decideRetention([sent], [], policy, at(30));
    expect(ids(d)).toContain('still:o1');
    const o1 = d.due.find((x) => x.id === 'o1');
    expect(o1?.policy).toBe('retention.originalsDays=30');
    expect(o1?.why).toMatch(/recorded on 2026-01-01; originals are kept 30 days/);
  });

  it('deletes unsent drafts after 7 days but leaves the original until day 30', () => {
    const d = decideRetention([incident()], [], policy, at(8));
    expect(ids(d)).toEqual(['still:r1']);
    expect(d.due[0]?.what).toMatch(/never sent/);
    expect(d.nextDueAt).toBe(at(30).toISOString());
  });

  it('keeps sent copies until 30 days after the hub acknowledged, and keeps them while a packet is in flight', () => {
    const inFlight = incident({ outbox: [{ id: 'p1', state: 'sent', createdAt: T0, ackedAt: null }] });
    expect(ids(decideRetention([inFlight], [], policy, at(100)))).toEqual(['still:o1']);
    const acked = incident({ outbox: [{ id: 'p1', state: 'acked', createdAt: T0, ackedAt: at(5).toISOString() }] });
    expect(ids(decideRetention([acked], [], policy, at(34)))).toEqual(['still:o1']);
    expect(ids(decideRetention([acked], [], policy, at(35)))).toEqual([
      'still:o1',
      'still:r1',
      'outbox:p1',
      'incident:inc-1',
    ]);
  });

  it('deletes failed captures, stills and record together, after failedCapturesDays', () => {
    const failed = incident({
      status: 'capture-failed',
      stills: [{ id: 'o1', kind: 'original', capturedAt: T0, createdAt: T0 }],
    });
    expect(ids(decideRetention([failed], [], policy, at(6)))).toEqual([]);
    expect(ids(decideRetention([failed], [], policy, at(7)))).toEqual(['still:o1', 'incident:inc-1']);
  });

  it('exempts everything of a held incident until the hold is released or expires', () => {
    const hold: HoldFacts = {
      id: 'h1',
      incidentId: 'inc-1',
      reference: 'CR/123/26',
      expiresAt: at(90).toISOString(),
      releasedAt: null,
    };
    const held = decideRetention([incident()], [hold], policy, at(60));
    expect(held.due).toEqual([]);
    expect(held.held[0]).toMatchObject({ incidentId: 'inc-1', holdId: 'h1', items: 3 });
    expect(held.held[0]?.reason).toMatch(/CR\/123\/26/);
    // expired: all due at once
    expect(ids(decideRetention([incident()], [hold], policy, at(90)))).toEqual([
      'still:r1',
      'still:o1',
      'incident:inc-1',
    ]);
    // released early
    const released = { ...hold, releasedAt: at(40).toISOString() };
    expect(ids(decideRetention([incident()], [released], policy, at(60)))).toHaveLength(3);
    // a hold on another incident protects nothing here
    expect(ids(decideRetention([incident()], [{ ...hold, incidentId: 'other' }], policy, at(60)))).toHaveLength(3);
  });

  it('never deletes anything that is not yet due', () => {
    for (let day = 0; day < 40; day++) {
      const now = at(day);
      for (const d of decideRetention([incident()], [], policy, now).due) {
        expect(new Date(d.dueAt).getTime()).toBeLessThanOrEqual(now.getTime());
      }
    }
  });
});

describe('clock check', () => {
  it('accepts the first sweep and small corrections, refuses a jump back of more than a day', () => {
    expect(checkClock(null, at(0)).ok).toBe(true);
    expect(checkClock(at(10).toISOString(), at(9.5)).ok).toBe(true);
    const r = checkClock(at(10).toISOString(), at(8));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/jumped backwards/);
  });
});

describe('retention policy properties (random stores and times)', () => {
  const kinds = ['original', 'redacted', 'subject-crop', 'context'] as const;
  const states = ['queued', 'sent', 'acked', 'failed'] as const;
  const dayOffset = fc.integer({ min: 0, max: 400 });
  const incidentArb = fc.record({
    created: dayOffset,
    failed: fc.boolean(),
    stills: fc.array(fc.constantFrom(...kinds), { maxLength: 4 }),
    outbox: fc.array(fc.record({ state: fc.constantFrom(...states), ackDelay: fc.integer({ min: 0, max: 20 }) }), {
      maxLength: 2,
    }),
    hold: fc.option(
      fc.record({
        placed: fc.integer({ min: 0, max: 50 }),
        expires: fc.option(fc.integer({ min: 1, max: 200 })),
        released: fc.option(fc.integer({ min: 1, max: 200 })),
      }),
    ),
  });

  it('never lists a held incident or anything before its due time; every list entry states its policy', () => {
    fc.assert(
      fc.property(fc.array(incidentArb, { maxLength: 6 }), dayOffset, (specs, nowDay) => {
        const incidents: IncidentFacts[] = [];
        const holds: HoldFacts[] = [];
        specs.forEach((sp, i) => {
          const created = at(sp.created).toISOString();
          incidents.push({
            id: `i${i}`,
            status: sp.failed ? 'capture-failed' : 'in-review',
            createdAt: created,
            stills: sp.stills.map((k, j) => ({ id: `i${i}s${j}`, kind: k, capturedAt: created, createdAt: created })),
            outbox: sp.outbox.map((o, j) => ({
              id: `i${i}o${j}`,
              state: o.state,
              createdAt: created,
              ackedAt: o.state === 'acked' ? at(sp.created + o.ackDelay).toISOString() : null,
            })),
          });
          if (sp.hold) {
            const placed = sp.created + sp.hold.placed;
            holds.push({
              id: `h${i}`,
              incidentId: `i${i}`,
              reference: null,
              expiresAt: sp.hold.expires === null ? null : at(placed + sp.hold.expires).toISOString(),
              releasedAt:
                sp.hold.released === null || placed + sp.hold.released > nowDay
                  ? null
                  : at(placed + sp.hold.released).toISOString(),
            });
          }
        });
        const now = at(nowDay);
        const d = decideRetention(incidents, holds, policy, now);
        const held = new Set(
          holds
            .filter((h) => h.releasedAt === null && (h.expiresAt === null || new Date(h.expiresAt) > now))
            .map((h) => h.incidentId),
        );
        for (const item of d.due) {
          expect(held.has(item.incidentId)).toBe(false);
          expect(new Date(item.dueAt).getTime()).toBeLessThanOrEqual(now.getTime());
          expect(item.policy).toMatch(/^retention\.\w+Days=\d+$/);
          // a packet still being delivered is never deleted, nor any redacted still it may carry
          const inc = incidents.find((x) => x.id === item.incidentId) as IncidentFacts;
          const inFlight = inc.outbox.some((o) => o.state === 'queued' || o.state === 'sent');
          if (item.target === 'outbox')
            expect(['queued', 'sent']).not.toContain(inc.outbox.find((o) => o.id === item.id)?.state);
          else if (!(item.target === 'still' && item.kind === 'original') && inc.status !== 'capture-failed')
            expect(inFlight).toBe(false);
        }
        // an incident record goes only together with (or after) everything of it
        for (const rec of d.due.filter((x) => x.target === 'incident')) {
          const inc = incidents.find((x) => x.id === rec.id) as IncidentFacts;
          const children = [...inc.stills.map((s) => s.id), ...inc.outbox.map((o) => o.id)];
          for (const c of children) expect(d.due.some((x) => x.id === c)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

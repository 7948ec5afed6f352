// The HoldService contract: every implementation (SqliteHolds today) must pass it.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/audit-chain.js';
import type { HoldService } from '../../src/core/ports/hold-service.js';

export interface HoldHarness {
  holds: HoldService;
  /** An incident id the implementation knows. */
  incidentId: string;
  /** Moves the implementation's clock forward. */
  advance(ms: number): void;
  auditTail(n: number): AuditEntry[];
}

export function holdServiceContract(name: string, make: () => Promise<HoldHarness>): void {
  describe(`HoldService contract: ${name}`, () => {
    it('places a hold that is listed as active and audited', async () => {
      const h = await make();
      const hold = await h.holds.place({ incidentId: h.incidentId, reason: 'Police case', reference: 'C-1' }, 'mgr');
      expect(hold).toMatchObject({
        incidentId: h.incidentId,
        reason: 'Police case',
        reference: 'C-1',
        placedBy: 'mgr',
      });
      expect((await h.holds.list({ activeOnly: true })).map((x) => x.id)).toEqual([hold.id]);
      expect(h.auditTail(1)[0]).toMatchObject({ action: 'hold-place', actor: 'mgr', subject: h.incidentId });
    });

    it('releases once; a second release is refused; released holds are not active', async () => {
      const h = await make();
      const hold = await h.holds.place({ incidentId: h.incidentId, reason: 'Insurance claim' }, 'mgr');
      const released = await h.holds.release(hold.id, 'mgr2');
      expect(released.releasedBy).toBe('mgr2');
      await expect(h.holds.release(hold.id, 'mgr2')).rejects.toThrow(/already released/);
      expect(await h.holds.list({ activeOnly: true })).toEqual([]);
      expect((await h.holds.list()).length).toBe(1);
      expect(h.auditTail(1)[0]).toMatchObject({ action: 'hold-release', actor: 'mgr2' });
    });

    it('an expired hold is no longer active', async () => {
      const h = await make();
      await h.holds.place(
        { incidentId: h.incidentId, reason: 'Short hold', expiresAt: new Date(Date.now() + 3600_000).toISOString() },
        'mgr',
      );
      h.advance(2 * 3600_000);
      expect(await h.holds.list({ activeOnly: true })).toEqual([]);
    });

    it('refuses an unknown incident and an expiry in the past, naming the problem', async () => {
      const h = await make();
      await expect(h.holds.place({ incidentId: 'no-such', reason: 'x' }, 'mgr')).rejects.toThrow(/no incident/);
      await expect(
        h.holds.place({ incidentId: h.incidentId, reason: 'x', expiresAt: '2000-01-01T00:00:00Z' }, 'mgr'),
      ).rejects.toThrow(/future/);
      await expect(h.holds.release('no-such', 'mgr')).rejects.toThrow(/no hold/);
    });
  });
}

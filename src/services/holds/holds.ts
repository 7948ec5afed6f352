// Evidence holds: a manager exempts an incident from retention (reason, reference such as a police crime number,
// optional expiry) and later releases it; a hold whose expiry passes ends by itself. Every change is one audit row.
import { AppError, UsageError } from '../../core/errors.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { HoldRecord, HoldStore } from '../../core/ports/holds.js';
import type { IdSource } from '../../core/ports/ids.js';
import { isHoldActive } from '../../core/retention/policy.js';
import { type Actor, requireManager } from '../actors.js';

export interface Hold extends HoldRecord {
  active: boolean;
}

export class HoldError extends AppError {}

export const MAX_REASON = 500;
export const MAX_REFERENCE = 100;

export class HoldService {
  readonly #holds: HoldStore;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #ids: IdSource;

  constructor(deps: { holds: HoldStore; audit: AuditLog; clock: Clock; ids: IdSource }) {
    this.#holds = deps.holds;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
  }

  place(input: { incidentId: string; reason: string; reference?: string; expiresAt?: Date; actor: Actor }): Hold {
    requireManager(input.actor, 'place an evidence hold');
    const reason = input.reason.trim();
    if (!reason) throw new UsageError('a hold needs a reason (e.g. "police investigation")');
    if (reason.length > MAX_REASON) throw new UsageError(`a hold reason is at most ${MAX_REASON} characters`);
    const reference = input.reference?.trim() || null;
    if (reference && reference.length > MAX_REFERENCE)
      throw new UsageError(`a hold reference is at most ${MAX_REFERENCE} characters`);
    const now = this.#clock.now();
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime())
      throw new UsageError(`the hold expiry ${input.expiresAt.toISOString()} is not in the future`);
    if (!this.#holds.incidentExists(input.incidentId))
      throw new HoldError(
        'no-such-incident',
        `no incident ${input.incidentId} on this appliance (deleted by retention, or a typo)`,
      );
    const id = this.#ids.next();
    const hold: HoldRecord = {
      id,
      incidentId: input.incidentId,
      reason,
      reference,
      placedBy: input.actor.name,
      placedAt: now.toISOString(),
      expiresAt: input.expiresAt?.toISOString() ?? null,
      releasedAt: null,
      releasedBy: null,
    };
    this.#holds.insert(hold, () =>
      this.#audit.append({
        actor: input.actor.name,
        action: 'hold-place',
        subject: input.incidentId,
        details: { holdId: id, incidentId: input.incidentId, reason, reference, expiresAt: hold.expiresAt },
      }),
    );
    return toHold(hold, now);
  }

  release(input: { holdId: string; actor: Actor; why?: string }): Hold {
    requireManager(input.actor, 'release an evidence hold');
    const now = this.#clock.now();
    const hold = this.#holds.get(input.holdId);
    if (!hold) throw new HoldError('no-such-hold', `no hold ${input.holdId}`);
    if (!isHoldActive(hold, now)) throw new HoldError('hold-not-active', `hold ${input.holdId} has already ended`);
    this.#end(hold, now, input.actor.name, input.why ?? 'released');
    return toHold({ ...hold, releasedAt: now.toISOString(), releasedBy: input.actor.name }, now);
  }

  /** Ends every hold whose expiry has passed, with one audit row each; returns the ones it ended. */
  expireDue(): Hold[] {
    const now = this.#clock.now();
    return this.#holds.expiring(now.toISOString()).map((hold) => {
      this.#end(hold, now, 'system', 'expired');
      return toHold({ ...hold, releasedAt: now.toISOString(), releasedBy: 'system' }, now);
    });
  }

  list(options: { activeOnly?: boolean; incidentId?: string } = {}): Hold[] {
    const now = this.#clock.now();
    return this.#holds
      .list(options.incidentId)
      .map((r) => toHold(r, now))
      .filter((h) => !options.activeOnly || h.active);
  }

  activeHold(incidentId: string): Hold | undefined {
    return this.list({ incidentId, activeOnly: true })[0];
  }

  #end(hold: HoldRecord, now: Date, by: string, why: string): void {
    this.#holds.end(hold.id, now.toISOString(), by, () =>
      this.#audit.append({
        actor: by,
        action: 'hold-release',
        subject: hold.incidentId,
        details: { holdId: hold.id, incidentId: hold.incidentId, why, reference: hold.reference },
      }),
    );
  }
}

function toHold(h: HoldRecord, now: Date): Hold {
  return { ...h, active: isHoldActive(h, now) };
}

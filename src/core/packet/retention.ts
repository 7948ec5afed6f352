// BCRP retention (seed 001) as the hub applies it: a packet is shared with members for its class's period (or
// until withdrawn), then kept for the administrator only for 12 months, then deleted. Pure: time is passed in.
import type { RetentionClass } from './manifest.js';

export type RetentionPhase = 'shared' | 'admin-only' | 'delete';

const SHARE_MONTHS: Record<RetentionClass, number> = { 'shared-12m': 12, 'shared-24m-second-report': 24 };
export const ADMIN_ONLY_MONTHS = 12;

export function addMonths(iso: string, months: number): Date {
  const d = new Date(iso);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  // 31 January + 1 month is the last day of February, not 3 March.
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export interface RetentionDates {
  /** End of sharing with members: the class period from receipt, or the withdrawal if earlier. */
  shareUntil: Date;
  /** Deletion: 12 months after sharing ended. */
  deleteAt: Date;
}

export function retentionDates(cls: RetentionClass, receivedAt: string, withdrawnAt?: string | null): RetentionDates {
  let shareUntil = addMonths(receivedAt, SHARE_MONTHS[cls]);
  if (withdrawnAt && new Date(withdrawnAt) < shareUntil) shareUntil = new Date(withdrawnAt);
  return { shareUntil, deleteAt: addMonths(shareUntil.toISOString(), ADMIN_ONLY_MONTHS) };
}

export function retentionPhase(
  cls: RetentionClass,
  receivedAt: string,
  now: Date,
  withdrawnAt?: string | null,
): RetentionPhase {
  const { shareUntil, deleteAt } = retentionDates(cls, receivedAt, withdrawnAt);
  if (now < shareUntil) return 'shared';
  if (now < deleteAt) return 'admin-only';
  return 'delete';
}

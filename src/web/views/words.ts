// English words for statuses, categories and times, for views that are not translated yet (the hub page). The
// appliance's pages take a Words (../i18n/i18n.ts) in the reader's language instead.
import type { IncidentCategory, IncidentStatus } from '../../core/incident.js';
import { INCIDENT_CATEGORIES, INCIDENT_STATUSES } from '../../core/incident.js';
import { words } from '../i18n/i18n.js';

const EN = words('en');

export const STATUS_WORDS = Object.fromEntries(INCIDENT_STATUSES.map((s) => [s, EN.status(s)])) as Record<
  IncidentStatus,
  string
>;

export const CATEGORY_WORDS = Object.fromEntries(INCIDENT_CATEGORIES.map((c) => [c, EN.category(c)])) as Record<
  IncidentCategory,
  string
>;

export const age = (from: string, now: Date): string => EN.age(from, now);
/** "Thu 2 July 2026, 06:59" in UK time. */
export const localTime = (iso: string): string => EN.time(iso);
/** "2 July 2026" in UK time. */
export const localDate = (iso: string): string => EN.date(iso);
/** "06:59:12" in UK time. */
export const localClock = (iso: string): string => EN.clock(iso);

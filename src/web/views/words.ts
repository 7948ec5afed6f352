// Plain-English words for statuses, categories and ages, shared by pages and scripts.
import type { IncidentCategory, IncidentStatus } from '../../core/incident.js';

export const STATUS_WORDS: Record<IncidentStatus, string> = {
  triggered: 'Getting stills',
  captured: 'Hiding faces',
  'capture-failed': 'Recorder not answering (will retry)',
  'in-review': 'Ready for review',
  'awaiting-approval': 'Waiting for a manager',
  queued: 'Queued to send',
  sent: 'Sent, waiting for the partnership',
  acked: 'Received by the partnership',
  failed: 'Could not send',
  rejected: 'Rejected by a manager',
};

export const CATEGORY_WORDS: Record<IncidentCategory, string> = {
  theft: 'Theft',
  'attempted-theft': 'Attempted theft',
  'criminal-damage': 'Criminal damage',
  'abuse-or-threats': 'Abuse or threats',
  violence: 'Violence',
  'anti-social-behaviour': 'Anti-social behaviour',
  'exclusion-breach': 'Broke an exclusion',
};

export function age(from: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(from).getTime()) / 1000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (s < 60) return 'just now';
  if (s < 3600) return plural(Math.floor(s / 60), 'minute');
  if (s < 86400) return plural(Math.floor(s / 3600), 'hour');
  return plural(Math.floor(s / 86400), 'day');
}

// Shop staff and managers read times in the shop's own time: Europe/London (GMT or BST), the date written out so
// two incidents on different days never look alike.
const LONDON_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const LONDON_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "Thu 2 July 2026, 06:59" in UK time. */
export function localTime(iso: string): string {
  const parts = Object.fromEntries(LONDON_TIME.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}`;
}

/** "2 July 2026" in UK time. */
export function localDate(iso: string): string {
  return LONDON_DATE.format(new Date(iso));
}

const LONDON_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** "06:59:12" in UK time (stills a few seconds apart). */
export function localClock(iso: string): string {
  return LONDON_CLOCK.format(new Date(iso));
}

// The code of practice's media register and disclosure register, as views over the audit chain: nothing is kept
// twice, so a register cannot disagree with the log it came from. Pure: give it entries, get rows or CSV.
//
// Other modules make their entries show up here by using these `details` keys: incidentId, stillId (or stills: []),
// recipient, reference, packetId, files/items (a count), why.
import { type AuditEntry, inRegister } from './audit-chain.js';
import type { JsonValue } from './canonical-json.js';

export interface MediaRow {
  seq: number;
  time: string;
  action: string;
  by: string;
  media: string;
  incident: string;
  remarks: string;
}

export interface DisclosureRow {
  seq: number;
  time: string;
  action: string;
  by: string;
  recipient: string;
  reference: string;
  incidents: string;
  items: string;
  remarks: string;
}

const str = (v: JsonValue | undefined): string =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);

function incidentsOf(e: AuditEntry): string {
  const d = e.details;
  if (Array.isArray(d['incidents'])) return d['incidents'].map((x) => str(x)).join(' ');
  return str(d['incidentId']);
}

function remarks(e: AuditEntry, skip: readonly string[]): string {
  const d = e.details;
  if (e.action === 'delete' && typeof d['what'] === 'string') {
    return `${d['what']}: ${str(d['why'])} [${str(d['policy'])}]`;
  }
  const parts = Object.keys(d)
    .filter((k) => !skip.includes(k))
    .sort()
    .map((k) => `${k}=${str(d[k])}`);
  return parts.join('; ');
}

/** Whether an entry concerns media (a still, a clip, or an incident's stills as a whole). */
function isMedia(e: AuditEntry): boolean {
  if (!inRegister(e.action, 'media')) return false;
  // An export is media only when it names stills or an incident (not the audit log, a register or a report).
  if (e.action === 'export')
    return (
      e.details['stillId'] !== undefined || e.details['stills'] !== undefined || e.details['incidentId'] !== undefined
    );
  return true;
}

export function mediaRegister(entries: Iterable<AuditEntry>): MediaRow[] {
  const rows: MediaRow[] = [];
  for (const e of entries) {
    if (!isMedia(e)) continue;
    const d = e.details;
    const media = str(d['stillId']) || (Array.isArray(d['stills']) ? d['stills'].map(str).join(' ') : '') || e.subject;
    rows.push({
      seq: e.seq,
      time: e.time,
      action: e.action,
      by: e.actor,
      media,
      incident: incidentsOf(e) || e.subject,
      remarks: remarks(e, ['stillId', 'stills', 'incidentId', 'incidents']),
    });
  }
  return rows;
}

export function disclosureRegister(entries: Iterable<AuditEntry>): DisclosureRow[] {
  const rows: DisclosureRow[] = [];
  for (const e of entries) {
    if (!inRegister(e.action, 'disclosure')) continue;
    const d = e.details;
    const hub = e.action === 'send' || e.action === 'ack';
    rows.push({
      seq: e.seq,
      time: e.time,
      action: e.action,
      by: e.actor,
      recipient: str(d['recipient']) || (hub ? 'BCRP hub' : ''),
      reference: str(d['reference']) || str(d['packetId']) || e.subject,
      incidents: incidentsOf(e),
      items: str(d['items'] ?? d['files']),
      remarks: remarks(e, ['recipient', 'reference', 'packetId', 'incidentId', 'incidents', 'items', 'files']),
    });
  }
  return rows;
}

/** One CSV cell: quoted when needed, and a leading = + - @ neutralised so a spreadsheet never runs it as a formula. */
export function csvCell(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv<R extends object>(rows: readonly R[], columns: readonly (keyof R & string)[]): string {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c] as string | number)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export const MEDIA_COLUMNS = ['seq', 'time', 'action', 'by', 'media', 'incident', 'remarks'] as const;
export const DISCLOSURE_COLUMNS = [
  'seq',
  'time',
  'action',
  'by',
  'recipient',
  'reference',
  'incidents',
  'items',
  'remarks',
] as const;

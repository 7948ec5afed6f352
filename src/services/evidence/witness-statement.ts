// The witness statement draft that goes with a police export: the fields police ask of a CCTV producer (the
// national business crime centre's standard CCTV witness statement: the system, the times and the clock's offset,
// how and when the footage was retrieved, the exhibit reference, the hashes, what the footage shows), filled from
// what the appliance knows and left blank where only the person making the statement can write. Plain text and
// printable HTML from the same list of lines.
import { MASTER_METHOD_TEXT, type MasterRecord } from '../../core/evidence.js';

export interface StatementFacts {
  siteId: string;
  siteName: string | null;
  incidentId: string;
  camera: number;
  cameraName: string | null;
  triggerTime: string;
  master: MasterRecord;
  exhibit: string;
  masterFile: string;
  working: { file: string; sha256: string; how: 'remux' | 're-encode' } | null;
  stills: number;
  description: string | null;
  officer: string;
  reference: string;
  exportedBy: string;
  exportedAt: string;
  continuitySha256: string;
}

const BLANK = '______________________________';

type Line = { section: string } | { label: string; value: string | null; note?: string } | { para: string };

/** UTC and UK local time, as a person reads them off a statement. */
function when(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  const uk = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    dateStyle: 'long',
    timeStyle: 'medium',
  }).format(d);
  return `${uk} UK time (${d.toISOString().replace('.000Z', 'Z')})`;
}

function offsetText(ms: number | null, at: string | null): string | null {
  if (ms === null) return null;
  const s = (Math.abs(ms) / 1000).toFixed(1);
  const dir = ms === 0 ? 'the same as' : ms > 0 ? `${s} s ahead of` : `${s} s behind`;
  return `the recorder's clock was ${dir} the appliance's NTP-synchronised clock${at ? `, measured ${when(at)}` : ''}`;
}

function lines(f: StatementFacts): Line[] {
  const m = f.master;
  const recorder = [m.recorderMake, m.recorderModel].filter(Boolean).join(' ');
  return [
    { section: 'The person making this statement' },
    { label: 'Name', value: null },
    { label: 'Occupation / role at the premises', value: null },
    { label: 'Age (if over 18, write "over 18")', value: null },
    {
      label: 'Appliance account that made the export',
      value: f.exportedBy,
      note: 'write your full name above; this is the login used',
    },
    { section: 'Premises' },
    { label: 'Business / premises name', value: f.siteName },
    { label: 'Partnership site id', value: f.siteId },
    { label: 'Address', value: null },
    { section: 'The CCTV system' },
    { label: 'Recorder make and model', value: recorder || null },
    { label: 'Recorder firmware', value: m.recorderFirmware },
    { label: 'Recorder serial number', value: m.recorderSerial },
    { label: 'Camera', value: `${f.camera}${f.cameraName ? ` (${f.cameraName})` : ''}` },
    { label: 'Where the camera is and what it looks at', value: null },
    { label: 'Was the system working properly at the time?', value: null },
    { section: 'Times' },
    { label: 'Incident reported at', value: when(f.triggerTime) },
    { label: 'Footage window (actual time)', value: `${when(m.windowFrom)} to ${when(m.windowTo)}` },
    {
      label: 'The same window as the recorder shows it',
      value: m.recorderFrom && m.recorderTo ? `${when(m.recorderFrom)} to ${when(m.recorderTo)} (recorder time)` : null,
    },
    { label: 'Recorder clock offset', value: offsetText(m.clockOffsetMs, m.clockReadAt) },
    { section: 'How the footage was retrieved' },
    { label: 'Method', value: m.method ? MASTER_METHOD_TEXT[m.method] : null },
    { label: 'Retrieved', value: `${when(m.sealedAt)}, automatically by the BCRP Edge appliance beside the recorder` },
    { label: "Recorder's file name", value: m.recorderName },
    {
      label: 'Whole window recorded?',
      value: m.complete
        ? 'yes: the recorder reported the recording covered the whole window'
        : `no: the recorder's recording ended at ${when(m.recorderEnd) ?? 'an unreported time'}; the footage is shorter than the window`,
    },
    { section: 'Exhibits' },
    { label: 'Exhibit reference (master)', value: f.exhibit, note: 'add your initials and number if your force asks' },
    {
      label: 'Master copy',
      value: `${f.masterFile}, ${m.bytes} bytes, SHA-256 ${m.sha256} (the same bytes the recorder gave; not altered)`,
    },
    {
      label: 'Working copy',
      value: f.working
        ? `${f.working.file}, SHA-256 ${f.working.sha256} (MP4 made from the master with ffmpeg: ${f.working.how === 'remux' ? 're-wrapped without re-encoding' : 're-encoded to H.264'})`
        : null,
    },
    { label: 'Stills', value: `${f.stills} original still(s), listed with their hashes in SHA256SUMS` },
    { label: 'Continuity record', value: `continuity.json, SHA-256 ${f.continuitySha256}, signed in continuity.jws` },
    { section: 'What the footage shows' },
    { label: 'Description (from the incident review)', value: f.description },
    { label: 'What I saw / recognise in the footage', value: null },
    { section: 'Hand-over' },
    { label: 'Handed to (officer, number)', value: f.officer },
    { label: 'Crime reference', value: f.reference },
    { label: 'Exported from the appliance', value: when(f.exportedAt) },
    { label: 'Handed over on (date and time)', value: null },
    { section: 'Declaration' },
    {
      para: 'This statement (consisting of ___ page(s) each signed by me) is true to the best of my knowledge and belief and I make it knowing that, if it is tendered in evidence, I shall be liable to prosecution if I have wilfully stated in it anything which I know to be false, or do not believe to be true.',
    },
    { label: 'Signature', value: null },
    { label: 'Date', value: null },
  ];
}

const TITLE = 'WITNESS STATEMENT (CCTV EVIDENCE): DRAFT';
const INTRO =
  'Pre-filled by the BCRP Edge appliance from what it recorded. Check every line, complete the blanks in your own words, then sign. Blank lines are for what only you can say.';

export function witnessStatementText(f: StatementFacts): string {
  const out = [TITLE, '', INTRO, ''];
  for (const l of lines(f)) {
    if ('section' in l) out.push('', l.section.toUpperCase());
    else if ('para' in l) out.push(l.para);
    else out.push(`${l.label}: ${l.value ?? BLANK}${l.note ? `   [${l.note}]` : ''}`);
  }
  return `${out.join('\n')}\n`;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function witnessStatementHtml(f: StatementFacts): string {
  const rows: string[] = [];
  for (const l of lines(f)) {
    if ('section' in l) rows.push(`</table><h2>${esc(l.section)}</h2><table>`);
    else if ('para' in l) rows.push(`</table><p class="declaration">${esc(l.para)}</p><table>`);
    else
      rows.push(
        `<tr><th>${esc(l.label)}</th><td${l.value === null ? ' class="blank"' : ''}>${l.value === null ? '&nbsp;' : esc(l.value)}${l.note ? `<div class="note">${esc(l.note)}</div>` : ''}</td></tr>`,
      );
  }
  return `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>${esc(TITLE)} ${esc(f.exhibit)}</title>
<style>
body{font:11pt/1.4 serif;margin:2cm;color:#000}h1{font-size:14pt}h2{font-size:12pt;margin:1.2em 0 .3em;border-bottom:1px solid #000}
table{width:100%;border-collapse:collapse}th{width:35%;text-align:left;vertical-align:top;font-weight:normal;padding:.25em .5em .25em 0}
td{padding:.25em 0;word-break:break-all}td.blank{border-bottom:1px dotted #000;height:1.6em}.note{font-size:9pt;color:#444}
.declaration{font-style:italic}@media print{body{margin:1cm}}
</style></head><body>
<h1>${esc(TITLE)}</h1><p>${esc(INTRO)}</p><table>${rows.join('')}</table>
</body></html>
`;
}

// Renders the compliance report as one self-contained HTML page (no scripts, no external assets), so it can be
// printed, attached to a DPIA or served read-only on the auditor page.
import type { ComplianceEvidence } from './evidence.js';
import { type Finding, findings, type Status } from './principles.js';

const esc = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

const LABEL: Record<Status, string> = {
  ok: 'done by the appliance',
  operator: 'operator action needed',
  attention: 'needs attention',
};

const list = (items: string[]) => `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;

function section(f: Finding): string {
  return `<section class="${f.status}" id="${f.id}">
<h3>${esc(f.id)}. ${esc(f.title)} <span class="badge">${LABEL[f.status]}</span></h3>
<div class="cols"><div><h4>What the appliance does</h4>${list(f.does)}</div>
<div><h4>Live evidence</h4>${list(f.evidence)}</div>
<div><h4>What the operator must do (people and process: not checked by the appliance)</h4>${list(f.operator)}</div></div>
</section>`;
}

export function renderComplianceHtml(e: ComplianceEvidence): string {
  const { principles, bcrp } = findings(e);
  const all = [...principles, ...bcrp];
  const count = (s: Status) => all.filter((f) => f.status === s).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BCRP Edge compliance report: ${esc(e.site)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#111}
section{border-left:6px solid #999;padding:.2em 1em;margin:1em 0;background:#fafafa}
section.ok{border-color:#2a7d2a}section.operator{border-color:#c08a00}section.attention{border-color:#b00020;background:#fff3f3}
.badge{font-size:.75em;font-weight:normal;padding:.1em .5em;border-radius:.3em;background:#eee}
.cols{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:1em}li,td{overflow-wrap:anywhere}h4{margin:.3em 0}ul{margin:.2em 0;padding-left:1.2em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
@media print{section{break-inside:avoid}}
</style></head><body>
<h1>Compliance report: ${esc(e.site)}</h1>
<p>Generated ${esc(e.generatedAt)} by bcrp-edge from the appliance's own configuration, store and audit log; lines
marked "Checked now" were tested against the store as this report was made.
${count('attention')} item(s) need attention, ${count('operator')} need action by the operator, ${count('ok')} are done by the appliance.</p>
<h2>Summary of live evidence</h2>
<table>
<tr><th>Audit chain</th><td>${esc(e.chain.ok ? `verifies: ${e.chain.entries} entries` : `FAILS at entry ${e.chain.failure?.seq}: ${e.chain.failure?.message ?? ''}`)}</td></tr>
<tr><th>Checkpoints sent to the hub</th><td>${esc(
    !e.config.hub.configured
      ? 'none: no hub is configured'
      : e.hubCheckpoints.last
        ? `${e.hubCheckpoints.sent}, the last at entry ${e.hubCheckpoints.last.seq} on ${e.hubCheckpoints.last.time}`
        : 'none yet',
  )}</td></tr>
<tr><th>Last checkpoint (any)</th><td>${esc(e.lastCheckpoint ? `entry ${e.lastCheckpoint.seq} at ${e.lastCheckpoint.time}` : 'none')}</td></tr>
<tr><th>Last retention sweep</th><td>${esc(e.lastSweep ? `${e.lastSweep.clockAt} (${e.lastSweep.outcome}, ${e.lastSweep.deleted} deleted)` : 'never')}</td></tr>
<tr><th>Overdue for deletion</th><td>${e.overdue}</td></tr>
<tr><th>Active holds</th><td>${e.holds.length}</td></tr>
<tr><th>Originals stored</th><td>${e.stored.originals}${e.stored.oldestOriginal ? ` (oldest ${esc(e.stored.oldestOriginal)})` : ''}</td></tr>
<tr><th>Disclosures, last ${e.disclosures.days} days</th><td>${e.disclosures.send} sent, ${e.disclosures.sarExport} SAR, ${e.disclosures.policeExport} police</td></tr>
<tr><th>Retention settings</th><td>${esc(
    Object.entries(e.config.retention)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  )}</td></tr>
</table>
<h2>The 12 guiding principles of the Surveillance Camera Code of Practice</h2>
${principles.map(section).join('\n')}
<h2>BCRP retention rules (partnership privacy notice)</h2>
${bcrp.map(section).join('\n')}
<h2>Recent disclosures</h2>
${
  e.disclosures.last.length === 0
    ? '<p>None in the period.</p>'
    : `<table><tr><th>time</th><th>action</th><th>recipient</th><th>reference</th></tr>${e.disclosures.last
        .map(
          (d) =>
            `<tr><td>${esc(d.time)}</td><td>${esc(d.action)}</td><td>${esc(d.recipient)}</td><td>${esc(d.reference)}</td></tr>`,
        )
        .join('')}</table>`
}
<h2>Still to do by the operator</h2>
<ul><li>Display CCTV signage at every entrance naming the controller and a contact point.</li>
<li>Complete the data protection impact assessment (start from docs/dpia-template.md) and review it yearly.</li>
<li>Keep this report with the DPIA; regenerate it after changes.</li></ul>
</body></html>
`;
}

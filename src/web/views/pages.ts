// The server-rendered pages. Each returns a whole document; scripts under /assets/ add live updates and the
// review page's drawing, but every page shows its information without them.

import type { AuditEntry, ChainReport } from '../../core/audit-chain.js';
import { INCIDENT_CATEGORIES, INCIDENT_STATUSES, type IncidentStatus } from '../../core/incident.js';
import type { Camera, IncidentDetail, IncidentSummary } from '../../core/ports/incident-service.js';
import type { CertificateInfo, CheckResult } from '../../core/ports/installer-checks.js';
import type { ReviewDraft } from '../../core/ports/review-service.js';
import type { ApplianceStatus } from '../../core/ports/status-service.js';
import type { Hold } from '../../services/holds/holds.js';
import type { SessionUser } from '../plugins/auth.js';
import { can } from '../roles.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { age, CATEGORY_WORDS, localClock, localDate, localTime, STATUS_WORDS } from './words.js';

interface Common {
  site: { name: string };
  user: SessionUser;
  csrfToken: string;
  status: ApplianceStatus | undefined;
  now: Date;
}

export function loginPage(
  deps: { site: { name: string } },
  o: { next?: string | undefined; error?: string; username?: string; csrfToken: string },
  frame: { hint?: string; product?: string } = {},
): string {
  return page({
    ...(frame.product ? { product: frame.product } : {}),
    title: 'Sign in',
    path: '/login',
    site: deps.site,
    user: undefined,
    csrfToken: o.csrfToken,
    body: html`<form class="card login" method="post" action="/login">
  ${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
  <label for="username">User name</label>
  <input id="username" name="username" autocomplete="username" required autofocus value="${o.username ?? ''}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  ${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ''}
  <input type="hidden" name="_csrf" value="${o.csrfToken}">
  <button class="primary" type="submit">Sign in</button>
  <p class="hint">${frame.hint ?? 'Ask your manager if you do not have an account.'}</p>
</form>`,
  });
}

const MINUTES_AGO = [0, 1, 2, 5, 10, 15, 30, 60];

export function capturePage(c: Common, cameras: Camera[]): string {
  const enabled = cameras.filter((cam) => cam.enabled);
  return page({
    ...c,
    title: 'Capture an incident',
    path: '/capture',
    script: 'capture.js',
    body: html`<form id="capture-form" class="capture" method="post" action="/capture">
  <input type="hidden" name="_csrf" value="${c.csrfToken}">
  <fieldset class="cameras">
    <legend>Which camera saw it?</legend>
    ${enabled.map(
      (
        cam,
        i,
      ) => html`<label class="camera-tile"><input type="radio" name="camera" value="${cam.id}"${i === 0 ? html` checked` : ''}>
      <span>${cam.name}</span></label>`,
    )}
  </fieldset>
  <label for="minutesAgo" class="when">When did it happen?</label>
  <select id="minutesAgo" name="minutesAgo">
    ${MINUTES_AGO.map((m) => html`<option value="${m}">${m === 0 ? 'Just now' : `${m} minute${m === 1 ? '' : 's'} ago`}</option>`)}
  </select>
  <button id="capture-button" class="big primary" type="submit">Capture incident</button>
</form>
<section id="progress" class="card progress" aria-live="polite" hidden>
  <h2>Getting the stills</h2>
  <p id="progress-message">Asking the recorder…</p>
  <progress id="progress-bar" max="1" value="0"></progress>
  <p><a id="review-link" class="button primary" href="#" hidden>Review now</a></p>
</section>`,
  });
}

function statusBadge(s: IncidentStatus): Html {
  return html`<span class="badge status-${s}">${STATUS_WORDS[s]}</span>`;
}

export function incidentsPage(
  c: Common,
  incidents: IncidentSummary[],
  filter: { status?: string | undefined; from?: string | undefined; to?: string | undefined },
  cameras: Camera[],
): string {
  const camName = (id: number) => cameras.find((x) => x.id === id)?.name ?? `Camera ${id}`;
  return page({
    ...c,
    title: 'Incidents',
    path: '/incidents',
    script: 'incidents.js',
    body: html`<form class="filters" method="get" action="/incidents">
  <label for="f-status">Status</label>
  <select id="f-status" name="status"><option value="">Any</option>
    ${INCIDENT_STATUSES.map((s) => html`<option value="${s}"${filter.status === s ? html` selected` : ''}>${STATUS_WORDS[s]}</option>`)}
  </select>
  <label for="f-from">From</label><input id="f-from" type="date" name="from" value="${filter.from ?? ''}">
  <label for="f-to">To</label><input id="f-to" type="date" name="to" value="${filter.to ?? ''}">
  <button type="submit">Show</button>
</form>
${
  incidents.length === 0
    ? html`<p class="empty">No incidents match.</p>`
    : html`<table class="list" id="incidents">
  <thead><tr><th scope="col">When</th><th scope="col">Camera</th><th scope="col">Status</th><th scope="col">Category</th><th scope="col">Stills</th><th scope="col"><span class="sr">Open</span></th></tr></thead>
  <tbody>${incidents.map(
    (i) => html`<tr data-id="${i.id}" data-status="${i.status}">
    <td><time datetime="${i.triggerTime}">${age(i.triggerTime, c.now)}</time></td>
    <td>${camName(i.camera)}</td><td>${statusBadge(i.status)}${i.held ? html` <span class="badge held">On hold</span>` : ''}</td>
    <td>${i.category ? ((CATEGORY_WORDS as Record<string, string>)[i.category] ?? i.category) : '—'}</td><td>${i.stills}</td>
    <td><a class="button" href="/incidents/${i.id}">${i.status === 'in-review' ? 'Review' : 'Open'}</a></td></tr>`,
  )}</tbody></table>`
}`,
  });
}

const WAITING_STATUSES: ReadonlySet<IncidentStatus> = new Set(['triggered', 'captured', 'capture-failed']);

export function reviewPage(
  c: Common,
  incident: IncidentDetail,
  draft: ReviewDraft,
  o: { fourEyes: boolean; cameraName: string },
): string {
  const editable = incident.status === 'in-review' && can(c.user.role, 'review');
  const approving = incident.status === 'awaiting-approval' && can(c.user.role, 'approve');
  const showImages = can(c.user.role, 'images:view');
  // Opened before capture and redaction finished (from the Incidents list): no half-filled review, but what the
  // page waits for, and review.js follows the live events and reloads when the stills are ready.
  const waiting = WAITING_STATUSES.has(incident.status);
  return page({
    ...c,
    title: `Incident at ${o.cameraName}, ${age(incident.triggerTime, c.now)}`,
    path: '/incidents',
    script: 'review.js',
    body: html`<div id="review" class="review" data-incident="${incident.id}" data-editable="${editable ? 'yes' : 'no'}"
  data-four-eyes="${o.fourEyes ? 'yes' : 'no'}" data-status="${incident.status}">
<p class="state">Status: ${statusBadge(incident.status)} <time datetime="${incident.triggerTime}">${localTime(incident.triggerTime)}</time></p>
${incident.statusReason ? html`<p class="reason">${incident.statusReason}</p>` : ''}
${
  waiting
    ? html`<section id="waiting" class="card waiting" aria-live="polite">
  <h2>Still being prepared</h2>
  <p id="waiting-message">${
    incident.status === 'capture-failed'
      ? 'The recorder did not answer. The appliance tries again by itself; this page updates when the stills arrive.'
      : 'Getting the stills from the recorder and hiding every face. This page updates by itself when they are ready for review.'
  }</p>
  <progress id="waiting-bar" max="1" value="0"></progress>
</section>`
    : html`<section class="stills" aria-label="Stills">
  ${
    editable
      ? html`<p class="step"><strong>1.</strong> Every face is hidden. Tap the face of the person this report is about; only that face is shown. <strong>2.</strong> If anything else could identify someone, choose “Draw a blur box” and drag over it.</p>`
      : ''
  }
  ${
    showImages
      ? incident.stills.map(
          (s, i) => html`<figure class="still" data-still="${s.id}" data-width="${s.width}" data-height="${s.height}">
    <div class="frame"><img src="/api/incidents/${incident.id}/stills/${s.id}/image" alt="Still ${i + 1}, faces hidden" draggable="false" width="${s.width}" height="${s.height}"></div>
    <figcaption>Still ${i + 1} <time datetime="${s.capturedAt}">${localClock(s.capturedAt)}</time>
    ${editable ? html`<label class="context"><input type="checkbox" name="context" value="${s.id}"${draft.contextStills.includes(s.id) ? html` checked` : ''}> Also send this still (all faces hidden)</label>` : ''}
    ${editable && c.status?.detector ? html`<label class="context confirm"><input type="checkbox" name="confirm" value="${s.id}"${draft.confirmedStills?.includes(s.id) ? html` checked` : ''}> I have looked: no face is left unhidden on this still (a weaker face detector is running, so a still is sent only once confirmed)</label>` : ''}</figcaption>
  </figure>`,
        )
      : html`<p>Images are not shown to your role.</p>`
  }
</section>`
}
${
  editable
    ? html`<section class="card controls" aria-label="Review">
  <p id="subject-state" class="subject-state">${draft.subject ? 'Subject chosen.' : 'No subject chosen yet.'}</p>
  <p><button type="button" id="draw-toggle" aria-pressed="false">Draw a blur box</button>
     <button type="button" id="add-box">Add a box in the middle</button>
     <button type="button" id="clear-boxes">Remove my boxes</button></p>
  <p class="hint">Keyboard: Tab to a face and press Enter to choose it. After “Add a box in the middle”, arrow keys move the newest box and Shift+arrows resize it.</p>
  <label for="category">What happened?</label>
  <select id="category" name="category"><option value="">Choose…</option>
    ${INCIDENT_CATEGORIES.map((k) => html`<option value="${k}"${draft.category === k ? html` selected` : ''}>${CATEGORY_WORDS[k]}</option>`)}
  </select>
  <label for="description">Short description (no names; up to 280 characters)</label>
  <textarea id="description" name="description" maxlength="280" rows="3">${draft.description}</textarea>
  <p><button type="button" id="preview-button" class="primary">Show what will leave the shop</button></p>
  <p id="review-message" class="message" role="status"></p>
</section>`
    : ''
}
<section id="preview" class="card preview" aria-label="What will leave the shop" ${editable || approving ? '' : 'hidden'}>
  <h2>What will leave the shop</h2>
  <p class="hint">Only these images and these details are sent to the partnership. Nothing else leaves the appliance.</p>
  <div id="preview-images" class="preview-images"></div>
  <table id="preview-fields" class="fields"><tbody></tbody></table>
  <p id="preview-missing" class="error"></p>
  ${
    editable
      ? html`<p><button type="button" id="send-button" class="big primary" disabled>${o.fourEyes ? 'Submit for manager approval' : 'Send to the partnership'}</button></p>`
      : ''
  }
  ${
    approving
      ? html`<p><button type="button" id="approve-button" class="big primary">Approve and send</button></p>
  <label for="reject-reason">Reason for rejecting</label><input id="reject-reason" maxlength="280">
  <p><button type="button" id="reject-button">Reject</button></p>`
      : ''
  }
  <p id="send-message" class="message" role="status"></p>
</section>
</div>`,
  });
}

/** The SAR table's filters and paging, as the manager page's query string carries them. */
export interface IncidentTableView {
  camera?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  page: number;
  pages: number;
  total: number;
}

function pageLink(view: IncidentTableView, page: number, label: string): Html {
  const q = new URLSearchParams();
  if (view.camera) q.set('camera', String(view.camera));
  if (view.from) q.set('from', view.from);
  if (view.to) q.set('to', view.to);
  q.set('page', String(page));
  return html`<a class="button" href="/manager?${q.toString()}#sar">${label}</a>`;
}

export function managerPage(
  c: Common,
  o: {
    pending: IncidentSummary[];
    holds: Hold[];
    /** Incidents for the hold picker (newest first). */
    recent: IncidentSummary[];
    /** This page of the SAR table. */
    rows: IncidentSummary[];
    view: IncidentTableView;
    cameras: Camera[];
  },
): string {
  const camName = (id: number) => o.cameras.find((x) => x.id === id)?.name ?? `Camera ${id}`;
  const category = (i: IncidentSummary) =>
    i.category ? ((CATEGORY_WORDS as Record<string, string>)[i.category] ?? 'Other') : 'Not chosen yet';
  // How a manager tells one incident from another: where, when (UK time, date written out), what, and how far.
  const describeIncident = (i: IncidentSummary) =>
    `${camName(i.camera)}, ${localTime(i.triggerTime)} — ${category(i)} — ${STATUS_WORDS[i.status]}`;
  const byId = new Map([...o.recent, ...o.rows].map((i) => [i.id, i]));
  const holdIncident = (id: string) => {
    const i = byId.get(id);
    return i ? `${camName(i.camera)}, ${localTime(i.triggerTime)}` : 'An older incident';
  };
  const v = o.view;
  return page({
    ...c,
    title: 'Manager',
    path: '/manager',
    script: 'actions.js',
    body: html`<section class="card"><h2>Waiting for your approval</h2>
${
  o.pending.length === 0
    ? html`<p class="empty">Nothing is waiting.</p>`
    : html`<ul class="plain">${o.pending.map((i) => html`<li><a href="/incidents/${i.id}">${describeIncident(i)}</a></li>`)}</ul>`
}</section>
<section class="card"><h2>Evidence holds</h2>
<p class="hint">A hold keeps an incident past the normal deletion date, for example while the police investigate.</p>
${
  o.holds.length === 0
    ? html`<p class="empty">No holds.</p>`
    : html`<table class="list" id="holds"><thead><tr><th scope="col">Incident</th><th scope="col">Reason</th><th scope="col">Reference</th><th scope="col">Kept until</th><th scope="col">State</th><th scope="col"><span class="sr">Action</span></th></tr></thead><tbody>
${o.holds.map(
  (
    h,
  ) => html`<tr><td><a href="/incidents/${h.incidentId}">${holdIncident(h.incidentId)}</a></td><td>${h.reason}</td><td>${h.reference ?? '—'}</td>
  <td>${h.expiresAt ? localDate(h.expiresAt) : 'No end date'}</td><td>${h.releasedAt ? `Released by ${h.releasedBy ?? 'someone'} on ${localDate(h.releasedAt)}` : `Active since ${localDate(h.placedAt)}`}</td>
  <td>${h.releasedAt ? '' : html`<button type="button" data-api="/api/holds/${h.id}/release" data-confirm="Release this hold? The incident will then be deleted on its normal date.">Release</button>`}</td></tr>`,
)}</tbody></table>`
}
<form class="inline-form" data-api="/api/holds" data-json="yes">
  <h3>Place a hold</h3>
  <label for="hold-incident">Incident</label>
  <select id="hold-incident" name="incidentId" required>${o.recent.map((i) => html`<option value="${i.id}">${describeIncident(i)}</option>`)}</select>
  <label for="hold-reason">Reason</label><input id="hold-reason" name="reason" required minlength="3" maxlength="280">
  <label for="hold-reference">Police or case reference (optional)</label><input id="hold-reference" name="reference" maxlength="80">
  <label for="hold-expires">Keep until (optional)</label><input id="hold-expires" name="expiresAt" type="date">
  <button type="submit">Place hold</button>
  <p class="message" role="status" data-result></p>
</form></section>
<section class="card" id="sar"><h2>Subject access request</h2>
<p class="hint">When someone asks for the images of themselves: find the incidents they were in, tick them and export. Answer within 30 days. The export from this page hides every face, the requester’s too; to show the requester’s own face, ask your installer to run “bcrp-edge sar faces” and “bcrp-edge sar export --keep” on the appliance.</p>
<form class="filters" method="get" action="/manager#sar">
  <label for="sar-camera">Camera</label>
  <select id="sar-camera" name="camera"><option value="">Any</option>
    ${o.cameras.map((cam) => html`<option value="${cam.id}"${v.camera === cam.id ? html` selected` : ''}>${cam.name}</option>`)}
  </select>
  <label for="sar-from">From</label><input id="sar-from" type="date" name="from" value="${v.from ?? ''}">
  <label for="sar-to">To</label><input id="sar-to" type="date" name="to" value="${v.to ?? ''}">
  <button type="submit">Show</button>
</form>
<form class="inline-form sar-form" data-api="/api/sar-exports" data-json="yes">
  <label for="sar-reference">Request reference</label><input id="sar-reference" name="reference" required maxlength="80">
  ${
    o.rows.length === 0
      ? html`<p class="empty">No incidents match.</p>`
      : html`<table class="list" id="sar-incidents"><caption>Incidents ${v.total > o.rows.length ? `(page ${v.page} of ${v.pages}, ${v.total} in all)` : `(${v.total})`}</caption>
  <thead><tr><th scope="col"><span class="sr">Include</span></th><th scope="col">When</th><th scope="col">Camera</th><th scope="col">What happened</th><th scope="col">Status</th></tr></thead>
  <tbody>${o.rows.map(
    (
      i,
    ) => html`<tr><td><input type="checkbox" name="incidentIds" value="${i.id}" id="sar-${i.id}" aria-label="Include ${camName(i.camera)}, ${localTime(i.triggerTime)}"></td>
    <td><label for="sar-${i.id}"><time datetime="${i.triggerTime}">${localTime(i.triggerTime)}</time></label></td><td>${camName(i.camera)}</td><td>${category(i)}</td><td>${statusBadge(i.status)}</td></tr>`,
  )}</tbody></table>
  ${v.pages > 1 ? html`<nav class="pager" aria-label="Pages of incidents">${v.page > 1 ? pageLink(v, v.page - 1, 'Previous page') : ''} ${v.page < v.pages ? pageLink(v, v.page + 1, 'Next page') : ''}</nav>` : ''}`
  }
  <button type="submit">Export for the request</button>
  <p class="message" role="status" data-result></p>
</form></section>`,
  });
}

function checkRow(r: CheckResult): Html {
  return html`<tr class="${r.ok ? 'ok' : 'bad'}"><td>${r.name}</td><td>${r.ok ? 'OK' : 'Problem'}</td><td>${r.detail}</td></tr>`;
}

export function installerPage(
  c: Common,
  cameras: Camera[],
  certificates: CertificateInfo[],
  checks: CheckResult[],
): string {
  const s = c.status;
  return page({
    ...c,
    title: 'Installer',
    path: '/installer',
    script: 'actions.js',
    body: html`<section class="card"><h2>Recorder and button</h2>
<p><button type="button" data-api="/api/installer/nvr-test" data-show="check">Test recorder connection</button>
<button type="button" data-api="/api/installer/button-test" data-show="check">Test the button (press it within 10 seconds)</button></p>
<p class="message" role="status" data-result></p></section>
<section class="card"><h2>Recorder self-test</h2>
<p>Walks through everything the appliance needs from the recorder (login, rights per camera, picture, playback, events, clock) and gives the exact fix for what does not work. Takes about 5 s per camera.</p>
<p><button type="button" data-api="/api/installer/nvr-self-test" data-show="selftest">Run the recorder self-test</button></p>
<pre class="message selftest" role="status" data-result></pre></section>
<section class="card"><h2>Cameras</h2>
<table class="list" id="cameras"><thead><tr><th scope="col">Channel</th><th scope="col">Name</th><th scope="col">Offered</th><th scope="col">Test still (faces hidden)</th></tr></thead><tbody>
${cameras.map(
  (cam) => html`<tr><td>${cam.id}</td><td>${cam.name}</td><td>${cam.enabled ? 'Yes' : 'No'}</td>
  <td><button type="button" data-still="/api/installer/cameras/${cam.id}/test-still">Show test still</button><img class="test-still" alt="" hidden></td></tr>`,
)}</tbody></table></section>
<section class="card"><h2>Broker and hub</h2>
${
  s
    ? html`<table class="fields"><tbody><tr><th scope="row">Broker</th><td>${s.broker.detail}</td></tr><tr><th scope="row">Hub</th><td>${s.hub.detail}</td></tr>
<tr><th scope="row">Waiting to send</th><td>${s.queueDepth}</td></tr><tr><th scope="row">Clock</th><td>${s.clock.detail}</td></tr></tbody></table>`
    : html`<p>Status unavailable.</p>`
}
</section>
<section class="card"><h2>Certificates</h2>
<table class="list" id="certificates"><thead><tr><th scope="col">Certificate</th><th scope="col">For</th><th scope="col">Expires</th><th scope="col">Days left</th></tr></thead><tbody>
${certificates.map((x) => html`<tr class="${x.daysLeft < 30 ? 'bad' : 'ok'}"><td>${x.name}</td><td>${x.subject}</td><td>${x.expiresAt.slice(0, 10)}</td><td>${x.daysLeft}</td></tr>`)}
</tbody></table></section>
<section class="card"><h2>Configuration check</h2>
<table class="list" id="config-check"><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Detail</th></tr></thead><tbody>${checks.map(checkRow)}</tbody></table></section>`,
  });
}

function entryRow(e: AuditEntry): Html {
  const details = Object.entries(e.details)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return html`<tr><td>${e.seq}</td><td><time datetime="${e.time}">${localTime(e.time)}</time></td><td>${e.actor}</td><td>${e.action}</td><td>${e.subject}</td><td class="details">${details}</td></tr>`;
}

function entriesTable(id: string, entries: AuditEntry[]): Html {
  if (entries.length === 0) return html`<p class="empty">None recorded.</p>`;
  return html`<table class="list audit" id="${id}"><thead><tr><th scope="col">#</th><th scope="col">Time (UK)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">About</th><th scope="col">Details</th></tr></thead>
<tbody>${entries.map(entryRow)}</tbody></table>`;
}

export function auditorPage(
  c: Common,
  o: {
    timeline: AuditEntry[];
    retention: AuditEntry[];
    holds: Hold[];
    action: string | undefined;
    actions: readonly string[];
    report?: ChainReport;
  },
): string {
  return page({
    ...c,
    title: 'Auditor',
    path: '/auditor',
    script: 'actions.js',
    body: html`<section class="card"><h2>Audit log</h2>
<p class="hint">Every sign-in, capture, view, reveal, send, export and deletion is in a hash-chained log. “Verify now” recomputes every link.</p>
<p><button type="button" class="primary" data-api="/api/audit/verify" data-show="chain">Verify now</button>
<a class="button" href="/api/audit/export" download>Download the log (JSON lines)</a></p>
<p id="verify-result" class="message" role="status" data-result></p></section>
<section class="card"><h2>Timeline</h2>
<form class="filters" method="get" action="/auditor"><label for="a-action">Action</label>
<select id="a-action" name="action"><option value="">All</option>${o.actions.map((a) => html`<option${o.action === a ? html` selected` : ''}>${a}</option>`)}</select>
<button type="submit">Show</button></form>
${entriesTable('timeline', o.timeline)}</section>
<section class="card"><h2>Retention runs and deletions</h2>${entriesTable('retention', o.retention)}</section>
<section class="card"><h2>Evidence holds</h2>
${
  o.holds.length === 0
    ? html`<p class="empty">No holds.</p>`
    : html`<table class="list" id="auditor-holds"><thead><tr><th scope="col">Incident</th><th scope="col">Reason</th><th scope="col">Placed</th><th scope="col">Until</th><th scope="col">Released</th></tr></thead><tbody>
${o.holds.map((h) => html`<tr><td>${h.incidentId}</td><td>${h.reason}</td><td>${localTime(h.placedAt)} by ${h.placedBy}</td><td>${h.expiresAt ? localDate(h.expiresAt) : 'No end date'}</td><td>${h.releasedAt ? `${localTime(h.releasedAt)} by ${h.releasedBy ?? 'someone'}` : 'Active'}</td></tr>`)}</tbody></table>`
}</section>`,
  });
}

export function errorPage(
  site: { name: string },
  user: SessionUser | undefined,
  csrfToken: string,
  title: string,
  message: string,
): string {
  return page({
    title,
    path: '',
    site,
    user,
    csrfToken,
    body: html`<p class="card">${message}</p><p><a href="/">Back to the start</a></p>`,
  });
}

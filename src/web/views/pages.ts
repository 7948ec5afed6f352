// The server-rendered pages. Each returns a whole document; scripts under /assets/ add live updates and the
// review page's drawing, but every page shows its information without them.

import type { AuditEntry, ChainReport } from '../../core/audit-chain.js';
import { INCIDENT_CATEGORIES, INCIDENT_STATUSES, type IncidentStatus } from '../../core/incident.js';
import type { Camera, IncidentDetail, IncidentSummary } from '../../core/ports/incident-service.js';
import type { CertificateInfo, CheckResult } from '../../core/ports/installer-checks.js';
import type { ReviewDraft } from '../../core/ports/review-service.js';
import type { ApplianceStatus } from '../../core/ports/status-service.js';
import type { Hold } from '../../services/holds/holds.js';
import { type MessageKey, type Words, words as wordsFor } from '../i18n/i18n.js';
import type { SessionUser } from '../plugins/auth.js';
import { can } from '../roles.js';
import { clipSection } from './clip-section.js';
import { type Html, html } from './html.js';
import { page, reason } from './layout.js';
import { previewChecksSection, retentionSentence, sentRetention } from './outgoing.js';

interface Common {
  site: { name: string };
  user: SessionUser;
  csrfToken: string;
  status: ApplianceStatus | undefined;
  now: Date;
  /** The reader's words (their language). */
  w: Words;
  /** This page's address, for the language switch. */
  here: string;
}

/** A day/month/year text box: Chromium's date input follows the browser's own language, not the page's. */
function dateInput(w: Words, id: string, name: string, value: string | undefined, label: MessageKey): Html {
  return html`<label for="${id}">${w.t(label)}</label><input id="${id}" name="${name}" value="${value ?? ''}" inputmode="numeric"
    pattern="\\d{1,2}/\\d{1,2}/\\d{4}" placeholder="${w.t('common.datePlaceholder')}" aria-describedby="${id}-hint" size="10" data-date="dmy"><span id="${id}-hint" class="sr">${w.t('common.dateHint')}</span>`;
}

export function loginPage(
  deps: { site: { name: string } },
  o: { next?: string | undefined; error?: string; username?: string; csrfToken: string },
  frame: { hint?: string; product?: string; w?: Words | undefined; here?: string } = {},
): string {
  const w = frame.w ?? wordsFor('en');
  return page({
    ...(frame.product ? { product: frame.product } : {}),
    title: w.t('login.title'),
    path: '/login',
    here: frame.here ?? (o.next ? `/login?next=${encodeURIComponent(o.next)}` : '/login'),
    site: deps.site,
    user: undefined,
    csrfToken: o.csrfToken,
    w,
    body: html`<form class="card login" method="post" action="/login">
  ${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
  <label for="username">${w.t('login.username')}</label>
  <input id="username" name="username" autocomplete="username" required autofocus value="${o.username ?? ''}">
  <label for="password">${w.t('login.password')}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  ${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ''}
  <input type="hidden" name="_csrf" value="${o.csrfToken}">
  <button class="primary" type="submit">${w.t('login.submit')}</button>
  <p class="hint">${frame.hint ?? w.t('login.hint')}</p>
</form>`,
  });
}

const MINUTES_AGO = [0, 1, 2, 5, 10, 15, 30, 60];

export function capturePage(c: Common, cameras: Camera[]): string {
  const { w } = c;
  const enabled = cameras.filter((cam) => cam.enabled);
  return page({
    ...c,
    title: w.t('capture.title'),
    path: '/capture',
    script: 'capture.js',
    body: html`<form id="capture-form" class="capture" method="post" action="/capture">
  <input type="hidden" name="_csrf" value="${c.csrfToken}">
  <fieldset class="cameras">
    <legend>${w.t('capture.which')}</legend>
    ${enabled.map(
      (
        cam,
        i,
      ) => html`<label class="camera-tile"><input type="radio" name="camera" value="${cam.id}"${i === 0 ? html` checked` : ''}>
      <span>${cam.name}</span></label>`,
    )}
  </fieldset>
  <label for="minutesAgo" class="when">${w.t('capture.when')}</label>
  <select id="minutesAgo" name="minutesAgo">
    ${MINUTES_AGO.map((m) => html`<option value="${m}">${m === 0 ? w.t('capture.justNow') : w.t('capture.minutesAgo', { n: m })}</option>`)}
  </select>
  <button id="capture-button" class="big primary" type="submit">${w.t('capture.button')}</button>
</form>
<section id="progress" class="card progress" aria-live="polite" hidden>
  <h2>${w.t('capture.progress')}</h2>
  <p id="progress-message">${w.t('capture.asking')}</p>
  <progress id="progress-bar" max="1" value="0"></progress>
  <p><a id="review-link" class="button primary" href="#" hidden>${w.t('capture.reviewNow')}</a></p>
</section>`,
  });
}

function statusBadge(w: Words, s: IncidentStatus): Html {
  return html`<span class="badge status-${s}">${w.status(s)}</span>`;
}

const cameraName = (w: Words, cameras: Camera[]) => (id: number) =>
  cameras.find((x) => x.id === id)?.name ?? w.t('common.cameraN', { n: id });

export function incidentsPage(
  c: Common,
  incidents: IncidentSummary[],
  filter: { status?: string | undefined; from?: string | undefined; to?: string | undefined },
  cameras: Camera[],
): string {
  const { w } = c;
  const camName = cameraName(w, cameras);
  return page({
    ...c,
    title: w.t('incidents.title'),
    path: '/incidents',
    script: 'incidents.js',
    body: html`<form class="filters" method="get" action="/incidents">
  <label for="f-status">${w.t('incidents.status')}</label>
  <select id="f-status" name="status"><option value="">${w.t('common.any')}</option>
    ${INCIDENT_STATUSES.map((s) => html`<option value="${s}"${filter.status === s ? html` selected` : ''}>${w.status(s)}</option>`)}
  </select>
  ${dateInput(w, 'f-from', 'from', filter.from, 'common.from')}
  ${dateInput(w, 'f-to', 'to', filter.to, 'common.to')}
  <button type="submit">${w.t('common.show')}</button>
</form>
${
  incidents.length === 0
    ? html`<p class="empty">${w.t('common.noMatch')}</p>`
    : html`<table class="list" id="incidents">
  <thead><tr><th scope="col">${w.t('incidents.when')}</th><th scope="col">${w.t('incidents.camera')}</th><th scope="col">${w.t('incidents.status')}</th><th scope="col">${w.t('incidents.category')}</th><th scope="col">${w.t('incidents.stills')}</th><th scope="col"><span class="sr">${w.t('incidents.open')}</span></th></tr></thead>
  <tbody>${incidents.map(
    (i) => html`<tr data-id="${i.id}" data-status="${i.status}">
    <td><time datetime="${i.triggerTime}" title="${w.time(i.triggerTime)}">${w.age(i.triggerTime, c.now)}</time></td>
    <td>${camName(i.camera)}</td><td>${statusBadge(w, i.status)}${i.held ? html` <span class="badge held">${w.t('incidents.onHold')}</span>` : ''}</td>
    <td>${i.category ? w.category(i.category) : '—'}</td><td>${w.number(i.stills)}</td>
    <td><a class="button" href="/incidents/${i.id}">${i.status === 'in-review' ? w.t('incidents.review') : w.t('incidents.open')}</a></td></tr>`,
  )}</tbody></table>`
}`,
  });
}

const WAITING_STATUSES: ReadonlySet<IncidentStatus> = new Set(['triggered', 'captured', 'capture-failed']);
/** Gone (or going) to the partnership: the page says how long the partnership keeps it. */
const SENT_STATUSES: ReadonlySet<IncidentStatus> = new Set(['queued', 'sent', 'acked']);

export function reviewPage(
  c: Common,
  incident: IncidentDetail,
  draft: ReviewDraft,
  o: { fourEyes: boolean; cameraName: string; clips?: boolean; master?: Html },
): string {
  const { w } = c;
  const editable = incident.status === 'in-review' && can(c.user.role, 'review');
  const approving = incident.status === 'awaiting-approval' && can(c.user.role, 'approve');
  const showImages = can(c.user.role, 'images:view');
  // Opened before capture and redaction finished (from the Incidents list): no half-filled review, but what the
  // page waits for, and review.js follows the live events and reloads when the stills are ready.
  const waiting = WAITING_STATUSES.has(incident.status);
  return page({
    ...c,
    title: w.t('review.title', { camera: o.cameraName, age: w.age(incident.triggerTime, c.now) }),
    path: '/incidents',
    script: 'review.js',
    body: html`<div id="review" class="review${editable ? ' editing' : ''}" data-incident="${incident.id}" data-editable="${editable ? 'yes' : 'no'}"
  data-four-eyes="${o.fourEyes ? 'yes' : 'no'}" data-status="${incident.status}" data-site="${c.site.name}" data-retention="${retentionSentence(w)}">
<p class="state">${w.t('review.status')} ${statusBadge(w, incident.status)} <time datetime="${incident.triggerTime}">${w.time(incident.triggerTime)}</time></p>
${incident.statusReason ? html`<p class="reason">${incident.statusReason}</p>` : ''}
${SENT_STATUSES.has(incident.status) ? sentRetention(w) : ''}
${
  waiting
    ? html`<section id="waiting" class="card waiting" aria-live="polite">
  <h2>${w.t('review.waiting')}</h2>
  <p id="waiting-message">${incident.status === 'capture-failed' ? w.t('review.waitingFailed') : w.t('review.waitingBusy')}</p>
  <progress id="waiting-bar" max="1" value="0"></progress>
</section>`
    : html`<section class="stills" aria-label="${w.t('review.stills')}">
  ${editable ? html`<p class="step">${w.t('review.steps')}</p>` : ''}
  ${
    showImages
      ? incident.stills.map(
          (s, i) => html`<figure class="still" data-still="${s.id}" data-width="${s.width}" data-height="${s.height}">
    <div class="frame"><img src="/api/incidents/${incident.id}/stills/${s.id}/image" alt="${w.t('review.stillAlt', { n: i + 1 })}" draggable="false" width="${s.width}" height="${s.height}"></div>
    <figcaption>${w.t('review.still', { n: i + 1 })} <time datetime="${s.capturedAt}">${w.clock(s.capturedAt)}</time>
    ${
      editable
        ? html`<button type="button" class="add-box" data-still="${s.id}">${w.t('review.addBoxHere', { n: i + 1 })}</button>
    <label class="context"><input type="checkbox" name="context" value="${s.id}"${draft.contextStills.includes(s.id) ? html` checked` : ''}> ${w.t('review.alsoSend')}</label>`
        : ''
    }
    ${editable && c.status?.detector ? html`<label class="context confirm"><input type="checkbox" name="confirm" value="${s.id}"${draft.confirmedStills?.includes(s.id) ? html` checked` : ''}> ${w.t('review.confirmStill')}</label>` : ''}</figcaption>
  </figure>`,
        )
      : html`<p>${w.t('review.noImages')}</p>`
  }
</section>`
}
${o.clips && showImages && !waiting ? clipSection(w, incident.id, editable) : ''}
${
  editable
    ? html`<section class="card controls" aria-label="${w.t('review.controls')}">
  <p id="subject-state" class="subject-state">${draft.subject ? w.t('review.subjectChosen') : w.t('review.noSubject')}</p>
  <p><button type="button" id="draw-toggle" aria-pressed="false">${w.t('review.draw')}</button>
     <button type="button" id="clear-boxes">${w.t('review.clear')}</button></p>
  <p class="hint">${w.t('review.keyboard')}</p>
  <label for="category">${w.t('review.what')}</label>
  <select id="category" name="category"><option value="">${w.t('review.choose')}</option>
    ${INCIDENT_CATEGORIES.map((k) => html`<option value="${k}"${draft.category === k ? html` selected` : ''}>${w.category(k)}</option>`)}
  </select>
  <label for="description">${w.t('review.description')}</label>
  <textarea id="description" name="description" maxlength="280" rows="3">${draft.description}</textarea>
  <p><button type="button" id="preview-button" class="primary">${w.t('review.showPreview')}</button></p>
  <p id="review-message" class="message" role="status"></p>
</section>`
    : ''
}
<section id="preview" class="card preview" aria-label="${w.t('review.preview')}" ${editable || approving ? '' : 'hidden'}>
  <h2>${w.t('review.preview')}</h2>
  <p class="hint">${w.t('review.previewHint')}</p>
  <div id="preview-images" class="preview-images"></div>
  <table id="preview-fields" class="fields"><tbody></tbody></table>
  <p id="preview-missing" class="error"></p>
  ${previewChecksSection(w)}
  ${
    editable
      ? html`<p><button type="button" id="send-button" class="big primary" disabled>${o.fourEyes ? w.t('review.submitForApproval') : w.t('review.send')}</button></p>`
      : ''
  }
  ${
    approving
      ? html`<p><button type="button" id="approve-button" class="big primary">${w.t('review.approve')}</button></p>
  <label for="reject-reason">${w.t('review.rejectReason')}</label><input id="reject-reason" maxlength="280">
  <p><button type="button" id="reject-button">${w.t('review.reject')}</button></p>`
      : ''
  }
  <p id="send-message" class="message" role="status"></p>
</section>
${o.master ?? ''}
</div>`,
  });
}

/** A table's filters and paging, as the manager page's query string carries them. */
export interface IncidentTableView {
  camera?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  page: number;
  pages: number;
  total: number;
}

/** The holds table's paging and whether released holds are shown. */
export interface HoldTableView {
  released: boolean;
  page: number;
  pages: number;
  total: number;
}

function managerQuery(view: IncidentTableView, holds: HoldTableView): URLSearchParams {
  const q = new URLSearchParams();
  if (view.camera) q.set('camera', String(view.camera));
  if (view.from) q.set('from', view.from);
  if (view.to) q.set('to', view.to);
  if (view.page > 1) q.set('page', String(view.page));
  if (holds.released) q.set('released', 'yes');
  if (holds.page > 1) q.set('hpage', String(holds.page));
  return q;
}

function pageLink(q: URLSearchParams, key: string, page: number, label: string, anchor: string): Html {
  const next = new URLSearchParams(q);
  next.set(key, String(page));
  return html`<a class="button" href="/manager?${next.toString()}#${anchor}">${label}</a>`;
}

export function managerPage(
  c: Common,
  o: {
    pending: IncidentSummary[];
    /** This page of the holds table. */
    holds: Hold[];
    holdView: HoldTableView;
    /** Incidents for the hold picker (newest first). */
    recent: IncidentSummary[];
    /** Incidents the holds on this page are about, to name them. */
    held: Pick<IncidentSummary, 'id' | 'camera' | 'triggerTime'>[];
    /** This page of the SAR table. */
    rows: IncidentSummary[];
    view: IncidentTableView;
    cameras: Camera[];
    /** Police exports run from the incident page (a link beside each active hold). */
    policeExport?: boolean;
  },
): string {
  const { w } = c;
  const camName = cameraName(w, o.cameras);
  // How a manager tells one incident from another: where, when (UK time, date written out), what, and how far.
  const describeIncident = (i: IncidentSummary) =>
    w.t('manager.incident', {
      camera: camName(i.camera),
      time: w.time(i.triggerTime),
      category: w.category(i.category),
      status: w.status(i.status),
    });
  const byId = new Map<string, Pick<IncidentSummary, 'camera' | 'triggerTime'>>(
    [...o.recent, ...o.rows, ...o.held].map((i) => [i.id, i]),
  );
  const holdIncident = (id: string) => {
    const i = byId.get(id);
    return i
      ? w.t('manager.incidentShort', { camera: camName(i.camera), time: w.time(i.triggerTime) })
      : w.t('manager.olderIncident');
  };
  const v = o.view;
  const hv = o.holdView;
  const q = managerQuery(v, hv);
  return page({
    ...c,
    title: w.t('manager.title'),
    path: '/manager',
    script: 'actions.js',
    body: html`<section class="card"><h2>${w.t('manager.pending')}</h2>
${
  o.pending.length === 0
    ? html`<p class="empty">${w.t('manager.nothingWaiting')}</p>`
    : html`<ul class="plain">${o.pending.map((i) => html`<li><a href="/incidents/${i.id}">${describeIncident(i)}</a></li>`)}</ul>`
}</section>
<section class="card" id="holds-section"><h2>${w.t('holds.title')}</h2>
<p class="hint">${w.t('holds.hint')}</p>
<form class="filters" method="get" action="/manager#holds-section">
  ${v.camera ? html`<input type="hidden" name="camera" value="${v.camera}">` : ''}
  ${v.from ? html`<input type="hidden" name="from" value="${v.from}">` : ''}${v.to ? html`<input type="hidden" name="to" value="${v.to}">` : ''}
  <label><input type="checkbox" name="released" value="yes"${hv.released ? html` checked` : ''}> ${w.t('holds.showReleased')}</label>
  <button type="submit">${w.t('common.show')}</button>
</form>
${
  o.holds.length === 0
    ? html`<p class="empty">${w.t('holds.none')}</p>`
    : html`<table class="list" id="holds">${hv.pages > 1 ? html`<caption>${w.t('holds.caption', { page: hv.page, pages: hv.pages, total: hv.total })}</caption>` : ''}<thead><tr><th scope="col">${w.t('holds.incident')}</th><th scope="col">${w.t('holds.reason')}</th><th scope="col">${w.t('holds.reference')}</th><th scope="col">${w.t('holds.until')}</th><th scope="col">${w.t('holds.state')}</th><th scope="col"><span class="sr">${w.t('holds.action')}</span></th></tr></thead><tbody>
${o.holds.map(
  (
    h,
  ) => html`<tr><td><a href="/incidents/${h.incidentId}">${holdIncident(h.incidentId)}</a></td><td>${h.reason}</td><td>${h.reference ?? '—'}</td>
  <td>${h.expiresAt ? w.date(h.expiresAt) : w.t('holds.noEnd')}</td><td>${h.releasedAt ? w.t('holds.released', { who: h.releasedBy ?? w.t('common.someone'), date: w.date(h.releasedAt) }) : w.t('holds.active', { date: w.date(h.placedAt) })}</td>
  <td>${h.releasedAt ? '' : html`<button type="button" data-api="/api/holds/${h.id}/release" data-done="js.holds.released" data-confirm="${w.t('holds.releaseConfirm')}">${w.t('holds.release')}</button>${o.policeExport ? html` <a class="button" href="/incidents/${h.incidentId}#police-export">${w.t('holds.policeExport')}</a>` : ''}`}</td></tr>`,
)}</tbody></table>
  ${hv.pages > 1 ? html`<nav class="pager" aria-label="${w.t('holds.pages')}">${hv.page > 1 ? pageLink(q, 'hpage', hv.page - 1, w.t('sar.previous'), 'holds-section') : ''} ${hv.page < hv.pages ? pageLink(q, 'hpage', hv.page + 1, w.t('sar.next'), 'holds-section') : ''}</nav>` : ''}`
}
<form class="inline-form" data-api="/api/holds" data-json="yes" data-done="js.holds.placed">
  <h3>${w.t('holds.place')}</h3>
  <label for="hold-incident">${w.t('holds.incident')}</label>
  <select id="hold-incident" name="incidentId" required>${o.recent.map((i) => html`<option value="${i.id}">${describeIncident(i)}</option>`)}</select>
  <label for="hold-reason">${w.t('holds.placeReason')}</label><input id="hold-reason" name="reason" required minlength="3" maxlength="280">
  <label for="hold-reference">${w.t('holds.placeReference')}</label><input id="hold-reference" name="reference" maxlength="80">
  ${dateInput(w, 'hold-expires', 'expiresAt', undefined, 'holds.keepUntil')}
  <button type="submit">${w.t('holds.placeButton')}</button>
  <p class="message" role="status" data-result></p>
</form></section>
<section class="card" id="sar"><h2>${w.t('sar.title')}</h2>
<p class="hint">${w.t('sar.hint')}</p>
<form class="filters" method="get" action="/manager#sar">
  <label for="sar-camera">${w.t('sar.camera')}</label>
  <select id="sar-camera" name="camera"><option value="">${w.t('common.any')}</option>
    ${o.cameras.map((cam) => html`<option value="${cam.id}"${v.camera === cam.id ? html` selected` : ''}>${cam.name}</option>`)}
  </select>
  ${dateInput(w, 'sar-from', 'from', v.from, 'common.from')}
  ${dateInput(w, 'sar-to', 'to', v.to, 'common.to')}
  <button type="submit">${w.t('common.show')}</button>
</form>
<form class="inline-form sar-form" data-api="/api/sar-exports" data-json="yes">
  <label for="sar-reference">${w.t('sar.reference')}</label><input id="sar-reference" name="reference" required maxlength="80">
  ${
    o.rows.length === 0
      ? html`<p class="empty">${w.t('common.noMatch')}</p>`
      : html`<table class="list" id="sar-incidents"><caption>${v.total > o.rows.length ? w.t('sar.captionPaged', { page: v.page, pages: v.pages, total: v.total }) : w.t('sar.caption', { total: v.total })}</caption>
  <thead><tr><th scope="col"><span class="sr">${w.t('sar.include')}</span></th><th scope="col">${w.t('sar.when')}</th><th scope="col">${w.t('sar.camera')}</th><th scope="col">${w.t('sar.what')}</th><th scope="col">${w.t('sar.status')}</th></tr></thead>
  <tbody>${o.rows.map(
    (
      i,
    ) => html`<tr><td><input type="checkbox" name="incidentIds" value="${i.id}" id="sar-${i.id}" aria-label="${w.t('sar.includeLabel', { camera: camName(i.camera), time: w.time(i.triggerTime) })}"></td>
    <td><label for="sar-${i.id}"><time datetime="${i.triggerTime}">${w.time(i.triggerTime)}</time></label></td><td>${camName(i.camera)}</td><td>${w.category(i.category)}</td><td>${statusBadge(w, i.status)}</td></tr>`,
  )}</tbody></table>
  ${v.pages > 1 ? html`<nav class="pager" aria-label="${w.t('sar.pages')}">${v.page > 1 ? pageLink(q, 'page', v.page - 1, w.t('sar.previous'), 'sar') : ''} ${v.page < v.pages ? pageLink(q, 'page', v.page + 1, w.t('sar.next'), 'sar') : ''}</nav>` : ''}`
  }
  <section class="sar-faces" aria-labelledby="sar-faces-title">
    <h3 id="sar-faces-title">${w.t('sar.faces')}</h3>
    <p class="hint">${w.t('sar.facesHint')}</p>
    <p><button type="button" id="sar-faces-button">${w.t('sar.faces')}</button></p>
    <div id="sar-faces" class="sar-stills" aria-live="polite"></div>
  </section>
  <button type="submit" class="primary">${w.t('sar.export')}</button>
  <p class="message" role="status" data-result></p>
</form></section>`,
  });
}

function checkRow(w: Words, r: CheckResult): Html {
  return html`<tr class="${r.ok ? 'ok' : 'bad'}"><td>${r.name}</td><td>${r.ok ? w.t('installer.ok') : w.t('installer.problem')}</td><td>${r.detail}</td></tr>`;
}

/** A certificate close to expiry says so in words, with the fix, not only in red. */
function certificateWords(w: Words, daysLeft: number): string {
  if (daysLeft < 0) return w.t('installer.certExpired');
  if (daysLeft < 30) return w.t('installer.certSoon', { n: daysLeft });
  return w.t('installer.certOk');
}

export function installerPage(
  c: Common,
  cameras: Camera[],
  certificates: CertificateInfo[],
  checks: CheckResult[],
): string {
  const { w } = c;
  const s = c.status;
  return page({
    ...c,
    title: w.t('installer.title'),
    path: '/installer',
    script: 'actions.js',
    body: html`<section class="card"><h2>${w.t('installer.recorder')}</h2>
<p><button type="button" data-api="/api/installer/nvr-test" data-show="check">${w.t('installer.testRecorder')}</button>
<button type="button" data-api="/api/installer/button-test" data-show="check">${w.t('installer.testButton')}</button></p>
<p class="message" role="status" data-result></p></section>
<section class="card"><h2>${w.t('installer.selfTest')}</h2>
<p>${w.t('installer.selfTestHint')}</p>
<p><button type="button" data-api="/api/installer/nvr-self-test" data-show="selftest">${w.t('installer.runSelfTest')}</button></p>
<pre class="message selftest" role="status" data-result></pre></section>
<section class="card"><h2>${w.t('installer.cameras')}</h2>
<table class="list" id="cameras"><thead><tr><th scope="col">${w.t('installer.channel')}</th><th scope="col">${w.t('installer.name')}</th><th scope="col">${w.t('installer.offered')}</th><th scope="col">${w.t('installer.testStill')}</th></tr></thead><tbody>
${cameras.map(
  (
    cam,
  ) => html`<tr><td>${cam.id}</td><td>${cam.name}</td><td>${cam.enabled ? w.t('installer.yes') : w.t('installer.no')}</td>
  <td><button type="button" data-still="/api/installer/cameras/${cam.id}/test-still">${w.t('installer.showStill')}</button><img class="test-still" alt="" hidden></td></tr>`,
)}</tbody></table></section>
<section class="card"><h2>${w.t('installer.brokerHub')}</h2>
${
  s
    ? html`<table class="fields"><tbody><tr><th scope="row">${w.t('part.broker')}</th><td>${reason(w, s.broker)}</td></tr><tr><th scope="row">${w.t('part.hub')}</th><td>${reason(w, s.hub)}</td></tr>
<tr><th scope="row">${w.t('installer.waiting')}</th><td>${w.number(s.queueDepth)}</td></tr><tr><th scope="row">${w.t('part.clock')}</th><td>${reason(w, s.clock)}</td></tr></tbody></table>`
    : html`<p>${w.t('installer.statusUnavailable')}</p>`
}
</section>
<section class="card"><h2>${w.t('installer.certificates')}</h2>
<table class="list" id="certificates"><thead><tr><th scope="col">${w.t('installer.certificate')}</th><th scope="col">${w.t('installer.for')}</th><th scope="col">${w.t('installer.expires')}</th><th scope="col">${w.t('installer.daysLeft')}</th><th scope="col">${w.t('installer.result')}</th></tr></thead><tbody>
${certificates.map((x) => html`<tr class="${x.daysLeft < 30 ? 'bad' : 'ok'}"><td>${x.name}</td><td>${x.subject}</td><td>${w.date(x.expiresAt)}</td><td>${w.number(x.daysLeft)}</td><td>${certificateWords(w, x.daysLeft)}</td></tr>`)}
</tbody></table></section>
<section class="card"><h2>${w.t('installer.configCheck')}</h2>
<table class="list" id="config-check"><thead><tr><th scope="col">${w.t('installer.check')}</th><th scope="col">${w.t('installer.result')}</th><th scope="col">${w.t('installer.detail')}</th></tr></thead><tbody>${checks.map((r) => checkRow(w, r))}</tbody></table></section>`,
  });
}

/** An audit entry's details in words: labelled keys, times in UK time, nested values flattened, no raw JSON. */
function detailText(w: Words, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? w.t('detail.yes') : w.t('detail.no');
  if (typeof value === 'number') return w.number(value);
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return w.time(value);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => detailText(w, v)).join(', ');
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${w.maybe(`detail.${k}`) ?? k}: ${detailText(w, v)}`)
    .join('; ');
}

type Names = ReadonlyMap<string, string> | undefined;

function entryRow(w: Words, e: AuditEntry, names: Names): Html {
  // Ids stay in the downloadable log; the page names what they point at, and leaves out ids it cannot name.
  const details = Object.entries(e.details)
    .filter(([k]) => k !== 'holdId')
    .map(([k, v]) => {
      const value = typeof v === 'string' && names?.has(v) ? (names.get(v) ?? v) : detailText(w, v);
      return `${w.maybe(`detail.${k}`) ?? k}: ${value}`;
    })
    .join(', ');
  const about = names?.get(e.subject) ?? (e.subject === 'web' ? w.t('detail.web') : e.subject);
  return html`<tr><td>${e.seq}</td><td><time datetime="${e.time}">${w.time(e.time)}</time></td><td>${e.actor}</td><td data-action="${e.action}">${w.maybe(`action.${e.action}`) ?? e.action}</td><td data-subject="${e.subject}">${about}</td><td class="details">${details}</td></tr>`;
}

function entriesTable(w: Words, id: string, entries: AuditEntry[], names: Names): Html {
  if (entries.length === 0) return html`<p class="empty">${w.t('common.none')}</p>`;
  return html`<table class="list audit" id="${id}"><thead><tr><th scope="col">${w.t('auditor.seq')}</th><th scope="col">${w.t('auditor.time')}</th><th scope="col">${w.t('auditor.who')}</th><th scope="col">${w.t('auditor.action')}</th><th scope="col">${w.t('auditor.about')}</th><th scope="col">${w.t('auditor.details')}</th></tr></thead>
<tbody>${entries.map((e) => entryRow(w, e, names))}</tbody></table>`;
}

export function auditorPage(
  c: Common,
  o: {
    timeline: AuditEntry[];
    retention: AuditEntry[];
    holds: Hold[];
    /** Names for the incidents the holds are about (camera and UK time), when they still exist. */
    incidentNames?: ReadonlyMap<string, string>;
    action: string | undefined;
    actions: readonly string[];
    report?: ChainReport;
  },
): string {
  const { w } = c;
  return page({
    ...c,
    title: w.t('auditor.title'),
    path: '/auditor',
    script: 'actions.js',
    body: html`<section class="card"><h2>${w.t('auditor.log')}</h2>
<p class="hint">${w.t('auditor.logHint')}</p>
<p><button type="button" class="primary" data-api="/api/audit/verify" data-show="chain">${w.t('auditor.verify')}</button>
<a class="button" href="/api/audit/export" download>${w.t('auditor.download')}</a></p>
<p id="verify-result" class="message" role="status" data-result></p></section>
<section class="card"><h2>${w.t('auditor.timeline')}</h2>
<form class="filters" method="get" action="/auditor"><label for="a-action">${w.t('auditor.action')}</label>
<select id="a-action" name="action"><option value="">${w.t('common.all')}</option>${o.actions.map((a) => html`<option value="${a}"${o.action === a ? html` selected` : ''}>${w.maybe(`action.${a}`) ?? a}</option>`)}</select>
<button type="submit">${w.t('common.show')}</button></form>
${entriesTable(w, 'timeline', o.timeline, o.incidentNames)}</section>
<section class="card"><h2>${w.t('auditor.retention')}</h2>${entriesTable(w, 'retention', o.retention, o.incidentNames)}</section>
<section class="card"><h2>${w.t('holds.title')}</h2>
${
  o.holds.length === 0
    ? html`<p class="empty">${w.t('holds.none')}</p>`
    : html`<table class="list" id="auditor-holds"><thead><tr><th scope="col">${w.t('holds.incident')}</th><th scope="col">${w.t('holds.reason')}</th><th scope="col">${w.t('auditor.placed')}</th><th scope="col">${w.t('holds.until')}</th><th scope="col">${w.t('auditor.releasedCol')}</th></tr></thead><tbody>
${o.holds.map((h) => html`<tr><td>${o.incidentNames?.get(h.incidentId) ?? w.t('manager.olderIncident')}</td><td>${h.reason}</td><td>${w.t('auditor.by', { time: w.time(h.placedAt), who: h.placedBy })}</td><td>${h.expiresAt ? w.date(h.expiresAt) : w.t('holds.noEnd')}</td><td>${h.releasedAt ? w.t('auditor.by', { time: w.time(h.releasedAt), who: h.releasedBy ?? w.t('common.someone') }) : w.t('auditor.active')}</td></tr>`)}</tbody></table>`
}</section>`,
  });
}

export function errorPage(
  site: { name: string },
  user: SessionUser | undefined,
  csrfToken: string,
  title: string,
  message: string,
  w: Words = wordsFor('en'),
  here?: string,
): string {
  return page({
    title,
    path: '',
    ...(here ? { here } : {}),
    site,
    user,
    csrfToken,
    w,
    body: html`<p class="card">${message}</p><p><a href="/">${w.t('error.back')}</a></p>`,
  });
}

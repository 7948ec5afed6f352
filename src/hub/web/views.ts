// The hub page's server-rendered pages, in the appliance's frame and escaping template (src/web/views): the packet
// list and one packet with its redacted images, retention state with dates, and signature and device status.

import type { AuditEntry } from '../../core/audit-chain.js';
import { INCIDENT_CATEGORIES, type IncidentCategory } from '../../core/incident.js';
import type { SessionUser } from '../../web/plugins/auth.js';
import { type Html, html } from '../../web/views/html.js';
import { page } from '../../web/views/layout.js';
import { loginPage } from '../../web/views/pages.js';
import { age, CATEGORY_WORDS, localTime } from '../../web/views/words.js';
import type { GalleryEntry, GalleryFilter, SubjectView } from '../hub-gallery.js';
import type { HubPacketView, HubPhase } from '../hub-packets.js';

export const HUB_PRODUCT = 'Partnership hub';
const NAV = [
  { path: '/gallery', label: 'Gallery' },
  { path: '/packets', label: 'Packets' },
];

export interface HubFrame {
  name: string;
  user: SessionUser | undefined;
  csrfToken: string;
  now: Date;
}

function hubPage(f: HubFrame, title: string, path: string, body: Html): string {
  return page({
    title,
    path,
    site: { name: f.name },
    user: f.user,
    csrfToken: f.csrfToken,
    nav: NAV,
    product: HUB_PRODUCT,
    statusStrip: false,
    body,
  });
}

export function hubLoginPage(
  name: string,
  o: { next?: string | undefined; error?: string; username?: string; csrfToken: string },
): string {
  return loginPage({ site: { name } }, o, {
    product: HUB_PRODUCT,
    hint: 'Hub accounts are made by the partnership’s administrator (bcrp-edge hub users add).',
  });
}

export function hubErrorPage(f: HubFrame, title: string, message: string): string {
  return hubPage(f, title, '', html`<p class="card">${message}</p><p><a href="/packets">Back to the packets</a></p>`);
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '—');

export function phaseBadge(p: HubPacketView): Html {
  const words: Record<HubPhase, string> = {
    shared: `Shared with members until ${day(p.retention.shareUntil)}`,
    'admin-only': `Administrator only until ${day(p.retention.deleteAt)}, then deleted`,
    deleted: `Deleted ${day(p.retention.deletedAt ?? p.retention.deleteAt)}`,
  };
  return html`<span class="badge phase-${p.phase}" data-phase="${p.phase}">${words[p.phase]}</span>`;
}

export function signatureBadge(p: HubPacketView): Html {
  const sig =
    p.signature.state === 'verified'
      ? 'Signature verified'
      : p.signature.state === 'failed'
        ? `Signature check failed (${p.signature.message})`
        : 'Deleted: nothing to verify';
  const device =
    p.device.state === 'revoked'
      ? html` <span class="badge device-revoked" data-device="revoked">Device revoked ${day(p.device.revokedAt)}${p.device.revokedReason ? `: ${p.device.revokedReason}` : ''}</span>`
      : p.device.state === 'unknown'
        ? html` <span class="badge device-revoked" data-device="unknown">Device not in the registry</span>`
        : '';
  return html`<span class="badge sig-${p.signature.state}" data-signature="${p.signature.state}" title="${p.signature.message}">${sig}</span>${device}`;
}

const category = (p: HubPacketView) => (p.incident ? CATEGORY_WORDS[p.incident.category] : '—');

function thumbs(p: HubPacketView, cls: string): Html {
  return html`<div class="${cls}">${p.images.map(
    (i) =>
      html`<figure><img src="/packets/${p.id}/images/${i.name}" alt="${i.role === 'subject' ? 'Subject (redacted crop)' : 'Context still, other faces hidden'}" width="${i.width}" height="${i.height}" loading="lazy"><figcaption>${i.role}</figcaption></figure>`,
  )}</div>`;
}

export function packetsPage(f: HubFrame, packets: HubPacketView[]): string {
  const who =
    f.user?.role === 'administrator'
      ? 'As an administrator you see every packet: shared, administrator-only, and what is left of deleted ones.'
      : 'You see the packets shared with members now. Older packets are withdrawn to the administrator, then deleted.';
  return hubPage(
    f,
    'Packets received',
    '/packets',
    html`<p class="hint">${who} Every view is recorded in the hub’s audit log.</p>
${
  packets.length === 0
    ? html`<p class="empty">No packets to show.</p>`
    : html`<table class="list" id="packets">
  <thead><tr><th scope="col">Received</th><th scope="col">Site</th><th scope="col">Category</th><th scope="col">Images</th><th scope="col">Retention</th><th scope="col">Signature</th><th scope="col"><span class="sr">Open</span></th></tr></thead>
  <tbody>${packets.map(
    (p) => html`<tr data-id="${p.id}" data-phase="${p.phase}">
    <td><time datetime="${p.receivedAt}" title="${localTime(p.receivedAt)}">${age(p.receivedAt, f.now)}</time></td>
    <td>${p.siteId}</td><td>${category(p)}</td>
    <td>${p.phase === 'deleted' ? '—' : thumbs(p, 'hub-thumbs')}</td>
    <td>${phaseBadge(p)}</td><td>${signatureBadge(p)}</td>
    <td><a class="button" href="/packets/${p.id}">Open</a></td></tr>`,
  )}</tbody></table>`
}`,
  );
}

/** The packet's redacted clip (bcrp-packet/2), played from the hub (every face filled but the subject's). */
function clipPlayer(p: HubPacketView): Html | string {
  if (!p.clip) return '';
  return html`<h2>Redacted clip</h2>
<figure class="hub-clip"><video id="hub-clip" controls muted playsinline preload="metadata" src="/packets/${p.id}/clip" width="${p.clip.width}" height="${p.clip.height}"></video>
<figcaption>${p.clip.durationSeconds} s at ${p.clip.fps} frames a second; every face filled except ${p.clip.facesKept === 0 ? 'none (no subject kept)' : "the subject's"}. Views are recorded.</figcaption></figure>`;
}

export function packetPage(f: HubFrame, p: HubPacketView): string {
  const row = (label: string, value: Html | string) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  return hubPage(
    f,
    p.phase === 'deleted' ? 'Deleted packet' : `${category(p)} at ${p.siteId}`,
    '/packets',
    html`<table class="fields" id="packet" data-id="${p.id}" data-phase="${p.phase}">
  ${row('Packet', html`<code>${p.id}</code>`)}
  ${row('Site', p.siteId)}
  ${p.subjectRef ? row('Subject', html`<a href="/subjects/${p.subjectRef}" id="subject-link">${p.subjectRef}</a>`) : ''}
  ${p.incident ? row('Category', category(p)) : ''}
  ${p.incident ? row('Incident time', localTime(p.incident.incidentTime)) : ''}
  ${p.incident?.description ? row('Description', p.incident.description) : ''}
  ${row('Received', html`${localTime(p.receivedAt)} (<time datetime="${p.receivedAt}">${age(p.receivedAt, f.now)}</time>)`)}
  ${row('Retention', html`${phaseBadge(p)}${p.retention.class ? ` — the device asserted ${p.retention.class} (advisory: the hub computes retention from the linked reports)` : ''}`)}
  ${p.retention.why ? row('Why', html`<span id="retention-why">${p.retention.why}</span>`) : ''}
  ${p.retention.shareUntil ? row('Shared with members until', day(p.retention.shareUntil)) : ''}
  ${p.retention.withdrawnAt ? row('Withdrawn', day(p.retention.withdrawnAt)) : ''}
  ${row(p.phase === 'deleted' ? 'Deleted' : 'Deleted on', day(p.retention.deletedAt ?? p.retention.deleteAt))}
  ${row('Signature', signatureBadge(p))}
  ${row('Device', html`<code>${p.deviceId.slice(0, 16)}…</code> (${p.device.state})`)}
  ${p.phase === 'deleted' ? '' : row('Sent encrypted', p.encrypted ? 'yes (opened with the hub key)' : 'no')}
</table>
${
  p.phase === 'deleted'
    ? html`<p class="card">This packet was deleted under its retention class. Only this record that it existed remains.</p>`
    : html`<h2>Redacted images</h2>${thumbs(p, 'hub-images')}${clipPlayer(p)}`
}
${f.user?.role === 'administrator' && p.phase !== 'deleted' ? subjectForm(f, p) : ''}
<p><a href="/packets">Back to the packets</a></p>`,
  );
}

/** Administrators relate this report to a subject (or create one from it); reports are never merged. */
function subjectForm(f: HubFrame, p: HubPacketView): Html {
  const action = `/packets/${p.id}/subject`;
  const hidden = html`<input type="hidden" name="_csrf" value="${f.csrfToken}">`;
  return p.subjectRef
    ? html`<h2>Subject</h2><form method="post" action="${action}" id="unlink-form">${hidden}
<input type="hidden" name="action" value="unlink"><input type="hidden" name="ref" value="${p.subjectRef}">
<button type="submit">Unlink from ${p.subjectRef}</button></form>`
    : html`<h2>Subject</h2>
<form method="post" action="${action}" id="link-form">${hidden}<input type="hidden" name="action" value="link">
<label>Subject reference <input name="ref" pattern="S-[0-9a-z-]+" required></label> <button type="submit">Link</button></form>
<form method="post" action="${action}" id="create-form">${hidden}<input type="hidden" name="action" value="create">
<button type="submit">Create a new subject from this report</button></form>`;
}

const categoryWord = (c: string | null) => (c ? (CATEGORY_WORDS[c as IncidentCategory] ?? c) : '—');

function exclusionBadge(e: GalleryEntry['exclusion']): Html {
  if (!e) return html``;
  return html`<span class="badge exclusion" data-exclusion="${e.id}">Excluded from ${e.scope === 'scheme' ? 'all members’ premises' : `site ${e.premises}`} until ${day(e.endsAt)}</span>`;
}

function face(e: GalleryEntry): Html {
  return e.face
    ? html`<img src="/packets/${e.face.packetId}/images/${e.face.image}" alt="Subject ${e.ref} (redacted crop)" loading="lazy">`
    : html`<span class="empty">No image</span>`;
}

export function galleryPage(f: HubFrame, entries: GalleryEntry[], filter: GalleryFilter): string {
  return hubPage(
    f,
    'Gallery',
    '/gallery',
    html`<p class="hint">Subjects currently shared with members, newest report first. Every image carries your name and the time, and every view is recorded.</p>
<form method="get" action="/gallery" class="filters" id="gallery-filter">
  <label>From <input type="date" name="from" value="${filter.from ?? ''}"></label>
  <label>To <input type="date" name="to" value="${filter.to ?? ''}"></label>
  <label>Site <input name="site" value="${filter.site ?? ''}" pattern="[a-z0-9-]*"></label>
  <label>Category <select name="category"><option value="">any</option>${INCIDENT_CATEGORIES.map(
    (c) => html`<option value="${c}"${filter.category === c ? html` selected` : ''}>${CATEGORY_WORDS[c]}</option>`,
  )}</select></label>
  <button type="submit">Search</button>
</form>
${
  entries.length === 0
    ? html`<p class="empty">No subjects to show.</p>`
    : html`<ul class="gallery" id="gallery">${entries.map(
        (e) => html`<li data-ref="${e.ref}"><a href="/subjects/${e.ref}">${face(e)}</a>
  <div><a href="/subjects/${e.ref}"><strong>${e.name ?? e.ref}</strong></a>${e.alias ? html` (${e.alias})` : ''}<br>
  ${e.reports} report${e.reports === 1 ? '' : 's'} · first ${day(e.firstReport)} · last ${day(e.lastReport)} · ${categoryWord(e.category)}<br>
  ${exclusionBadge(e.exclusion)}</div></li>`,
      )}</ul>`
}`,
  );
}

export function subjectPage(f: HubFrame, v: SubjectView, views: AuditEntry[] | null): string {
  const row = (label: string, value: Html | string) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  return hubPage(
    f,
    `Subject ${v.ref}`,
    '/gallery',
    html`<div class="subject" id="subject" data-ref="${v.ref}">${face(v)}</div>
<table class="fields">
  ${v.name ? row('Name', v.name) : ''}
  ${v.alias ? row('Alias', v.alias) : ''}
  ${v.notes ? row('Notes', v.notes) : ''}
  ${row('Reports', String(v.reports))}
  ${row('First report', day(v.firstReport))}
  ${row('Last report', day(v.lastReport))}
  ${row('Category (latest)', categoryWord(v.category))}
  ${row('Exclusion in force', v.exclusion ? exclusionBadge(v.exclusion) : 'none')}
</table>
<h2>Reports</h2>
<ul id="subject-packets">${v.packetIds.map((id) => html`<li><a href="/packets/${id}">${id}</a></li>`)}</ul>
${
  f.user?.role === 'administrator'
    ? html`<h2>Exclusions</h2>${
        v.exclusions.length === 0
          ? html`<p class="empty">None recorded.</p>`
          : html`<ul id="exclusions">${v.exclusions.map(
              (e) =>
                html`<li>${e.id}: ${e.scope === 'scheme' ? 'whole scheme' : `site ${e.premises}`}, ${day(e.startsAt)} to ${day(e.endsAt)}, ${e.servedAt ? `served ${day(e.servedAt)}` : 'notice not served yet'}</li>`,
            )}</ul>`
      }
<h2>Who viewed this subject’s images</h2>
${
  views && views.length > 0
    ? html`<table class="list" id="subject-views"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th></tr></thead><tbody>${views.map(
        (e) => html`<tr><td>${e.time}</td><td>${e.actor}</td><td>${e.subject}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty">No views recorded.</p>`
}`
    : ''
}
<p><a href="/gallery">Back to the gallery</a></p>`,
  );
}

// The hub page's server-rendered pages, in the appliance's frame and escaping template (src/web/views), in the
// reader's language (the hub's words are in src/web/i18n/hub-*.ts): the packet list and one packet with its redacted
// images and their redaction certificate, retention state with dates, signature and device status, the gallery.

import type { AuditEntry } from '../../core/audit-chain.js';
import { INCIDENT_CATEGORIES } from '../../core/incident.js';
import { FIRST_REPORT_SHARE_MONTHS, FURTHER_REPORT_SHARE_MONTHS } from '../../core/packet/retention.js';
import { type MessageKey, type Words, words as wordsFor } from '../../web/i18n/i18n.js';
import type { SessionUser } from '../../web/plugins/auth.js';
import { type Html, html } from '../../web/views/html.js';
import { page } from '../../web/views/layout.js';
import { packetCheck, retentionSentence } from '../../web/views/outgoing.js';
import { loginPage } from '../../web/views/pages.js';
import type { GalleryEntry, GalleryFilter, SubjectView } from '../hub-gallery.js';
import type { HubPacketView } from '../hub-packets.js';

export interface HubFrame {
  name: string;
  user: SessionUser | undefined;
  csrfToken: string;
  now: Date;
  /** The reader's language. */
  w: Words;
  /** This page's address, for the language switch to come back to. */
  here: string;
}

function hubPage(f: HubFrame, title: string, path: string, body: Html): string {
  const { w } = f;
  return page({
    title,
    path,
    here: f.here,
    site: { name: f.name },
    user: f.user,
    csrfToken: f.csrfToken,
    w,
    nav: [
      { path: '/gallery', label: w.t('hub.nav.gallery') },
      { path: '/packets', label: w.t('hub.nav.packets') },
    ],
    product: w.t('hub.product'),
    statusStrip: false,
    body,
  });
}

export function hubLoginPage(
  name: string,
  o: { next?: string | undefined; error?: string; username?: string; csrfToken: string },
  w: Words = wordsFor('en'),
): string {
  return loginPage({ site: { name } }, o, { product: w.t('hub.product'), hint: w.t('hub.login.hint'), w });
}

export function hubErrorPage(f: HubFrame, title: string, message: string): string {
  return hubPage(
    f,
    title,
    '',
    html`<p class="card">${message}</p><p><a href="/packets">${f.w.t('hub.back.packets')}</a></p>`,
  );
}

const day = (w: Words, iso: string | null) => (iso ? w.date(iso) : '—');

export function phaseBadge(w: Words, p: HubPacketView): Html {
  const text =
    p.phase === 'shared'
      ? w.t('hub.phase.shared', { date: day(w, p.retention.shareUntil) })
      : p.phase === 'admin-only'
        ? w.t('hub.phase.admin-only', { date: day(w, p.retention.deleteAt) })
        : w.t('hub.phase.deleted', { date: day(w, p.retention.deletedAt ?? p.retention.deleteAt) });
  return html`<span class="badge phase-${p.phase}" data-phase="${p.phase}">${text}</span>`;
}

export function signatureBadge(w: Words, p: HubPacketView): Html {
  // A failed check's own message is technical (which step, in English): only its tooltip and the API carry it.
  const sig = w.t(`hub.signature.${p.signature.state}`);
  const device =
    p.device.state === 'revoked'
      ? html` <span class="badge device-revoked" data-device="revoked">${w.t('hub.device.revoked', { date: day(w, p.device.revokedAt) })}${p.device.revokedReason ? `: ${p.device.revokedReason}` : ''}</span>`
      : p.device.state === 'unknown'
        ? html` <span class="badge device-revoked" data-device="unknown">${w.t('hub.device.unknown')}</span>`
        : '';
  const detail = p.signature.state === 'failed' ? html` title="${p.signature.message}"` : '';
  return html`<span class="badge sig-${p.signature.state}" data-signature="${p.signature.state}"${detail}>${sig}</span>${device}`;
}

const category = (w: Words, p: HubPacketView) => (p.incident ? w.category(p.incident.category) : '—');

function thumbs(w: Words, p: HubPacketView, cls: string): Html {
  return html`<div class="${cls}">${p.images.map(
    (i) =>
      html`<figure data-image="${i.name}" data-checked="${p.checked ? 'yes' : 'no'}"><img src="/packets/${p.id}/images/${i.name}" alt="${w.t(i.role === 'subject' ? 'hub.image.subject' : 'hub.image.context')}" width="${i.width}" height="${i.height}" loading="lazy"><figcaption>${w.t(i.role === 'subject' ? 'hub.role.subject' : 'hub.role.context')}${cls === 'hub-images' ? html` · <span class="checked">${w.t(p.checked ? 'verify.imageChecked' : 'verify.imageNotChecked')}</span>` : ''}</figcaption></figure>`,
  )}</div>`;
}

export function packetsPage(f: HubFrame, packets: HubPacketView[]): string {
  const { w } = f;
  const who = f.user?.role === 'administrator' ? w.t('hub.packets.admin') : w.t('hub.packets.member');
  return hubPage(
    f,
    w.t('hub.packets.title'),
    '/packets',
    html`<p class="hint">${who} ${w.t('hub.packets.audited')}</p>
${
  packets.length === 0
    ? html`<p class="empty">${w.t('hub.packets.none')}</p>`
    : html`<table class="list" id="packets">
  <thead><tr><th scope="col">${w.t('hub.col.received')}</th><th scope="col">${w.t('hub.col.site')}</th><th scope="col">${w.t('hub.col.category')}</th><th scope="col">${w.t('hub.col.images')}</th><th scope="col">${w.t('hub.col.checked')}</th><th scope="col">${w.t('hub.col.retention')}</th><th scope="col">${w.t('hub.col.signature')}</th><th scope="col"><span class="sr">${w.t('hub.open')}</span></th></tr></thead>
  <tbody>${packets.map(
    (p) => html`<tr data-id="${p.id}" data-phase="${p.phase}">
    <td><time datetime="${p.receivedAt}" title="${w.time(p.receivedAt)}">${w.age(p.receivedAt, f.now)}</time></td>
    <td>${p.siteId}</td><td>${category(w, p)}</td>
    <td>${p.phase === 'deleted' ? '—' : thumbs(w, p, 'hub-thumbs')}</td>
    <td class="checked">${p.phase === 'deleted' ? '—' : packetCheck(w, p.checked)}</td>
    <td>${phaseBadge(w, p)}</td><td>${signatureBadge(w, p)}</td>
    <td><a class="button" href="/packets/${p.id}">${w.t('hub.open')}</a></td></tr>`,
  )}</tbody></table>`
}`,
  );
}

/** The packet's redacted clip (bcrp-packet/2), played from the hub (every face filled but the subject's). */
function clipPlayer(w: Words, p: HubPacketView): Html | string {
  if (!p.clip) return '';
  return html`<h2>${w.t('hub.clip.heading')}</h2>
<figure class="hub-clip"><video id="hub-clip" controls muted playsinline preload="metadata" src="/packets/${p.id}/clip" width="${p.clip.width}" height="${p.clip.height}"></video>
<figcaption>${w.t(p.clip.facesKept === 0 ? 'hub.clip.captionNoSubject' : 'hub.clip.caption', { seconds: p.clip.durationSeconds, fps: p.clip.fps })}</figcaption></figure>`;
}

/** Why the packet is shared until when, from the rule the hub applied (core/packet/retention.ts). */
function why(w: Words, p: HubPacketView): string | undefined {
  const r = p.retention;
  switch (r.rule) {
    case 'first-report':
      return w.t('hub.why.first-report', { months: FIRST_REPORT_SHARE_MONTHS, date: day(w, p.receivedAt) });
    case 'further-report':
      return w.t('hub.why.further-report', { months: FURTHER_REPORT_SHARE_MONTHS });
    case 'withdrawn':
      return w.t('hub.why.withdrawn', { date: day(w, r.shareUntil) });
    case 'admin-only-kept':
      return w.t('hub.why.admin-only-kept', { date: day(w, r.shareUntil) });
    default:
      return undefined;
  }
}

export function packetPage(f: HubFrame, p: HubPacketView): string {
  const { w } = f;
  const row = (label: string, value: Html | string) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  const reason = why(w, p);
  const deviceState = w.t(
    p.device.state === 'enrolled'
      ? 'hub.device.enrolled'
      : p.device.state === 'revoked'
        ? 'hub.device.revokedState'
        : 'hub.device.unknownState',
  );
  return hubPage(
    f,
    p.phase === 'deleted'
      ? w.t('hub.packet.deletedTitle')
      : w.t('hub.packet.title', { category: category(w, p), site: p.siteId }),
    '/packets',
    html`<table class="fields" id="packet" data-id="${p.id}" data-phase="${p.phase}">
  ${row(w.t('hub.row.packet'), html`<code>${p.id}</code>`)}
  ${row(w.t('hub.row.site'), p.siteId)}
  ${p.subjectRef ? row(w.t('hub.row.subject'), html`<a href="/subjects/${p.subjectRef}" id="subject-link">${p.subjectRef}</a>`) : ''}
  ${p.incident ? row(w.t('hub.row.category'), category(w, p)) : ''}
  ${p.incident ? row(w.t('hub.row.incidentTime'), w.time(p.incident.incidentTime)) : ''}
  ${p.incident?.description ? row(w.t('hub.row.description'), p.incident.description) : ''}
  ${row(w.t('hub.row.received'), html`${w.time(p.receivedAt)} (<time datetime="${p.receivedAt}">${w.age(p.receivedAt, f.now)}</time>)`)}
  ${row(w.t('hub.row.retention'), html`${phaseBadge(w, p)}${p.retention.class ? ` — ${w.t('hub.retention.asserted', { class: w.t(`hub.class.${p.retention.class}` as MessageKey) })}` : ''}`)}
  ${reason ? row(w.t('hub.row.why'), html`<span id="retention-why">${reason}</span>`) : ''}
  ${p.phase === 'deleted' ? '' : row(w.t('hub.row.rule'), html`<span id="retention-rule">${retentionSentence(w)}</span>`)}
  ${p.retention.shareUntil ? row(w.t('hub.row.shareUntil'), day(w, p.retention.shareUntil)) : ''}
  ${p.retention.withdrawnAt ? row(w.t('hub.row.withdrawn'), day(w, p.retention.withdrawnAt)) : ''}
  ${row(p.phase === 'deleted' ? w.t('hub.row.deleted') : w.t('hub.row.deletedOn'), day(w, p.retention.deletedAt ?? p.retention.deleteAt))}
  ${row(w.t('hub.row.signature'), signatureBadge(w, p))}
  ${row(w.t('hub.row.device'), html`<code>${p.deviceId.slice(0, 16)}…</code> (${deviceState})`)}
  ${p.phase === 'deleted' ? '' : row(w.t('hub.row.encrypted'), w.t(p.encrypted ? 'hub.encrypted.yes' : 'hub.encrypted.no'))}
  ${p.phase === 'deleted' ? '' : row(w.t('hub.row.checked'), html`<span id="packet-checked">${packetCheck(w, p.checked)}</span>`)}
</table>
${
  p.phase === 'deleted'
    ? html`<p class="card">${w.t('hub.packet.deletedNote')}</p>`
    : html`<h2>${w.t('hub.packet.images')}</h2>${thumbs(w, p, 'hub-images')}${clipPlayer(w, p)}`
}
${f.user?.role === 'administrator' && p.phase !== 'deleted' ? subjectForm(f, p) : ''}
<p><a href="/packets">${w.t('hub.back.packets')}</a></p>`,
  );
}

/** Administrators relate this report to a subject (or create one from it); reports are never merged. */
function subjectForm(f: HubFrame, p: HubPacketView): Html {
  const { w } = f;
  const action = `/packets/${p.id}/subject`;
  const hidden = html`<input type="hidden" name="_csrf" value="${f.csrfToken}">`;
  return p.subjectRef
    ? html`<h2>${w.t('hub.subject.heading')}</h2><form method="post" action="${action}" id="unlink-form">${hidden}
<input type="hidden" name="action" value="unlink"><input type="hidden" name="ref" value="${p.subjectRef}">
<button type="submit">${w.t('hub.subject.unlink', { ref: p.subjectRef })}</button></form>`
    : html`<h2>${w.t('hub.subject.heading')}</h2>
<form method="post" action="${action}" id="link-form">${hidden}<input type="hidden" name="action" value="link">
<label>${w.t('hub.subject.ref')} <input name="ref" pattern="S-[0-9a-z-]+" required></label> <button type="submit">${w.t('hub.subject.link')}</button></form>
<form method="post" action="${action}" id="create-form">${hidden}<input type="hidden" name="action" value="create">
<button type="submit">${w.t('hub.subject.create')}</button></form>`;
}

const categoryWord = (w: Words, c: string | null) => (c ? w.category(c) : '—');

function exclusionBadge(w: Words, e: GalleryEntry['exclusion']): Html {
  if (!e) return html``;
  const text =
    e.scope === 'scheme'
      ? w.t('hub.exclusion.scheme', { date: day(w, e.endsAt) })
      : w.t('hub.exclusion.site', { site: e.premises ?? '', date: day(w, e.endsAt) });
  return html`<span class="badge exclusion" data-exclusion="${e.id}">${text}</span>`;
}

function face(w: Words, e: GalleryEntry): Html {
  return e.face
    ? html`<img src="/packets/${e.face.packetId}/images/${e.face.image}" alt="${w.t('hub.face.alt', { ref: e.ref })}" loading="lazy">`
    : html`<span class="empty">${w.t('hub.face.none')}</span>`;
}

export function galleryPage(f: HubFrame, entries: GalleryEntry[], filter: GalleryFilter): string {
  const { w } = f;
  return hubPage(
    f,
    w.t('hub.gallery.title'),
    '/gallery',
    html`<p class="hint">${w.t('hub.gallery.hint')}</p>
<form method="get" action="/gallery" class="filters" id="gallery-filter">
  <label>${w.t('hub.gallery.from')} <input type="date" name="from" value="${filter.from ?? ''}"></label>
  <label>${w.t('hub.gallery.to')} <input type="date" name="to" value="${filter.to ?? ''}"></label>
  <label>${w.t('hub.gallery.site')} <input name="site" value="${filter.site ?? ''}" pattern="[a-z0-9-]*"></label>
  <label>${w.t('hub.gallery.category')} <select name="category"><option value="">${w.t('hub.gallery.any')}</option>${INCIDENT_CATEGORIES.map(
    (c) => html`<option value="${c}"${filter.category === c ? html` selected` : ''}>${w.category(c)}</option>`,
  )}</select></label>
  <button type="submit">${w.t('hub.gallery.search')}</button>
</form>
${
  entries.length === 0
    ? html`<p class="empty">${w.t('hub.gallery.none')}</p>`
    : html`<ul class="gallery" id="gallery">${entries.map(
        (e) => html`<li data-ref="${e.ref}"><a href="/subjects/${e.ref}">${face(w, e)}</a>
  <div><a href="/subjects/${e.ref}"><strong>${e.name ?? e.ref}</strong></a>${e.alias ? html` (${e.alias})` : ''}<br>
  ${w.t('hub.gallery.reports', { n: e.reports })} · ${w.t('hub.gallery.firstLast', { first: day(w, e.firstReport), last: day(w, e.lastReport) })} · ${categoryWord(w, e.category)}<br>
  ${exclusionBadge(w, e.exclusion)}</div></li>`,
      )}</ul>`
}`,
  );
}

export function subjectPage(f: HubFrame, v: SubjectView, views: AuditEntry[] | null): string {
  const { w } = f;
  const row = (label: string, value: Html | string) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  return hubPage(
    f,
    w.t('hub.subjectPage.title', { ref: v.ref }),
    '/gallery',
    html`<div class="subject" id="subject" data-ref="${v.ref}">${face(w, v)}</div>
<table class="fields">
  ${v.name ? row(w.t('hub.subjectPage.name'), v.name) : ''}
  ${v.alias ? row(w.t('hub.subjectPage.alias'), v.alias) : ''}
  ${v.notes ? row(w.t('hub.subjectPage.notes'), v.notes) : ''}
  ${row(w.t('hub.subjectPage.reports'), w.number(v.reports))}
  ${row(w.t('hub.subjectPage.first'), day(w, v.firstReport))}
  ${row(w.t('hub.subjectPage.last'), day(w, v.lastReport))}
  ${row(w.t('hub.subjectPage.category'), categoryWord(w, v.category))}
  ${row(w.t('hub.subjectPage.exclusion'), v.exclusion ? exclusionBadge(w, v.exclusion) : w.t('hub.subjectPage.none'))}
</table>
<h2>${w.t('hub.subjectPage.reports')}</h2>
<ul id="subject-packets">${v.packetIds.map((id) => html`<li><a href="/packets/${id}">${id}</a></li>`)}</ul>
${
  f.user?.role === 'administrator'
    ? html`<h2>${w.t('hub.subjectPage.exclusions')}</h2>${
        v.exclusions.length === 0
          ? html`<p class="empty">${w.t('hub.subjectPage.noExclusions')}</p>`
          : html`<ul id="exclusions">${v.exclusions.map(
              (e) =>
                html`<li>${w.t('hub.exclusion.line', {
                  id: e.id,
                  where:
                    e.scope === 'scheme'
                      ? w.t('hub.exclusion.whole')
                      : w.t('hub.exclusion.atSite', { site: e.premises ?? '' }),
                  from: day(w, e.startsAt),
                  to: day(w, e.endsAt),
                  served: e.servedAt
                    ? w.t('hub.exclusion.served', { date: day(w, e.servedAt) })
                    : w.t('hub.exclusion.notServed'),
                })}</li>`,
            )}</ul>`
      }
<h2>${w.t('hub.views.heading')}</h2>
${
  views && views.length > 0
    ? html`<table class="list" id="subject-views"><thead><tr><th scope="col">${w.t('hub.views.when')}</th><th scope="col">${w.t('hub.views.who')}</th><th scope="col">${w.t('hub.views.what')}</th></tr></thead><tbody>${views.map(
        (e) =>
          html`<tr><td><time datetime="${e.time}">${w.time(e.time)}</time></td><td>${e.actor}</td><td>${e.subject}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty">${w.t('hub.views.none')}</p>`
}`
    : ''
}
<p><a href="/gallery">${w.t('hub.back.gallery')}</a></p>`,
  );
}

// The page frame every page shares: header with the site name, the pages this role may use, the language switch,
// the appliance status strip and sign-out; the CSRF token for scripts in a meta tag and the scripts' words as a
// JSON data block (not executed, so the CSP's no-inline-script rule holds). Every word comes from the catalogue.
import type { ApplianceStatus, PartHealth } from '../../core/ports/status-service.js';
import { LANG_NAMES, LANGS, type MessageKey, type Words, words as wordsFor } from '../i18n/i18n.js';
import type { SessionUser } from '../plugins/auth.js';
import { can, PAGES } from '../roles.js';
import { type Html, html } from './html.js';

export interface PageFrame {
  title: string;
  /** Which header link is current. */
  path: string;
  site: { name: string };
  user: SessionUser | undefined;
  csrfToken: string;
  /** The reader's language; English when absent (views not translated yet). */
  w?: Words;
  /** The address of this page, for the language switch to come back to. */
  here?: string;
  status?: ApplianceStatus | undefined;
  /** Page script under /assets/ (a module). */
  script?: string;
  body: Html;
  /** The header links; default: the appliance pages this role may use. */
  nav?: readonly { path: string; label: string }[];
  /** What the brand says beside the site name; default: the appliance's. */
  product?: string;
  /** Whether the appliance status strip is shown to a signed-in user (default true). */
  statusStrip?: boolean;
}

/** A part's reason in the reader's language when the service gave a code, else its own (English) words. */
export function reason(w: Words, h: PartHealth): string {
  return (h.code && w.maybe(`js.why.${h.code}`, h.params)) || h.detail;
}

function part(w: Words, key: string, h: PartHealth, value?: string): Html {
  // Anything but OK says why on the page, not only in the tooltip (a revoked certificate, a clock never checked).
  const said = reason(w, h);
  const why = h.state !== 'ok' && said ? html`<span class="why">${said}</span>` : '';
  return html`<li class="status-item state-${h.state}" data-part="${key}" title="${said}">
    <span class="dot" aria-hidden="true"></span><span class="label">${w.t(`part.${key}` as MessageKey)}</span>
    <span class="value">${value ?? w.t(`state.${h.state}`)}</span>${why}</li>`;
}

export function statusStrip(s: ApplianceStatus | undefined, w: Words = wordsFor('en')): Html {
  if (!s) return html`<ul class="status" id="status" aria-label="${w.t('status.strip')}"></ul>`;
  const queue: PartHealth = {
    state: s.queueDepth > 20 ? 'degraded' : 'ok',
    detail: w.t('js.queue.detail', { n: s.queueDepth }),
  };
  const gb =
    s.disk.freeBytes === null
      ? undefined
      : w.t('js.disk.free', { gb: w.number(Number((s.disk.freeBytes / 1e9).toFixed(1))) });
  return html`<ul class="status" id="status" aria-label="${w.t('status.strip')}">
    ${part(w, 'nvr', s.nvr)}${part(w, 'broker', s.broker)}${part(w, 'hub', s.hub)}
    ${part(w, 'queue', queue, w.number(s.queueDepth))}${part(w, 'disk', s.disk, gb)}${part(w, 'clock', s.clock)}
    ${s.detector ? part(w, 'detector', s.detector, w.t('state.weakerModel')) : ''}
  </ul>`;
}

/** The switch to the other language(s): a plain link, so it works on every page, signed in or not. */
function languageSwitch(w: Words, here: string | undefined): Html {
  const next = here?.startsWith('/') ? here : '/';
  return html`<nav class="language" aria-label="${w.t('frame.language')}">${LANGS.filter((l) => l !== w.lang).map(
    (l) =>
      html`<a href="/language?to=${l}&amp;next=${encodeURIComponent(next)}" lang="${l === 'cy' ? 'cy' : 'en-GB'}" hreflang="${l}">${LANG_NAMES[l]}</a>`,
  )}</nav>`;
}

export function page(f: PageFrame): string {
  const w = f.w ?? wordsFor('en');
  const links =
    f.nav ??
    PAGES.filter((p) => can(f.user?.role, p.permission)).map((p) => ({
      path: p.path,
      label: w.t(`nav.${p.path.slice(1)}` as MessageKey),
    }));
  const nav = f.user
    ? links.map(
        (p) => html`<li><a href="${p.path}"${p.path === f.path ? html` aria-current="page"` : ''}>${p.label}</a></li>`,
      )
    : [];
  const role = f.user ? (w.maybe(`role.${f.user.role}`) ?? f.user.role) : '';
  return html`<!doctype html>
<html lang="${w.lang === 'cy' ? 'cy' : 'en-GB'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${f.csrfToken}">
<title>${f.title} · ${f.site.name}</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/assets/style.css">
<script type="module" src="/assets/common.js"></script>
${f.script ? html`<script type="module" src="/assets/${f.script}"></script>` : ''}
</head>
<body>
<a class="skip" href="#main">${w.t('frame.skip')}</a>
<header class="top">
  <div class="brand"><span class="site">${f.site.name}</span> <span class="product">${f.product ?? w.t('frame.product')}</span></div>
  ${f.user ? html`<nav aria-label="${w.t('frame.pages')}"><ul>${nav}</ul></nav>` : ''}
  ${languageSwitch(w, f.here ?? f.path)}
  ${
    f.user
      ? html`<form class="signout" method="post" action="/logout">
    <input type="hidden" name="_csrf" value="${f.csrfToken}">
    <span class="who">${w.t('frame.who', { name: f.user.username, role })}</span> <button type="submit">${w.t('frame.signOut')}</button></form>`
      : ''
  }
  ${f.user && f.statusStrip !== false ? statusStrip(f.status, w) : ''}
</header>
<main id="main" tabindex="-1">
<h1>${f.title}</h1>
${f.body}
</main>
</body>
</html>`.value;
}

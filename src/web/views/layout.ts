// The page frame every signed-in page shares: header with the site name, the pages this role may use, the
// appliance status strip and sign-out; the CSRF token for scripts in a meta tag. No inline script or style.
import type { ApplianceStatus, PartHealth } from '../../core/ports/status-service.js';
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

const STATE_WORDS: Record<PartHealth['state'], string> = {
  ok: 'OK',
  degraded: 'Slow',
  down: 'Down',
  unknown: 'Unknown',
};

function part(label: string, key: string, h: PartHealth, value?: string): Html {
  return html`<li class="status-item state-${h.state}" data-part="${key}" title="${h.detail}">
    <span class="dot" aria-hidden="true"></span><span class="label">${label}</span>
    <span class="value">${value ?? STATE_WORDS[h.state]}</span>${h.state === 'down' ? html`<span class="why">${h.detail}</span>` : ''}</li>`;
}

export function statusStrip(s: ApplianceStatus | undefined): Html {
  if (!s) return html`<ul class="status" id="status" aria-label="Appliance status"></ul>`;
  const queue: PartHealth = {
    state: s.queueDepth > 20 ? 'degraded' : 'ok',
    detail: `${s.queueDepth} waiting to be sent`,
  };
  const gb = s.disk.freeBytes === null ? undefined : `${(s.disk.freeBytes / 1e9).toFixed(1)} GB free`;
  return html`<ul class="status" id="status" aria-label="Appliance status">
    ${part('Recorder', 'nvr', s.nvr)}${part('Broker', 'broker', s.broker)}${part('Hub', 'hub', s.hub)}
    ${part('Queue', 'queue', queue, String(s.queueDepth))}${part('Disk', 'disk', s.disk, gb)}${part('Clock', 'clock', s.clock)}
    ${s.detector ? part('Faces', 'detector', s.detector, 'Weaker model') : ''}
  </ul>`;
}

export function page(f: PageFrame): string {
  const links = f.nav ?? PAGES.filter((p) => can(f.user?.role, p.permission));
  const nav = f.user
    ? links.map(
        (p) => html`<li><a href="${p.path}"${p.path === f.path ? html` aria-current="page"` : ''}>${p.label}</a></li>`,
      )
    : [];
  return html`<!doctype html>
<html lang="en-GB">
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
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <div class="brand"><span class="site">${f.site.name}</span> <span class="product">${f.product ?? 'Incident reporting'}</span></div>
  ${f.user ? html`<nav aria-label="Pages"><ul>${nav}</ul></nav>` : ''}
  ${
    f.user
      ? html`<form class="signout" method="post" action="/logout">
    <input type="hidden" name="_csrf" value="${f.csrfToken}">
    <span class="who">${f.user.username} (${f.user.role})</span> <button type="submit">Sign out</button></form>`
      : ''
  }
  ${f.user && f.statusStrip !== false ? statusStrip(f.status) : ''}
</header>
<main id="main" tabindex="-1">
<h1>${f.title}</h1>
${f.body}
</main>
</body>
</html>`.value;
}

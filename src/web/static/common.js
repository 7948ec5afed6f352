// Shared by every page: the page's words (t), the API helper (sends the CSRF token), the status strip refresh,
// and local times.
const meta = document.querySelector('meta[name="csrf-token"]');
// The page's language is its lang attribute; the words for it come from the server's catalogue (one cached file).
const pageLang = document.documentElement.lang.startsWith('cy') ? 'cy' : 'en';
const carried = await fetch(`/i18n/${pageLang}.json`, { credentials: 'same-origin' })
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}));
const messages = carried.messages || {};
/** The page's language tag (en-GB, cy-GB) for dates and numbers. */
export const locale = carried.locale || 'en-GB';
const plurals = new Intl.PluralRules(locale);

/** A message from the server's catalogue (keys under js.), {name} filled in, the plural form chosen by {n}. */
export function t(key, params = {}) {
  let m = messages[key];
  if (m === undefined) return key;
  if (typeof m === 'object') m = m[plurals.select(Number(params.n ?? 0))] ?? m.other;
  return m.replace(/\{(\w+)\}/g, (whole, name) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? v.toLocaleString(locale) : String(v);
  });
}

// Month and weekday names come from the catalogue, not the browser: Chromium ships without Welsh date names and
// would write "2026 M12 2". The numbers come from Intl in UK time.
const UK_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  day: 'numeric',
  month: 'numeric',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function ukParts(iso) {
  const p = Object.fromEntries(UK_PARTS.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return {
    weekday: t('js.date.weekdays').split('|')[WEEKDAYS_EN.indexOf(p.weekday)] ?? p.weekday,
    day: String(Number(p.day)),
    month: t('js.date.months').split('|')[Number(p.month) - 1] ?? p.month,
    year: p.year,
    hour: p.hour,
    minute: p.minute,
  };
}

/** "2 July 2026" (or "2 Gorffennaf 2026") in UK time. */
export function ukDate(iso) {
  return t('js.date.date', ukParts(iso));
}

/** "Thu 2 July 2026, 06:59" (or "Iau 2 Gorffennaf 2026, 06:59") in UK time. */
export function ukTime(iso) {
  return t('js.date.time', ukParts(iso));
}

export function csrfToken() {
  return meta ? meta.getAttribute('content') : '';
}

/** A capture progress event in the page's language (the event's own message is English, for logs and scripts). */
export function progressWords(p) {
  if (p.status === 'triggered')
    return t('js.progress.triggered', { ready: p.stillsReady, expected: Math.max(p.stillsExpected, p.stillsReady) });
  const known = ['captured', 'capture-failed', 'in-review'];
  return known.includes(p.status) ? t(`js.progress.${p.status}`) : t('js.progress.other');
}

/** Calls the JSON API; throws an Error whose message is the server's plain-English error. */
export async function api(method, url, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['csrf-token'] = csrfToken();
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error(t('js.error.offline'));
  }
  const type = res.headers.get('content-type') || '';
  const data = type.includes('application/json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new Error(data?.error || t('js.error.http', { status: res.status }));
    err.status = res.status;
    throw err;
  }
  return data;
}

/** A part's reason in the page's language when the service gave a code (js.why.<code>), else its own words. */
function why(part) {
  const key = part.code ? `js.why.${part.code}` : '';
  const said = key ? t(key, part.params || {}) : '';
  return said && said !== key ? said : part.detail;
}

function setPart(key, state, detail, value) {
  const li = document.querySelector(`#status [data-part="${key}"]`);
  if (!li) return;
  li.className = `status-item state-${state}`;
  li.title = detail;
  const v = li.querySelector('.value');
  if (v) v.textContent = value ?? t(`js.state.${state}`);
  // A part that is not OK says why in words, not only in the tooltip (e.g. a revoked broker certificate).
  let why = li.querySelector('.why');
  if (state !== 'ok' && detail) {
    if (!why) {
      why = document.createElement('span');
      why.className = 'why';
      li.append(why);
    }
    why.textContent = detail;
  } else why?.remove();
}

async function refreshStatus() {
  try {
    const s = await api('GET', '/api/status');
    setPart('nvr', s.nvr.state, why(s.nvr));
    setPart('broker', s.broker.state, why(s.broker));
    setPart('hub', s.hub.state, why(s.hub));
    setPart(
      'queue',
      s.queueDepth > 20 ? 'degraded' : 'ok',
      t('js.queue.detail', { n: s.queueDepth }),
      s.queueDepth.toLocaleString(locale),
    );
    const gb =
      s.disk.freeBytes === null ? undefined : t('js.disk.free', { gb: Number((s.disk.freeBytes / 1e9).toFixed(1)) });
    setPart('disk', s.disk.state, why(s.disk), gb);
    setPart('clock', s.clock.state, why(s.clock));
    if (s.detector) setPart('detector', s.detector.state, why(s.detector), t('js.state.weakerModel'));
  } catch {
    // The strip keeps its last state; the next refresh tries again.
  }
}

if (document.getElementById('status')) setInterval(refreshStatus, 20000);

for (const el of document.querySelectorAll('time[datetime]')) {
  if (!el.title) el.title = ukTime(el.getAttribute('datetime'));
}

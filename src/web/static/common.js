// Shared by every page: the API helper (sends the CSRF token), the status strip refresh, and local times.
const meta = document.querySelector('meta[name="csrf-token"]');

export function csrfToken() {
  return meta ? meta.getAttribute('content') : '';
}

/** Calls the JSON API; throws an Error whose message is the server's plain-English error. */
export async function api(method, url, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['csrf-token'] = csrfToken();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = res.headers.get('content-type') || '';
  const data = type.includes('application/json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new Error(data?.error || `The appliance answered ${res.status}.`);
    err.status = res.status;
    throw err;
  }
  return data;
}

const WORDS = { ok: 'OK', degraded: 'Slow', down: 'Down', unknown: 'Unknown' };

function setPart(key, state, detail, value) {
  const li = document.querySelector(`#status [data-part="${key}"]`);
  if (!li) return;
  li.className = `status-item state-${state}`;
  li.title = detail;
  const v = li.querySelector('.value');
  if (v) v.textContent = value ?? WORDS[state];
  // A part that is down says why in words, not only in the tooltip (e.g. a revoked broker certificate).
  let why = li.querySelector('.why');
  if (state === 'down') {
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
    setPart('nvr', s.nvr.state, s.nvr.detail);
    setPart('broker', s.broker.state, s.broker.detail);
    setPart('hub', s.hub.state, s.hub.detail);
    setPart('queue', s.queueDepth > 20 ? 'degraded' : 'ok', `${s.queueDepth} waiting to be sent`, String(s.queueDepth));
    const gb = s.disk.freeBytes === null ? undefined : `${(s.disk.freeBytes / 1e9).toFixed(1)} GB free`;
    setPart('disk', s.disk.state, s.disk.detail, gb);
    setPart('clock', s.clock.state, s.clock.detail);
    if (s.detector) setPart('detector', s.detector.state, s.detector.detail, 'Weaker model');
  } catch {
    // The strip keeps its last state; the next refresh tries again.
  }
}

if (document.getElementById('status')) setInterval(refreshStatus, 20000);

for (const t of document.querySelectorAll('time[datetime]')) {
  t.title = new Date(t.getAttribute('datetime')).toLocaleString();
}

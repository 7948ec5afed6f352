// The incident page's police master, live: follows the master's server-sent events (waiting, acquiring with bytes
// and seconds of footage, sealed or short with its hash, failed with the reason) and the recorder's clock. For a
// manager, runs the police export with its progress, then lists every file with its SHA-256 and the ZIP download.
import { api, t, ukTime } from './common.js';

const section = document.getElementById('master');
const $ = (id) => document.getElementById(id);
const mb = (bytes) => Math.round(((bytes ?? 0) / 1e6) * 10) / 10;
const secs = (s) => Math.round((s ?? 0) * 10) / 10;
// "06:59:12" in UK time, as the server writes it.
const clockTime = (iso) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));

function masterWords(s) {
  const method = s.method ? t(`js.evidence.method.${s.method}`) : '';
  switch (s.phase) {
    case 'waiting':
      return t('js.evidence.waiting', { time: clockTime(s.startsAt ?? s.windowTo) });
    case 'acquiring':
      if (s.bytes === null) return t('js.evidence.starting');
      if (s.seconds === null) return t('js.evidence.acquiringBytes', { mb: mb(s.bytes) });
      return t('js.evidence.acquiring', { mb: mb(s.bytes), seconds: secs(s.seconds), window: s.windowSeconds });
    case 'sealed':
      return t('js.evidence.sealed', { seconds: secs(s.seconds ?? s.windowSeconds), mb: mb(s.bytes), method });
    case 'short':
      return t('js.evidence.short', { seconds: secs(s.seconds), window: s.windowSeconds, mb: mb(s.bytes), method });
    default:
      return s.nextTry
        ? t('js.evidence.failed', { reason: s.reason ?? '', time: clockTime(s.nextTry) })
        : t('js.evidence.failedFinal', { reason: s.reason ?? '' });
  }
}

function clockWords(s) {
  if (s.clockOffsetMs === null) return t('js.evidence.clockUnknown');
  const value = Math.round(Math.abs(s.clockOffsetMs) / 100) / 10;
  if (value === 0) return t('js.evidence.clockSame');
  return t(s.clockOffsetMs > 0 ? 'js.evidence.clockAhead' : 'js.evidence.clockBehind', { s: value });
}

function render(s) {
  section.dataset.phase = s.phase;
  const state = $('master-state');
  state.textContent = masterWords(s);
  state.className = `state-${s.phase}`;
  const bar = $('master-bar');
  bar.hidden = s.phase !== 'acquiring';
  bar.max = s.windowSeconds;
  bar.value = secs(s.seconds);
  const sealed = s.phase === 'sealed' || s.phase === 'short';
  $('master-hash-row').hidden = !sealed;
  $('master-sha256').textContent = s.sha256 ?? '';
  $('master-clock').textContent = clockWords(s);
  $('master-clock-warning').hidden = !s.clockWarning;
  const noMaster = $('police-no-master');
  if (noMaster) noMaster.hidden = sealed;
}

function follow() {
  const id = section.dataset.incident;
  const events = new EventSource(`/api/incidents/${id}/master/events`);
  events.addEventListener('master', (e) => {
    const s = JSON.parse(e.data);
    render(s);
    if (s.phase === 'sealed' || s.phase === 'short' || (s.phase === 'failed' && !s.nextTry)) events.close();
  });
}

function showJob(job) {
  const bar = $('police-bar');
  const message = $('police-message');
  if (job.step === 'failed') {
    bar.hidden = true;
    message.textContent = t(`js.police.error.${job.error ?? 'failed'}`);
    message.classList.add('error');
    $('police-export').querySelector('button[type="submit"]').disabled = false;
    return;
  }
  message.classList.remove('error');
  bar.hidden = job.step === 'done';
  if (job.totalBytes) {
    bar.max = job.totalBytes;
    bar.value =
      job.step === 'master' ? job.bytes : ['working-copy', 'statement', 'done'].includes(job.step) ? job.totalBytes : 0;
  }
  if (job.step === 'master')
    message.textContent = t('js.police.step.master', { mb: mb(job.bytes), total: mb(job.totalBytes) });
  else if (job.step !== 'done') message.textContent = t(`js.police.step.${job.step}`);
  else {
    const r = job.result;
    message.textContent = t('js.police.step.done', { n: r.files.length, seq: r.auditSeq });
    showResult(job);
  }
}

function showResult(job) {
  const box = $('police-result');
  box.replaceChildren();
  const r = job.result;
  if (r.exhibit) {
    const p = document.createElement('p');
    p.textContent = t('js.police.exhibit', { exhibit: r.exhibit });
    box.append(p);
  }
  const link = document.createElement('a');
  link.className = 'button primary';
  link.href = `/api/police-exports/${job.id}/zip`;
  link.textContent = t('js.police.download');
  link.setAttribute('download', '');
  box.append(link);
  const table = document.createElement('table');
  table.className = 'list police-files';
  const head = table.createTHead().insertRow();
  for (const k of ['js.police.file', 'js.police.sha256', 'js.police.size']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = t(k);
    head.append(th);
  }
  const body = table.createTBody();
  for (const f of r.files) {
    const row = body.insertRow();
    row.insertCell().textContent = f.path;
    const code = document.createElement('code');
    code.textContent = f.sha256;
    row.insertCell().append(code);
    row.insertCell().textContent = f.bytes.toLocaleString();
  }
  box.append(table);
  box.hidden = false;
}

function exportForm() {
  const form = $('police-export');
  if (form?.tagName !== 'FORM') return;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    $('police-result').hidden = true;
    try {
      const job = await api('POST', `/api/incidents/${form.dataset.incident}/police-export`, {
        officer: $('police-officer').value,
        reference: $('police-reference').value,
      });
      showJob(job);
      const events = new EventSource(`/api/police-exports/${job.id}/events`);
      events.addEventListener('export', (ev) => {
        const j = JSON.parse(ev.data);
        showJob(j);
        if (j.step === 'done' || j.step === 'failed') {
          events.close();
          if (j.step === 'done') button.disabled = false;
        }
      });
    } catch (err) {
      $('police-message').textContent = err.message;
      $('police-message').classList.add('error');
      button.disabled = false;
    }
  });
}

if (section) {
  const phase = section.dataset.phase;
  // Nothing more will change for a sealed or short master; anything else follows the events. While the stills are
  // still being taken the master cannot start and the page reloads itself when they are in (review.js), so it
  // follows from then: one event stream per page, as browsers allow only a few connections to one server.
  const status = document.getElementById('review')?.dataset.status;
  if (phase !== 'sealed' && phase !== 'short' && status !== 'triggered') follow();
  exportForm();
  for (const el of section.querySelectorAll('time[datetime]')) el.title = ukTime(el.getAttribute('datetime'));
}

// Manager, installer and auditor pages: buttons and forms marked data-api call the JSON API and show the
// answer in plain English; test stills load on demand.
import { api } from './common.js';

function resultFor(el) {
  return el.closest('form, section')?.querySelector('[data-result]');
}

const STEP = { ok: 'OK', workaround: 'OK (worked around)', warn: 'Warning', fail: 'Problem', skip: 'Skipped' };

function describe(kind, data) {
  if (kind === 'check') return `${data.ok ? 'OK' : 'Problem'}: ${data.detail}`;
  if (kind === 'selftest') {
    return data
      .map((s) =>
        [
          `${STEP[s.status]} — ${s.camera ? `camera ${s.camera} ` : ''}${s.title}: ${s.detail}`,
          s.workaround ? `    worked around: ${s.workaround}` : '',
          s.fix && s.status !== 'ok' ? `    fix: ${s.fix}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      )
      .join('\n');
  }
  if (kind === 'chain') {
    return data.ok
      ? `The log is complete and unaltered: ${data.entries} entries checked.`
      : `The log FAILED verification at entry ${data.failure.seq}: ${data.failure.message}`;
  }
  if (data?.dueBy) {
    const due = new Date(data.dueBy).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'Europe/London',
    });
    const n = (k, one, many) => `${k} ${k === 1 ? one : many}`;
    return `Exported ${n(data.incidents, 'incident', 'incidents')} (${n(data.images, 'image', 'images')}, every face hidden) for request ${data.reference}. Answer the request by ${due}.`;
  }
  return 'Done.';
}

for (const button of document.querySelectorAll('button[data-api]')) {
  button.addEventListener('click', async () => {
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    const out = resultFor(button);
    button.disabled = true;
    if (out) out.textContent = 'Working…';
    try {
      const data = await api('POST', button.dataset.api);
      if (out) out.textContent = describe(button.dataset.show, data);
      if (!button.dataset.show) window.location.reload();
    } catch (e) {
      if (out) out.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
}

for (const form of document.querySelectorAll('form[data-api]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const out = resultFor(form);
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.name === '_csrf') continue;
      if (el.type === 'checkbox') {
        if (!body[el.name]) body[el.name] = [];
        if (el.checked) body[el.name].push(el.value);
      } else if (el.value !== '') {
        body[el.name] = el.type === 'date' ? new Date(`${el.value}T23:59:59Z`).toISOString() : el.value;
      }
    }
    try {
      const data = await api('POST', form.dataset.api, body);
      if (out) out.textContent = describe(undefined, data);
      if (!data.dueBy) setTimeout(() => window.location.reload(), 600);
    } catch (e) {
      if (out) out.textContent = e.message;
    }
  });
}

for (const button of document.querySelectorAll('button[data-still]')) {
  button.addEventListener('click', () => {
    const img = button.parentElement.querySelector('img.test-still');
    img.alt = 'Test still, faces hidden';
    img.src = `${button.dataset.still}?v=${Date.now()}`;
    img.hidden = false;
  });
}

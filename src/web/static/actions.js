// Manager, installer and auditor pages: buttons and forms marked data-api call the JSON API and show the
// answer in plain English; test stills load on demand.
import { api, t, ukDate } from './common.js';

function resultFor(el) {
  return el.closest('form, section')?.querySelector('[data-result]');
}

function describe(kind, data, el) {
  if (kind === 'check') return t(data.ok ? 'js.check.ok' : 'js.check.problem', { detail: data.detail });
  if (kind === 'selftest') {
    return data
      .map((s) =>
        [
          `${t(`js.step.${s.status}`)} — ${s.camera ? `${t('js.step.camera', { n: s.camera })} ` : ''}${s.title}: ${s.detail}`,
          s.workaround ? `    ${t('js.step.workedAround', { text: s.workaround })}` : '',
          s.fix && s.status !== 'ok' ? `    ${t('js.step.fix', { text: s.fix })}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      )
      .join('\n');
  }
  if (kind === 'chain') {
    return data.ok
      ? t('js.chain.ok', { n: data.entries })
      : t('js.chain.failed', { seq: data.failure.seq, message: data.failure.message });
  }
  if (data?.dueBy) {
    return t('js.sar.exported', {
      n: data.incidents,
      images: t('js.sar.images', { n: data.images }),
      faces: data.kept ? t('js.sar.kept', { n: data.kept }) : t('js.sar.allHidden'),
      reference: data.reference,
      due: ukDate(data.dueBy),
    });
  }
  // Says what was done: "Hold placed on Till 1, Wed 2 December 2026, 06:59", not "Done.".
  const done = el?.dataset.done;
  if (done === 'js.holds.placed') {
    const select = el.querySelector('select[name="incidentId"]');
    const chosen = select?.selectedOptions[0]?.textContent ?? '';
    return t(done, { incident: chosen.split(' — ')[0] });
  }
  if (done) return t(done);
  return t('js.done');
}

/** "2/7/2026" as typed (day/month/year) to the end of that day, UK time, as an ISO string; '' when unreadable. */
function dmyToIso(text) {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!m) return '';
  // 23:59 London time is 22:59 or 23:59 UTC; 22:59 UTC keeps the same day in both.
  const d = new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), 22, 59, 59));
  return d.getUTCDate() === Number(m[1]) ? d.toISOString() : '';
}

for (const button of document.querySelectorAll('button[data-api]')) {
  button.addEventListener('click', async () => {
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    const out = resultFor(button);
    button.disabled = true;
    if (out) out.textContent = t('js.working');
    try {
      const data = await api('POST', button.dataset.api);
      if (out) out.textContent = describe(button.dataset.show, data, button);
      if (!button.dataset.show) window.location.reload();
    } catch (e) {
      if (out) out.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
}

// What the last form did, carried over its reload ("Hold placed on Till, …").
const done = JSON.parse(sessionStorage.getItem('bcrp-done') || 'null');
sessionStorage.removeItem('bcrp-done');
if (done) {
  const out = document.querySelector(`form[data-api="${CSS.escape(done.api)}"] [data-result]`);
  if (out) out.textContent = done.text;
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
        body[el.name] = el.dataset.date === 'dmy' ? dmyToIso(el.value) || el.value : el.value;
      }
    }
    try {
      const data = await api('POST', form.dataset.api, body);
      if (out) out.textContent = describe(undefined, data, form);
      // A subject access answer: offer it as one file to hand over.
      if (out && data?.download) {
        const link = document.createElement('a');
        link.className = 'button primary';
        link.href = `/api/sar-exports/${encodeURIComponent(data.download)}/zip`;
        link.setAttribute('download', '');
        link.textContent = t('js.sar.download');
        out.append(' ', link);
      }
      // The page reloads to show the change; what was done is said again on the reloaded page.
      if (!data.dueBy) {
        if (out) sessionStorage.setItem('bcrp-done', JSON.stringify({ api: form.dataset.api, text: out.textContent }));
        window.location.reload();
      }
    } catch (e) {
      if (out) out.textContent = e.message;
    }
  });
}

for (const button of document.querySelectorAll('button[data-still]')) {
  button.addEventListener('click', () => {
    const img = button.parentElement.querySelector('img.test-still');
    img.alt = t('js.stillAlt');
    img.src = `${button.dataset.still}?v=${Date.now()}`;
    img.hidden = false;
  });
}

// Subject access: the manager ticks the incidents, then chooses the requester's face on each still where they
// appear (every face is still hidden on screen; the outline says where each one is). The choices are checkboxes in
// the export form (keep = STILL:FACE), one per still; the export leaves only those faces visible.
const facesButton = document.getElementById('sar-faces-button');
facesButton?.addEventListener('click', async () => {
  const form = facesButton.closest('form');
  const out = document.getElementById('sar-faces');
  const ids = [...form.querySelectorAll('input[name="incidentIds"]:checked')].map((b) => b.value);
  if (ids.length === 0) {
    out.textContent = t('js.sar.tickFirst');
    return;
  }
  out.textContent = t('js.sar.loadingFaces');
  try {
    const stills = await api('POST', '/api/sar-faces', { incidentIds: ids });
    out.replaceChildren();
    stills.forEach((s, n) => {
      const fig = document.createElement('figure');
      fig.className = 'still sar-still';
      const frame = document.createElement('div');
      frame.className = 'frame';
      const img = document.createElement('img');
      img.src = `/api/incidents/${s.incidentId}/stills/${s.stillId}/image`;
      img.alt = t('js.sar.stillAlt', { n: n + 1 });
      img.width = s.width;
      img.height = s.height;
      frame.append(img);
      for (const f of s.faces) {
        const label = document.createElement('label');
        label.className = 'face-target sar-face';
        label.style.left = `${((f.box[0] + f.box[2] / 2) / s.width) * 100}%`;
        label.style.top = `${((f.box[1] + f.box[3] / 2) / s.height) * 100}%`;
        label.style.width = `max(44px, ${(f.box[2] / s.width) * 100}%)`;
        label.style.height = `max(44px, ${(f.box[3] / s.height) * 100}%)`;
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.name = 'keep';
        box.value = `${s.stillId}:${f.face}`;
        box.className = 'sr-check';
        box.setAttribute('aria-label', t('js.sar.face', { i: f.face, count: s.faces.length, still: n + 1 }));
        // One face per still: the requester appears once on it.
        box.addEventListener('change', () => {
          if (box.checked)
            for (const other of frame.querySelectorAll('input[name="keep"]')) if (other !== box) other.checked = false;
          for (const l of frame.querySelectorAll('label.sar-face'))
            l.classList.toggle('chosen', l.querySelector('input').checked);
          const chosen = form.querySelectorAll('input[name="keep"]:checked').length;
          document.getElementById('sar-faces-chosen').textContent = t('js.sar.facesChosen', { n: chosen });
        });
        label.append(box);
        frame.append(label);
      }
      const cap = document.createElement('figcaption');
      cap.textContent = t('js.sar.still', { n: n + 1, faces: s.faces.length });
      fig.append(frame, cap);
      out.append(fig);
    });
    const chosen = document.createElement('p');
    chosen.id = 'sar-faces-chosen';
    chosen.setAttribute('role', 'status');
    chosen.textContent = stills.some((s) => s.faces.length > 0)
      ? t('js.sar.facesChosen', { n: 0 })
      : t('js.sar.noFaces');
    out.append(chosen);
  } catch (e) {
    out.textContent = e.message;
  }
});

// Review page: tap (or Tab+Enter) a hidden face to choose the subject, draw extra blur boxes with the pointer or
// the keyboard, pick a category, preview exactly what leaves the shop, then send or submit for approval.
// Every image shown is the server's redacted rendering; the overlays here are only outlines.
import { api, locale, progressWords, t, ukTime } from './common.js';

const root = document.getElementById('review');
const incidentId = root.dataset.incident;
const editable = root.dataset.editable === 'yes';
const base = `/api/incidents/${incidentId}`;
let draft = null;
let version = 0;
let drawing = false;
let newest = null; // { stillId, index } of the box the arrow keys move
let saveTimer = null;
const facesByStill = new Map(); // stillId -> face boxes, in still pixels
let coverAccepted = ''; // the covering boxes staff chose to send anyway (as JSON), so a second press sends

const $ = (id) => document.getElementById(id);
const say = (id, text) => {
  const el = $(id);
  if (el) el.textContent = text;
};
const stills = [...document.querySelectorAll('figure.still')];

function pct(v, of) {
  return `${(v / of) * 100}%`;
}

function placeBox(el, box, w, h) {
  el.style.left = pct(box[0], w);
  el.style.top = pct(box[1], h);
  el.style.width = pct(box[2], w);
  el.style.height = pct(box[3], h);
}

function refreshImages(onlyStill) {
  version += 1;
  for (const fig of stills) {
    if (onlyStill && fig.dataset.still !== onlyStill && draft.subject?.stillId !== fig.dataset.still) continue;
    const img = fig.querySelector('img');
    img.src = `${base}/stills/${fig.dataset.still}/image?v=${version}`;
  }
}

function drawExtraBoxes() {
  for (const fig of stills) {
    const frame = fig.querySelector('.frame');
    for (const old of frame.querySelectorAll('.extra-box')) old.remove();
    const w = Number(fig.dataset.width);
    const h = Number(fig.dataset.height);
    draft.extraBoxes.forEach((b, i) => {
      if (b.stillId !== fig.dataset.still) return;
      const el = document.createElement('div');
      el.className = `extra-box${newest && newest.index === i ? ' newest' : ''}`;
      placeBox(el, b.box, w, h);
      frame.appendChild(el);
    });
  }
}

function markChosen() {
  for (const btn of document.querySelectorAll('.face-target')) {
    const chosen =
      draft.subject && draft.subject.stillId === btn.dataset.still && draft.subject.face === Number(btn.dataset.face);
    btn.classList.toggle('chosen', Boolean(chosen));
    btn.setAttribute('aria-pressed', chosen ? 'true' : 'false');
  }
  say('subject-state', draft.subject ? t('js.review.subjectChosen') : t('js.review.noSubject'));
}

// Saves run one after another, and each disables Send when it starts, not when it ends: otherwise a save still
// in flight when the preview was shown could finish after it and disable Send again.
let saving = Promise.resolve();
function save(message) {
  clearTimeout(saveTimer);
  $('send-button')?.setAttribute('disabled', '');
  const run = saving.then(async () => {
    const sent = JSON.stringify(draft);
    const saved = await api('PUT', `${base}/review`, draft);
    // Take the server's copy only if nothing was edited while it was on its way; otherwise the answer to an
    // older save would undo the newer edit (a category chosen a moment ago), and the next save would send that.
    if (JSON.stringify(draft) === sent) draft = saved;
    if (message) say('review-message', message);
  });
  saving = run.catch(() => {});
  return run;
}

function saveSoon(stillId) {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(async () => {
    try {
      await save(t('js.review.saved'));
      refreshImages(stillId);
    } catch (e) {
      say('review-message', e.message);
    }
  }, 400);
}

async function loadFaces(fig) {
  const stillId = fig.dataset.still;
  const frame = fig.querySelector('.frame');
  const { width, height, faces } = await api('GET', `${base}/stills/${stillId}/faces`);
  facesByStill.set(stillId, faces);
  // Faces in reading order, left to right, each labelled with where it is, so a keyboard or screen-reader user
  // can tell them apart ("face 2 of 3, middle").
  const ordered = [...faces].sort((a, b) => a.box[0] + a.box[2] / 2 - (b.box[0] + b.box[2] / 2));
  ordered.forEach((f, order) => {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'face-target';
    btn.dataset.still = stillId;
    btn.dataset.face = String(f.index);
    const centre = (f.box[0] + f.box[2] / 2) / width;
    const where =
      ordered.length === 1
        ? t('js.review.where.only')
        : t(
            centre < 1 / 3
              ? 'js.review.where.left'
              : centre > 2 / 3
                ? 'js.review.where.right'
                : 'js.review.where.middle',
          );
    btn.setAttribute(
      'aria-label',
      t('js.review.face', { i: order + 1, count: ordered.length, still: stills.indexOf(fig) + 1, where }),
    );
    // Centred on the face and never smaller than a fingertip, however small the face is on screen.
    btn.style.left = pct(f.box[0] + f.box[2] / 2, width);
    btn.style.top = pct(f.box[1] + f.box[3] / 2, height);
    btn.style.width = `max(44px, ${pct(f.box[2], width)})`;
    btn.style.height = `max(44px, ${pct(f.box[3], height)})`;
    btn.addEventListener('click', async (event) => {
      if (drawing) return;
      event.stopPropagation();
      const same = draft.subject && draft.subject.stillId === stillId && draft.subject.face === f.index;
      draft.subject = same ? null : { stillId, face: f.index };
      try {
        await save(same ? t('js.review.subjectCleared') : t('js.review.subjectPicked'));
        markChosen();
        refreshImages();
      } catch (e) {
        say('review-message', e.message);
      }
    });
    frame.appendChild(btn);
  });
}

function toStillPixels(fig, clientX, clientY) {
  const rect = fig.querySelector('.frame').getBoundingClientRect();
  const w = Number(fig.dataset.width);
  const h = Number(fig.dataset.height);
  return [
    Math.max(0, Math.min(w, Math.round(((clientX - rect.left) / rect.width) * w))),
    Math.max(0, Math.min(h, Math.round(((clientY - rect.top) / rect.height) * h))),
  ];
}

function enableDrawing(fig) {
  const frame = fig.querySelector('.frame');
  let start = null;
  let ghost = null;
  // Without this the browser starts dragging the image itself and the box never finishes.
  frame.addEventListener('dragstart', (e) => e.preventDefault());
  frame.addEventListener('pointercancel', () => {
    start = null;
    ghost?.remove();
    ghost = null;
  });
  frame.addEventListener('pointerdown', (e) => {
    if (!drawing) return;
    e.preventDefault();
    frame.setPointerCapture(e.pointerId);
    start = toStillPixels(fig, e.clientX, e.clientY);
    ghost = document.createElement('div');
    ghost.className = 'extra-box';
    frame.appendChild(ghost);
  });
  frame.addEventListener('pointermove', (e) => {
    if (!start || !ghost) return;
    const [x, y] = toStillPixels(fig, e.clientX, e.clientY);
    placeBox(
      ghost,
      [Math.min(x, start[0]), Math.min(y, start[1]), Math.abs(x - start[0]), Math.abs(y - start[1])],
      Number(fig.dataset.width),
      Number(fig.dataset.height),
    );
  });
  frame.addEventListener('pointerup', async (e) => {
    if (!start) return;
    const [x, y] = toStillPixels(fig, e.clientX, e.clientY);
    const box = [Math.min(x, start[0]), Math.min(y, start[1]), Math.abs(x - start[0]), Math.abs(y - start[1])];
    start = null;
    ghost?.remove();
    ghost = null;
    if (box[2] < 6 || box[3] < 6) return;
    draft.extraBoxes.push({ stillId: fig.dataset.still, box });
    newest = { stillId: fig.dataset.still, index: draft.extraBoxes.length - 1 };
    drawExtraBoxes();
    try {
      await save(t('js.review.boxAdded'));
      refreshImages(fig.dataset.still);
    } catch (err) {
      say('review-message', err.message);
    }
  });
  // Keyboard: arrows move the newest box, Shift+arrows resize it.
  frame.addEventListener('keydown', (e) => {
    if (!newest || newest.stillId !== fig.dataset.still) return;
    const b = draft.extraBoxes[newest.index];
    if (!b) return;
    const step = Math.max(4, Math.round(Number(fig.dataset.width) / 50));
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
    if (!d) return;
    e.preventDefault();
    const [x, y, w, h] = b.box;
    b.box = e.shiftKey
      ? [x, y, Math.max(8, w + d[0]), Math.max(8, h + d[1])]
      : [Math.max(0, x + d[0]), Math.max(0, y + d[1]), w, h];
    drawExtraBoxes();
    saveSoon(fig.dataset.still);
  });
}

/** The blur boxes that overlap the chosen subject's face: sent as they are, the hub gets a half-hidden subject. */
function boxesOverSubject() {
  const s = draft.subject;
  if (!s) return [];
  const face = facesByStill.get(s.stillId)?.find((f) => f.index === s.face);
  if (!face) return [];
  const [fx, fy, fw, fh] = face.box;
  return draft.extraBoxes.filter((b) => {
    if (b.stillId !== s.stillId) return false;
    const [x, y, w, h] = b.box;
    const ix = Math.max(0, Math.min(x + w, fx + fw) - Math.max(x, fx));
    const iy = Math.max(0, Math.min(y + h, fy + fh) - Math.max(y, fy));
    return ix * iy > 0;
  });
}

// The preview's fields come from the API under English names; staff read them in their own words, with the
// category as a label, the time in UK time and the shop by name, never a slug or an ISO timestamp.
const FIELD_KEYS = [
  'Incident id',
  'Site',
  'What happened',
  'When (UTC)',
  'Description',
  'Images',
  'Kept by the partnership',
  'Signed by',
];
function fieldName(k) {
  return FIELD_KEYS.includes(k) ? t(`js.field.${k}`) : k;
}
function fieldValue(k, v) {
  if (v === null || v === '') return '—';
  if (k === 'What happened') return t(`js.category.${v}`);
  if (k === 'When (UTC)') return ukTime(v);
  if (k === 'Site') return root.dataset.site || String(v);
  // The one retention sentence (web/views/outgoing.ts), as the incident and hub pages say it.
  if (k === 'Kept by the partnership') return root.dataset.retention || String(v);
  if (k === 'Signed by') return t('js.field.signedValue');
  return typeof v === 'number' ? v.toLocaleString(locale) : String(v);
}
const MISSING = {
  'tap the face of the person this report is about': 'js.review.missing.subject',
  'choose what happened': 'js.review.missing.category',
};
function missingWords(m) {
  return MISSING[m] ? t(MISSING[m]) : m;
}

function renderPreview(p) {
  const images = $('preview-images');
  images.replaceChildren();
  for (const img of p.images) {
    const fig = document.createElement('figure');
    const el = document.createElement('img');
    el.src = `${base}/preview/${img.index}/image?v=${version}`;
    el.alt = img.role === 'subject-crop' ? t('js.review.cropAlt') : t('js.review.contextAlt');
    const cap = document.createElement('figcaption');
    cap.textContent = img.role === 'subject-crop' ? t('js.review.crop') : t('js.review.context');
    // Click to see it full size: the same redacted rendering, in its own tab.
    const link = document.createElement('a');
    link.href = el.src;
    link.target = '_blank';
    link.rel = 'noopener';
    link.title = t('js.review.fullSize');
    link.append(el);
    fig.append(link, cap);
    images.appendChild(fig);
  }
  const body = $('preview-fields').querySelector('tbody');
  body.replaceChildren();
  for (const [k, v] of Object.entries(p.fields)) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = fieldName(k);
    const td = document.createElement('td');
    td.textContent = fieldValue(k, v);
    tr.append(th, td);
    body.appendChild(tr);
  }
  say(
    'preview-missing',
    p.missing.length > 0 ? t('js.review.before', { list: p.missing.map(missingWords).join('; ') }) : '',
  );
  const send = $('send-button');
  if (send) send.disabled = !p.ready;
}

async function showPreview() {
  try {
    if (editable) await save();
    renderPreview(await api('GET', `${base}/preview`));
    $('preview').hidden = false;
    $('preview').scrollIntoView({ block: 'start' });
  } catch (e) {
    say('review-message', e.message);
  }
}

// Opened while the stills are still being made: follow the live events, then reload into the review.
function followCapture() {
  const events = new EventSource(`${base}/events`);
  events.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    say('waiting-message', `${progressWords(p)} ${t('js.progress.updates')}`);
    const bar = $('waiting-bar');
    if (bar) {
      bar.max = Math.max(1, p.stillsExpected);
      bar.value = p.stillsReady;
    }
    // A failed capture stays "done" until its retry starts: reload only when the status moved on from what this
    // page shows, or it would reload forever.
    if (p.done && p.status !== root.dataset.status) {
      events.close();
      window.location.reload();
    }
  });
}

async function init() {
  if ($('waiting')) {
    followCapture();
    return;
  }
  if (!root.querySelector('figure.still') && root.dataset.status !== 'awaiting-approval') return;
  draft = await api('GET', `${base}/review`);
  if (editable) {
    await Promise.all(stills.map(loadFaces));
    for (const fig of stills) enableDrawing(fig);
    markChosen();
    drawExtraBoxes();
    $('draw-toggle').addEventListener('click', () => {
      drawing = !drawing;
      $('draw-toggle').setAttribute('aria-pressed', String(drawing));
      root.classList.toggle('drawing', drawing);
      say('review-message', drawing ? t('js.review.drawHint') : '');
    });
    for (const button of document.querySelectorAll('button.add-box')) {
      button.addEventListener('click', () => addBoxOn(stills.find((f) => f.dataset.still === button.dataset.still)));
    }
    async function addBoxOn(fig) {
      if (!fig) return;
      const w = Number(fig.dataset.width);
      const h = Number(fig.dataset.height);
      draft.extraBoxes.push({
        stillId: fig.dataset.still,
        box: [Math.round(w * 0.4), Math.round(h * 0.4), Math.round(w * 0.2), Math.round(h * 0.2)],
      });
      newest = { stillId: fig.dataset.still, index: draft.extraBoxes.length - 1 };
      drawExtraBoxes();
      const frame = fig.querySelector('.frame');
      frame.tabIndex = 0;
      const n = stills.indexOf(fig) + 1;
      frame.setAttribute('aria-label', t('js.review.boxLabel', { n }));
      frame.focus();
      try {
        await save(t('js.review.boxAddedOn', { n }));
        refreshImages(fig.dataset.still);
      } catch (e) {
        say('review-message', e.message);
      }
    }
    $('clear-boxes').addEventListener('click', async () => {
      draft.extraBoxes = [];
      newest = null;
      drawExtraBoxes();
      await save(t('js.review.boxesRemoved'));
      refreshImages();
    });
    $('category').addEventListener('change', () => {
      draft.category = $('category').value || null;
      saveSoon();
    });
    $('description').addEventListener('input', () => {
      draft.description = $('description').value;
      saveSoon();
    });
    for (const box of document.querySelectorAll('input[name="confirm"]')) {
      box.addEventListener('change', () => {
        draft.confirmedStills = [...document.querySelectorAll('input[name="confirm"]:checked')].map((b) => b.value);
        saveSoon();
      });
    }
    for (const box of document.querySelectorAll('input[name="context"]')) {
      box.addEventListener('change', () => {
        draft.contextStills = [...document.querySelectorAll('input[name="context"]:checked')].map((b) => b.value);
        saveSoon();
      });
    }
    $('preview-button').addEventListener('click', showPreview);
    $('send-button').addEventListener('click', async () => {
      const covering = boxesOverSubject();
      const key = JSON.stringify(covering);
      if (covering.length > 0 && coverAccepted !== key) {
        coverAccepted = key;
        const still = stills.findIndex((f) => f.dataset.still === draft.subject.stillId) + 1;
        say('send-message', t('js.review.covering', { n: covering.length, still }));
        $('send-button').textContent = t('js.review.sendAnyway');
        return;
      }
      $('send-button').disabled = true;
      try {
        const r = await api('POST', `${base}/send`);
        say('send-message', r.status === 'awaiting-approval' ? t('js.review.submitted') : t('js.review.sent'));
        setTimeout(() => window.location.reload(), 1500);
      } catch (e) {
        say('send-message', e.message);
        $('send-button').disabled = false;
      }
    });
  }
  if ($('approve-button')) {
    renderPreview(await api('GET', `${base}/preview`));
    $('approve-button').addEventListener('click', async () => {
      try {
        await api('POST', `${base}/approve`);
        say('send-message', t('js.review.approved'));
        setTimeout(() => window.location.reload(), 1200);
      } catch (e) {
        say('send-message', e.message);
      }
    });
    $('reject-button').addEventListener('click', async () => {
      try {
        await api('POST', `${base}/reject`, { reason: $('reject-reason').value || t('js.review.rejectDefault') });
        say('send-message', t('js.review.rejected'));
        setTimeout(() => window.location.reload(), 1200);
      } catch (e) {
        say('send-message', e.message);
      }
    });
  }
}

init().catch((e) => say('review-message', e.message));

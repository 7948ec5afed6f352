// The review page's clip: plays and scrubs the redacted clip the appliance made (the server applies every fill;
// the overlays here are only outlines), warns on frames where the offender's track was lost, and lets a reviewer
// pick the offender on a frame, confirm a face that may be them again, or fill a box over a time range. Each
// choice makes the clip again on the appliance; the page follows the clip's live updates.
import { api, locale, t } from './common.js';

const root = document.getElementById('clip');
const base = `/api/incidents/${root?.dataset.incident}`;
const editable = root?.dataset.editable === 'yes';
const $ = (id) => document.getElementById(id);
const video = $('clip-video');
const overlay = $('clip-overlay');
const scrub = $('clip-scrub');
let clip = null;
let mode = null; // 'pick' | 'box' | null
let busy = false;

const say = (id, text) => {
  const el = $(id);
  if (el) el.textContent = text;
};
const seconds = (n) => Number(n.toFixed(2)).toLocaleString(locale);
const frameNow = () =>
  clip ? Math.max(0, Math.min(clip.frames - 1, Math.floor(video.currentTime * clip.fps + 1e-3))) : 0;

function seekFrame(i) {
  video.pause();
  // A little into the frame, so the browser shows frame i and not the end of frame i-1.
  video.currentTime = (i + 0.25) / clip.fps;
  showFrame(i);
}

function place(el, box) {
  el.style.left = `${(box[0] / clip.width) * 100}%`;
  el.style.top = `${(box[1] / clip.height) * 100}%`;
  el.style.width = `${(box[2] / clip.width) * 100}%`;
  el.style.height = `${(box[3] / clip.height) * 100}%`;
}

function showFrame(i = frameNow()) {
  if (!clip) return;
  scrub.value = String(i);
  say('clip-time', t('js.clip.time', { at: seconds(i / clip.fps), of: seconds(clip.frames / clip.fps), frame: i + 1 }));
  const lost = clip.lost.some(([a, b]) => i >= a && i <= b);
  $('clip-lost').hidden = !lost;
  if (lost) say('clip-lost', t('js.clip.lost'));
  for (const old of overlay.querySelectorAll('.candidate')) old.remove();
  for (const c of clip.candidates) {
    if (c.frame !== i) continue;
    const el = document.createElement('div');
    el.className = 'candidate';
    el.title = t('js.clip.candidateAlt');
    place(el, c.box);
    overlay.append(el);
  }
}

function warnings() {
  const list = $('clip-warnings');
  list.replaceChildren();
  const item = (text, buttons) => {
    const li = document.createElement('li');
    li.className = 'warning';
    li.append(text, ' ', ...buttons);
    list.append(li);
  };
  const button = (label, onClick, cls) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    if (cls) b.className = cls;
    b.addEventListener('click', onClick);
    return b;
  };
  for (const [from, to] of clip.lost) {
    item(t('js.clip.lostRun', { from: seconds(from / clip.fps), to: seconds((to + 1) / clip.fps) }), [
      button(t('js.clip.goTo'), () => seekFrame(from)),
    ]);
  }
  for (const c of clip.candidates) {
    const buttons = [button(t('js.clip.goTo'), () => seekFrame(c.frame))];
    if (editable)
      buttons.push(
        button(
          t('js.clip.confirm'),
          () => {
            seekFrame(c.frame);
            choose({
              ...currentChoice(),
              picks: [...currentChoice().picks, { box: c.box, atSeconds: c.frame / clip.fps }],
            });
          },
          'confirm-candidate',
        ),
      );
    item(t('js.clip.candidate', { at: seconds(c.frame / clip.fps) }), buttons);
  }
}

function currentChoice() {
  return { picks: [...(clip?.choice?.picks ?? [])], extra: [...(clip?.choice?.extra ?? [])] };
}

function show(c) {
  const first = !clip;
  const changed = !clip || clip.madeAt !== c.madeAt || clip.sha256 !== c.sha256;
  clip = c;
  if (c.status !== 'made') {
    $('clip-player').hidden = true;
    say('clip-state', t('js.clip.failed', { reason: c.reason ?? '' }));
    return;
  }
  const kb = (n) => Math.round(n / 1024);
  const room = c.packet
    ? ` ${t(c.packet.fits ? 'js.clip.travels' : 'js.clip.tooBig', { kb: kb(c.packet.estimateBytes), limit: kb(c.packet.limitBytes) })}`
    : '';
  say('clip-state', (c.subjectTracks.length > 0 ? t('js.clip.subject') : t('js.clip.filled')) + room);
  $('clip-player').hidden = false;
  root.dataset.clip = c.sha256;
  root.dataset.subjectTracks = String(c.subjectTracks.length);
  scrub.max = String(Math.max(0, c.frames - 1));
  const to = $('clip-box-to');
  if (to && first) to.value = String(c.frames / c.fps);
  if (changed) {
    const at = first ? 0 : frameNow();
    video.src = `${base}/clip/video?v=${encodeURIComponent(c.sha256 ?? c.madeAt)}`;
    video.addEventListener(
      'loadeddata',
      () => {
        seekFrame(at);
        root.dataset.loaded = c.sha256 ?? '';
      },
      { once: true },
    );
  }
  warnings();
  showFrame();
}

async function choose(choice) {
  if (busy) return;
  busy = true;
  root.classList.add('busy');
  for (const b of root.querySelectorAll('.clip-tools button, .confirm-candidate')) b.disabled = true;
  say('clip-message', t('js.clip.remaking'));
  try {
    show(await api('POST', `${base}/clip/subject`, choice));
    say('clip-message', t('js.clip.remade'));
  } catch (e) {
    say('clip-message', e.message);
  } finally {
    busy = false;
    root.classList.remove('busy');
    for (const b of root.querySelectorAll('.clip-tools button, .confirm-candidate')) b.disabled = false;
  }
}

function toClip(clientX, clientY) {
  const r = overlay.getBoundingClientRect();
  return [
    Math.max(0, Math.min(clip.width, ((clientX - r.left) / r.width) * clip.width)),
    Math.max(0, Math.min(clip.height, ((clientY - r.top) / r.height) * clip.height)),
  ];
}

function setMode(next) {
  mode = mode === next ? null : next;
  $('clip-pick')?.setAttribute('aria-pressed', String(mode === 'pick'));
  $('clip-box')?.setAttribute('aria-pressed', String(mode === 'box'));
  root.classList.toggle('picking', mode !== null);
  say('clip-message', mode === 'pick' ? t('js.clip.pickHint') : mode === 'box' ? t('js.clip.boxHint') : '');
  if (mode === 'box') {
    const from = $('clip-box-from');
    from.value = String(Number((frameNow() / clip.fps).toFixed(3)));
  }
}

function enableTools() {
  $('clip-pick').addEventListener('click', () => setMode('pick'));
  $('clip-box').addEventListener('click', () => setMode('box'));
  let start = null;
  let ghost = null;
  overlay.addEventListener('pointerdown', (e) => {
    if (!mode || busy || !clip) return;
    e.preventDefault();
    video.pause();
    overlay.setPointerCapture(e.pointerId);
    start = toClip(e.clientX, e.clientY);
    if (mode === 'box') {
      ghost = document.createElement('div');
      ghost.className = 'extra-box';
      overlay.append(ghost);
    }
  });
  overlay.addEventListener('pointermove', (e) => {
    if (!start || !ghost) return;
    const [x, y] = toClip(e.clientX, e.clientY);
    place(ghost, [Math.min(x, start[0]), Math.min(y, start[1]), Math.abs(x - start[0]), Math.abs(y - start[1])]);
  });
  overlay.addEventListener('pointercancel', () => {
    start = null;
    ghost?.remove();
    ghost = null;
  });
  overlay.addEventListener('pointerup', (e) => {
    if (!start) return;
    const [x, y] = toClip(e.clientX, e.clientY);
    const at = frameNow() / clip.fps;
    const s = start;
    start = null;
    ghost?.remove();
    ghost = null;
    const round = (b) => b.map((v) => Math.round(v));
    if (mode === 'pick') {
      // A tap is a small box on the face; a drag is the box drawn. The server matches it to the tracked face.
      const side = Math.max(12, clip.width / 40);
      const box =
        Math.abs(x - s[0]) > 6 && Math.abs(y - s[1]) > 6
          ? [Math.min(x, s[0]), Math.min(y, s[1]), Math.abs(x - s[0]), Math.abs(y - s[1])]
          : [Math.max(0, x - side / 2), Math.max(0, y - side / 2), side, side];
      setMode('pick');
      // A new pick names the offender afresh; the boxes stay.
      choose({ ...currentChoice(), picks: [{ box: round(box), atSeconds: at }] });
      return;
    }
    const box = [Math.min(x, s[0]), Math.min(y, s[1]), Math.abs(x - s[0]), Math.abs(y - s[1])];
    if (box[2] < 4 || box[3] < 4) return;
    const from = Number($('clip-box-from').value);
    const to = Number($('clip-box-to').value);
    const length = clip.frames / clip.fps;
    if (!(from >= 0 && to > from && to <= length + 0.001)) {
      say('clip-message', t('js.clip.range'));
      return;
    }
    setMode('box');
    const choice = currentChoice();
    choice.extra.push({ box: round(box), fromSeconds: from, toSeconds: Math.min(to, 30) });
    choose(choice);
  });
}

async function start() {
  video.addEventListener('timeupdate', () => showFrame());
  video.addEventListener('seeked', () => showFrame());
  video.addEventListener('play', () => say('clip-play', t('js.clip.pause')));
  video.addEventListener('pause', () => say('clip-play', t('js.clip.play')));
  $('clip-play').addEventListener('click', () => (video.paused ? video.play() : video.pause()));
  scrub.addEventListener('input', () => seekFrame(Number(scrub.value)));
  if (editable) enableTools();
  say('clip-state', t('js.clip.making'));
  try {
    show(await api('GET', `${base}/clip`));
  } catch (e) {
    if (e.status !== 404) say('clip-state', e.message);
  }
  // Live: the first clip arrives while the reviewer works on the stills; another reviewer's choice remakes it.
  const events = new EventSource(`${base}/clip/events`);
  events.addEventListener('clip', (e) => {
    if (!busy) show(JSON.parse(e.data));
  });
}

if (root) start().catch((e) => say('clip-state', e.message));

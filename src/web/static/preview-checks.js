// The review page's certificate list: each time review.js shows the preview (it fills #preview-images), ask the
// server which outgoing images were checked again after blurring and list its words (already in the page's
// language). Nothing here draws or sends; a failure says the check could not be shown, never that it passed.
import { api } from './common.js';

const root = document.getElementById('review');
const images = document.getElementById('preview-images');
const section = document.getElementById('preview-checks');
const list = document.getElementById('preview-checks-list');
const pending = document.getElementById('preview-checks-pending');
const failed = document.getElementById('preview-checks-failed');
let asked = 0;

async function refresh() {
  const mine = ++asked;
  section.hidden = false;
  pending.hidden = false;
  failed.hidden = true;
  list.replaceChildren();
  try {
    const r = await api('GET', `/api/incidents/${root.dataset.incident}/preview/checks`);
    if (mine !== asked) return;
    for (const c of r.images) {
      const li = document.createElement('li');
      li.dataset.index = String(c.index);
      li.dataset.checked = c.certificate ? 'yes' : 'no';
      li.textContent = c.words;
      list.appendChild(li);
    }
    section.hidden = r.images.length === 0;
  } catch {
    if (mine === asked) failed.hidden = false;
  } finally {
    if (mine === asked) pending.hidden = true;
  }
}

if (root && images && section) {
  new MutationObserver(() => {
    if (images.childElementCount > 0) refresh();
    else section.hidden = true;
  }).observe(images, { childList: true });
}

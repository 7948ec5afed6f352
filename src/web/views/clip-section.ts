// The review page's clip: a player for the redacted clip (the only video the appliance serves), a frame scrubber,
// and for reviewers the offender pick and boxes over a time range. clip.js fills it in and follows the clip's live
// updates; without scripts it says the clip needs them, the stills above work on their own.
import type { Words } from '../i18n/i18n.js';
import { type Html, html } from './html.js';

export function clipSection(w: Words, incidentId: string, editable: boolean): Html {
  return html`<section id="clip" class="card clip" aria-labelledby="clip-title" data-incident="${incidentId}" data-editable="${editable ? 'yes' : 'no'}">
  <h2 id="clip-title">${w.t('clip.title')}</h2>
  <p class="hint">${w.t('clip.hint')}</p>
  <p id="clip-state" class="message" role="status">${w.t('clip.noScript')}</p>
  <div id="clip-player" class="clip-player" hidden>
    <div class="clip-frame"><video id="clip-video" muted playsinline preload="auto"></video><div id="clip-overlay" class="clip-overlay"></div></div>
    <p class="clip-bar"><button type="button" id="clip-play">${w.t('clip.play')}</button>
      <label for="clip-scrub">${w.t('clip.frame')}</label>
      <input type="range" id="clip-scrub" min="0" max="0" step="1" value="0">
      <output id="clip-time" for="clip-scrub"></output></p>
    <p id="clip-lost" class="warning" role="alert" hidden></p>
    <ul id="clip-warnings" class="clip-warnings"></ul>
    ${
      editable
        ? html`<p class="clip-tools"><button type="button" id="clip-pick" aria-pressed="false">${w.t('clip.pick')}</button>
      <button type="button" id="clip-box" aria-pressed="false">${w.t('clip.box')}</button></p>
    <p class="clip-range"><label for="clip-box-from">${w.t('clip.from')}</label> <input type="number" id="clip-box-from" min="0" max="30" step="0.125" value="0">
      <label for="clip-box-to">${w.t('clip.to')}</label> <input type="number" id="clip-box-to" min="0" max="30" step="0.125" value="0"></p>
    <p id="clip-message" class="message" role="status"></p>`
        : ''
    }
  </div>
</section>
<script type="module" src="/assets/clip.js"></script>`;
}

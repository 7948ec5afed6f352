// The incident page's police master (where the recorder's footage stands, and the recorder's clock) and, for a
// manager, the police export form. Rendered whole on the server; /assets/evidence.js keeps it live from the
// master's events and runs the export with its progress. The words are the catalogue's js.evidence.* and
// js.police.* messages, shared by the server and the script so both say the same.
import type { MasterStatus } from '../../core/ports/evidence-desk.js';
import type { MessageKey, Words } from '../i18n/i18n.js';
import { type Html, html } from './html.js';

const mb = (bytes: number | null) => Math.round(((bytes ?? 0) / 1e6) * 10) / 10;
const secs = (s: number | null) => Math.round((s ?? 0) * 10) / 10;

/** The master's state in a sentence (the script's masterWords does the same in the browser). */
export function masterWords(w: Words, s: MasterStatus): string {
  const method = s.method ? (w.maybe(`js.evidence.method.${s.method}`) ?? s.method) : '';
  switch (s.phase) {
    case 'waiting':
      return w.t('js.evidence.waiting', { time: w.clock(s.startsAt ?? s.windowTo) });
    case 'acquiring':
      if (s.bytes === null) return w.t('js.evidence.starting');
      if (s.seconds === null) return w.t('js.evidence.acquiringBytes', { mb: mb(s.bytes) });
      return w.t('js.evidence.acquiring', { mb: mb(s.bytes), seconds: secs(s.seconds), window: s.windowSeconds });
    case 'sealed':
      return w.t('js.evidence.sealed', { seconds: secs(s.seconds ?? s.windowSeconds), mb: mb(s.bytes), method });
    case 'short':
      return w.t('js.evidence.short', { seconds: secs(s.seconds), window: s.windowSeconds, mb: mb(s.bytes), method });
    case 'failed':
      return s.nextTry
        ? w.t('js.evidence.failed', { reason: s.reason ?? '', time: w.clock(s.nextTry) })
        : w.t('js.evidence.failedFinal', { reason: s.reason ?? '' });
  }
}

function clockWords(w: Words, s: MasterStatus): string {
  if (s.clockOffsetMs === null) return w.t('js.evidence.clockUnknown');
  const value = Math.round(Math.abs(s.clockOffsetMs) / 100) / 10;
  const key: MessageKey =
    value === 0 ? 'js.evidence.clockSame' : s.clockOffsetMs > 0 ? 'js.evidence.clockAhead' : 'js.evidence.clockBehind';
  return w.t(key, { s: value });
}

export function masterSection(
  w: Words,
  s: MasterStatus,
  o: { canExport: boolean; held: boolean; exports: boolean },
): Html {
  const acquiring = s.phase === 'acquiring';
  const sealed = s.phase === 'sealed' || s.phase === 'short';
  return html`<section id="master" class="card master" data-incident="${s.incidentId}" data-phase="${s.phase}" aria-labelledby="master-title">
  <h2 id="master-title">${w.t('evidence.title')}</h2>
  <p class="hint">${w.t('evidence.hint')}</p>
  <p id="master-state" class="state-${s.phase}" role="status" aria-live="polite">${masterWords(w, s)}</p>
  <progress id="master-bar" max="${s.windowSeconds}" value="${secs(s.seconds)}"${acquiring ? '' : html` hidden`}></progress>
  <table class="fields"><tbody>
    <tr id="master-hash-row"${sealed ? '' : html` hidden`}><th scope="row">${w.t('js.evidence.sha256')}</th><td><code id="master-sha256">${s.sha256 ?? ''}</code></td></tr>
    <tr><th scope="row">${w.t('js.evidence.clock')}</th><td id="master-clock">${clockWords(w, s)}</td></tr>
  </tbody></table>
  <p id="master-clock-warning" class="error"${s.clockWarning ? '' : html` hidden`}>${w.t('js.evidence.clockWarning')}</p>
  ${o.canExport && o.exports ? policeForm(w, s, o.held) : ''}
  <script type="module" src="/assets/evidence.js"></script>
</section>`;
}

function policeForm(w: Words, s: MasterStatus, held: boolean): Html {
  if (!held)
    return html`<div id="police-export" class="police"><h3>${w.t('police.title')}</h3><p class="hint">${w.t('police.notHeld')}</p></div>`;
  const sealed = s.phase === 'sealed' || s.phase === 'short';
  return html`<form id="police-export" class="inline-form police" data-incident="${s.incidentId}">
  <h3>${w.t('police.title')}</h3>
  <p class="hint">${w.t('police.hint')}</p>
  <p id="police-no-master" class="hint"${sealed ? html` hidden` : ''}>${w.t('police.noMasterYet')}</p>
  <label for="police-officer">${w.t('police.officer')}</label><input id="police-officer" name="officer" required minlength="3" maxlength="120">
  <label for="police-reference">${w.t('police.reference')}</label><input id="police-reference" name="reference" required maxlength="80">
  <button type="submit" class="primary">${w.t('police.start')}</button>
  <progress id="police-bar" max="1" value="0" hidden></progress>
  <p id="police-message" class="message" role="status" aria-live="polite"></p>
  <div id="police-result" hidden></div>
</form>`;
}

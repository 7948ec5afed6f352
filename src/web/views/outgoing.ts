// What a packet carries about its own images, in words, the same on the review page and the hub page: the redaction
// certificate (each image searched again for faces after blurring) or plainly its absence, and the one retention
// sentence the preview, the incident page and the hub page quote (from the constants the hub's rule uses).
import {
  ADMIN_ONLY_MONTHS,
  FIRST_REPORT_SHARE_MONTHS,
  FURTHER_REPORT_SHARE_MONTHS,
} from '../../core/packet/retention.js';
import type { Words } from '../i18n/i18n.js';
import { type Html, html } from './html.js';

/** A certificate as the manifest (summed) or one image's redaction report carries it. */
export interface Certificate {
  passes: number;
  facesFoundAfterRedaction: number;
}

const counts = (w: Words, c: Certificate) => ({
  passes: w.t('verify.passes', { n: c.passes }),
  faces: w.t('verify.moreFaces', { n: c.facesFoundAfterRedaction }),
});

/** One image: "Checked again after blurring: no face found (2 passes)", or why it was not. */
export function imageCheck(w: Words, c: Certificate | null | undefined): string {
  if (!c) return w.t('verify.none');
  return w.t(c.facesFoundAfterRedaction > 0 ? 'verify.checkedFound' : 'verify.checked', counts(w, c));
}

/** A whole packet: the manifest's certificate is present only when every image carries one. */
export function packetCheck(w: Words, c: Certificate | null | undefined): string {
  if (!c) return w.t('verify.packetNone');
  return w.t(c.facesFoundAfterRedaction > 0 ? 'verify.packetFound' : 'verify.packet', counts(w, c));
}

/** How long the partnership keeps what is sent, in the reader's language. */
export function retentionSentence(w: Words): string {
  return w.t('retention.partnership', {
    first: FIRST_REPORT_SHARE_MONTHS,
    further: FURTHER_REPORT_SHARE_MONTHS,
    admin: ADMIN_ONLY_MONTHS,
  });
}

/**
 * The review page's part on the certificates: an empty list that preview-checks.js fills, each time the preview is
 * shown, from GET /api/incidents/:id/preview/checks (words already in the reader's language). Its own section and
 * script, so the review page's other parts change without touching it.
 */
export function previewChecksSection(w: Words): Html {
  return html`<section id="preview-checks" class="preview-checks" aria-live="polite" hidden>
  <h3>${w.t('verify.heading')}</h3>
  <p id="preview-checks-pending" class="hint">${w.t('verify.pending')}</p>
  <ul id="preview-checks-list"></ul>
  <p id="preview-checks-failed" class="hint" hidden>${w.t('verify.failed')}</p>
</section>
<script type="module" src="/assets/preview-checks.js"></script>`;
}

/** After a packet has left: the same retention sentence the preview and the hub page show. */
export function sentRetention(w: Words): Html {
  return html`<p id="sent-retention" class="hint">${retentionSentence(w)}</p>`;
}

// Capture page: sends the trigger, then follows progress over server-sent events until the stills are ready.
import { api, progressWords, t } from './common.js';

const form = document.getElementById('capture-form');
const button = document.getElementById('capture-button');
const box = document.getElementById('progress');
const message = document.getElementById('progress-message');
const bar = document.getElementById('progress-bar');
const link = document.getElementById('review-link');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  button.disabled = true;
  button.textContent = t('js.capture.capturing');
  box.hidden = false;
  link.hidden = true;
  message.textContent = t('js.capture.recording');
  bar.value = 0;
  try {
    const incident = await api('POST', '/api/incidents', {
      camera: Number(data.get('camera')),
      minutesAgo: Number(data.get('minutesAgo') || 0),
    });
    message.textContent = t('js.capture.recorded');
    link.href = `/incidents/${incident.id}`;
    follow(incident.id);
  } catch (e) {
    message.textContent = t('js.capture.failed', { reason: e.message });
    reset();
  }
});

function reset() {
  button.disabled = false;
  button.textContent = t('js.capture.button');
}

function follow(id) {
  const events = new EventSource(`/api/incidents/${id}/events`);
  events.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    message.textContent = progressWords(p);
    bar.max = Math.max(1, p.stillsExpected);
    bar.value = p.stillsReady;
    if (p.done) {
      events.close();
      reset();
      if (p.status === 'in-review' || p.status === 'captured') {
        link.hidden = false;
        link.focus();
      }
    }
  });
  // A dropped stream is reconnected by the browser itself; "Review now" stays hidden until the stills are ready
  // (the incident's own page follows the same events if staff open it from the Incidents list meanwhile).
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) {
      reset();
      message.textContent = t('js.capture.lost');
    } else message.textContent = t('js.capture.reconnecting');
  };
}

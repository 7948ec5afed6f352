// Incidents page: while any incident is still on its way (capturing, queued, sent), reload the list every few
// seconds so staff see it reach "Received by the partnership" without pressing anything.
const moving = ['triggered', 'captured', 'queued', 'sent'];
const rows = [...document.querySelectorAll('#incidents tr[data-status]')];
if (rows.some((r) => moving.includes(r.dataset.status))) {
  setTimeout(() => {
    // Not while someone is using the filters.
    if (!document.activeElement?.closest('form')) window.location.reload();
  }, 5000);
}

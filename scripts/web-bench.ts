// Rough latency of a few web routes over the test's dev fixtures (inject, no network).
// Run: npx tsx scripts/web-bench.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/observability/logger.js';
import { buildWebApp } from '../src/web/app.js';
import { createDevWeb } from '../test/support/dev-web/index.js';

const dev = createDevWeb({ dataDir: mkdtempSync(join(tmpdir(), 'wb-')), log: silentLogger(), stepMs: 1 });
await dev.accounts.create({ username: 'sam', role: 'staff', password: 'long-enough-pw' });
const app = buildWebApp(dev.deps);
app.addHook('onRequest', async (r) => {
  r.raw.socket.encrypted = true;
});
const login = await app.inject({
  method: 'POST',
  url: '/api/login',
  payload: { username: 'sam', password: 'long-enough-pw' },
  headers: { host: 'a' },
});
const cookie = String(login.headers['set-cookie']).split(';')[0];
const inc = await dev.incidents.trigger({ camera: 1, source: 'web', actor: 'sam' });
while ((await dev.incidents.get(inc.id)).status !== 'in-review') await new Promise((r) => setTimeout(r, 10));
const still = (await dev.incidents.get(inc.id)).stills[0].id;
async function time(url, n) {
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await app.inject({ url, headers: { cookie, host: 'a' } });
    if (r.statusCode !== 200) throw new Error(url + r.statusCode);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return `median ${t[n >> 1].toFixed(1)} ms, p90 ${t[Math.floor(n * 0.9)].toFixed(1)} ms (n=${n})`;
}
console.log('GET /capture page:', await time('/capture', 50));
console.log('GET /api/incidents:', await time('/api/incidents', 50));
console.log(
  'GET redacted still 960x540 (dev redactor):',
  await time(`/api/incidents/${inc.id}/stills/${still}/image`, 30),
);
await app.close();
dev.close();

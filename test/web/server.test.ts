// The HTTPS server: listens on an ephemeral loopback port with the given certificate, serves the login page
// and static assets with security headers, and the lifecycle module stops it.
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.js';
import { loadOrCreateSessionSecret, webModule } from '../../src/web/server.js';
import { startDevWebServer } from '../support/dev-web/start.js';
import { tempDir } from '../support/tmp.js';
import { devWeb, selfSignedCert } from './support.js';

function get(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web server', () => {
  it('serves HTTPS on loopback and stops as a lifecycle module', async () => {
    const dir = tempDir('bcrp-web-srv-');
    const dev = await devWeb(join(dir, 'data'));
    const tls = selfSignedCert(dir);
    let url = '';
    const mod = webModule(dev.deps, { bind: '127.0.0.1', port: 0, tls }, (u) => {
      url = u;
    });
    await mod.start();
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const login = await get(`${url}/login`);
      expect(login.status).toBe(200);
      expect(login.body).toContain('Sign in');
      expect(login.headers['strict-transport-security']).toBeDefined();
      const css = await get(`${url}/assets/style.css`);
      expect(css.status).toBe(200);
      expect((await get(`${url}/assets/../package.json`)).status).toBe(404);
    } finally {
      await mod.stop();
      dev.close();
    }
    await expect(get(`${url}/login`)).rejects.toThrow();
  });

  it('the dev server makes a certificate and demo users once', async () => {
    const dir = tempDir('bcrp-web-devsrv-');
    const first = await startDevWebServer({ dataDir: dir, log: silentLogger() });
    expect(first.users.map((u) => u.role)).toEqual(['staff', 'manager', 'installer', 'auditor']);
    expect((await get(`${first.url}/healthz`)).body).toBe('{"ok":true}');
    await first.close();
    const second = await startDevWebServer({ dataDir: dir, log: silentLogger() });
    expect(second.users).toEqual([]);
    await second.close();
  });

  it('keeps the session secret in a 0600 file', () => {
    const dir = tempDir('bcrp-web-secret-');
    const a = loadOrCreateSessionSecret(dir);
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(loadOrCreateSessionSecret(dir)).toBe(a);
  });
});

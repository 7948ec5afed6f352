// The hub configuration's `web:` section: defaults, paths relative to the file, every problem named at once, and a
// clear refusal (no stack) when the page's TLS files cannot be read.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SqliteHubStore } from '../../src/adapters/hub-store/sqlite-hub-store.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { loadHubConfig } from '../../src/hub/config.js';
import { startHubWeb } from '../../src/hub/web/server.js';
import { silentLogger } from '../../src/observability/logger.js';
import { tempDir } from '../support/tmp.js';

const base = { mqtt: { url: 'mqtts://127.0.0.1:1' }, store: 'hub.sqlite', signingKey: 'k/signing.key' };

function write(dir: string, value: unknown): string {
  const file = join(dir, 'hub.yaml');
  writeFileSync(file, stringify(value));
  return file;
}

describe('hub config web:', () => {
  it('is optional; when given, listens on 127.0.0.1:8444 by default and resolves paths against the file', () => {
    const dir = tempDir();
    expect(loadHubConfig(write(dir, base)).web).toBeUndefined();
    const c = loadHubConfig(
      write(dir, { ...base, web: { tlsCert: 'tls/c.pem', tlsKey: 'tls/k.pem', sessionSecretFile: 's.key' } }),
    );
    expect(c.web).toEqual({
      bind: '127.0.0.1',
      port: 8444,
      tlsCert: join(dir, 'tls/c.pem'),
      tlsKey: join(dir, 'tls/k.pem'),
      sessionSecretFile: join(dir, 's.key'),
      sessionHours: 8,
      name: 'BCRP hub',
    });
  });

  it('names every problem at once', () => {
    const dir = tempDir();
    let message = '';
    try {
      loadHubConfig(write(dir, { ...base, web: { port: 70000, colour: 'red' } }));
    } catch (e) {
      message = `${(e as Error).message} ${JSON.stringify((e as { problems?: unknown }).problems ?? '')}`;
    }
    for (const key of ['/web/port', 'tlsCert', 'tlsKey', 'sessionSecretFile', 'colour']) expect(message).toContain(key);
  });

  it('refuses to start the page when its TLS files cannot be read, naming the keys, not a stack', async () => {
    const dir = tempDir();
    const c = loadHubConfig(
      write(dir, { ...base, web: { port: 0, tlsCert: 'nope.pem', tlsKey: 'nope.key', sessionSecretFile: 's.key' } }),
    );
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    const store = new SqliteHubStore(':memory:', clock);
    try {
      await expect(startHubWeb({ ...c, web: c.web! }, { store, clock, log: silentLogger() })).rejects.toThrow(
        /cannot read the hub page's TLS certificate or key \(web.tlsCert, web.tlsKey\): ENOENT/,
      );
    } finally {
      await store.close();
    }
  });
});

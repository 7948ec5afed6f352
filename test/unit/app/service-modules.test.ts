// The service wiring: each part starts only when its configuration is there, says what it left out, and the
// modules go into the lifecycle in an order where everything a module needs has started before it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeys, KEY_FILES } from '../../../src/adapters/crypto/keys.js';
import { createApp } from '../../../src/app/create-app.js';
import { addServiceModules } from '../../../src/app/service-modules.js';
import { loadConfigFile } from '../../../src/config/load.js';
import { throwawayCertificate } from '../../../src/demo/throwaway-certificate.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { writeConfig } from '../../support/config.js';
import { tempDir } from '../../support/tmp.js';

function wire(overrides: Record<string, unknown>) {
  const dir = tempDir('bcrp-wiring-');
  const loaded = loadConfigFile(writeConfig(dir, overrides));
  const app = createApp({ loaded, dataDir: join(dir, 'data'), log: silentLogger() });
  const services = addServiceModules(app, loaded, { version: 'test' });
  return { app, services, names: app.lifecycle.status().map((m) => m.name) };
}

describe('addServiceModules', () => {
  it('without hub key or web certificate: capture and retention run, publishing and the web UI are left out', () => {
    const { app, services, names } = wire({});
    expect(names).toEqual([
      'store',
      'redaction',
      'capture',
      'incident-desk',
      'evidence',
      'retention',
      'audit-checkpoints',
    ]);
    expect(services.skipped.join('\n')).toContain('hub.deviceKey not set');
    expect(services.skipped.join('\n')).toContain('web.tlsCert');
    app.db.close();
  });

  it('with a hub key and a web certificate: the publisher is the one checkpoint path and the web UI comes last', async () => {
    const dir = tempDir('bcrp-wiring-keys-');
    generateKeys(join(dir, 'keys'));
    const tls = throwawayCertificate(join(dir, 'tls'));
    const { app, services, names } = wire({
      hub: {
        deviceKey: join(dir, 'keys', KEY_FILES.signingPrivate),
        encryptionKey: join(dir, 'keys', KEY_FILES.encryptionPublic),
      },
      web: { tlsCert: tls.certPath, tlsKey: join(dir, 'tls', 'web.key') },
    });
    expect(names).toEqual([
      'store',
      'redaction',
      'capture',
      'incident-desk',
      'evidence',
      'publisher',
      'retention',
      'web',
    ]);
    expect(services.skipped).toEqual([]);
    await services.publish?.broker.close();
    app.db.close();
  });
});

// Wiring the publisher from the appliance configuration: what is missing is named, with the config path.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeys, KEY_FILES } from '../../src/adapters/crypto/keys.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { createPublishModule } from '../../src/app/publish-module.js';
import { loadConfigFile } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { counterIds } from '../../src/core/ports/ids.js';
import { writeConfig } from '../support/config.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const keys = generateKeys(join(dir, 'keys'));
const clock = new FixedClock('2026-11-23T10:00:00Z');

const attempt = (hub: Record<string, unknown>, name: string) => {
  const loaded = loadConfigFile(writeConfig(dir, { hub }, name));
  const db = openDatabase(join(dir, `data-${name}`), { clock });
  try {
    return createPublishModule({
      config: loaded.config,
      configFile: loaded.file,
      db,
      clock,
      ids: counterIds(),
      log: { info: () => {}, warn: () => {} },
      version: 'test',
    });
  } finally {
    db.close();
  }
};

describe('createPublishModule', () => {
  it('needs the device signing key', () => {
    const e = (() => {
      try {
        attempt({}, 'a.yaml');
      } catch (err) {
        return err;
      }
    })() as ConfigError;
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.details.join('\n')).toMatch(/\/hub\/deviceKey: publishing needs the device signing key/);
  });

  it('refuses an enrolled appliance without the hub encryption key, since packets are encrypted by default', () => {
    const e = (() => {
      try {
        attempt({ deviceKey: join(keys.dir, KEY_FILES.signingPrivate) }, 'b.yaml');
      } catch (err) {
        return err;
      }
    })() as ConfigError;
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.details.join('\n')).toMatch(
      /\/hub\/encryptionKey: hub.encrypt is on \(the default\) but hub.encryptionKey is not set/,
    );
  });

  it('names a key of the wrong kind', () => {
    expect(() =>
      attempt(
        {
          deviceKey: join(keys.dir, KEY_FILES.encryptionPrivate),
          encryptionKey: join(keys.dir, KEY_FILES.encryptionPublic),
        },
        'c.yaml',
      ),
    ).toThrow(/holds a x25519 key; the signing private key must be Ed25519/);
  });
});

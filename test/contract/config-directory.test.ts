// The ConfigDirectory contract (provisioning's configuration directory), run against the file adapter on a real
// temporary directory and the in-memory fake the use-case tests use: files by layout path with their modes, a
// secret is 0600 even over a file that was readable, a missing file throws with the file system's code, and
// config.yaml is written only when the loader accepts it, so a bad answer leaves the previous one as it was.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FileConfigDirectory } from '../../src/adapters/provisioning/config-directory.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { ConfigError } from '../../src/core/errors.js';
import type { ConfigDirectory } from '../../src/core/ports/provisioning.js';
import { MemoryConfigDirectory } from '../support/memory-config-directory.js';
import { tempDir } from '../support/tmp.js';

interface Rig {
  dir: ConfigDirectory<Config>;
  /** A file outside the directory (as the installer names one), holding `text`; returns its path. */
  outside(name: string, text: string): string;
  mode(rel: string): number;
}

const makers: { name: string; make: () => Rig }[] = [
  {
    name: 'file',
    make: () => {
      const root = tempDir('bcrp-configdir-');
      const elsewhere = tempDir('bcrp-configdir-src-');
      return {
        dir: new FileConfigDirectory(join(root, 'etc')),
        outside: (name, text) => {
          writeFileSync(join(elsewhere, name), text);
          return join(elsewhere, name);
        },
        mode: (rel) => statSync(join(root, 'etc', rel)).mode & 0o777,
      };
    },
  },
  {
    name: 'memory',
    make: () => {
      const dir = new MemoryConfigDirectory<Config>('/etc/bcrp-edge', (data, file) =>
        parseConfig(stringify(data), file),
      );
      return {
        dir,
        outside: (name, text) => {
          dir.outside.set(`/home/installer/${name}`, text);
          return `/home/installer/${name}`;
        },
        mode: (rel) => dir.files.get(rel)?.mode ?? -1,
      };
    },
  },
];

const valid = (siteId: string) => ({
  site: { id: siteId },
  nvr: { host: '192.168.1.64', port: 80, password: 'Passw0rd!', channels: [{ id: 1, name: 'Till' }] },
});

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
  return 'no error';
};

for (const { name, make } of makers) {
  describe(`ConfigDirectory contract: ${name}`, () => {
    it('files live under the directory by layout path, each with the mode it was written with', () => {
      const { dir, mode } = make();
      dir.prepareLayout();
      expect(dir.exists('enrolment/request.json')).toBe(false);
      dir.writeText('enrolment/request.json', '{"a":1}\n', 0o640);
      dir.writeText('pki/web.pem', 'CERT', 0o644);
      expect(dir.exists('enrolment/request.json')).toBe(true);
      expect(dir.readText('enrolment/request.json')).toBe('{"a":1}\n');
      expect(mode('enrolment/request.json')).toBe(0o640);
      expect(mode('pki/web.pem')).toBe(0o644);
      expect(dir.path('pki/web.pem').endsWith('/pki/web.pem')).toBe(true);
    });

    it('a file in secrets/ or pki/ cannot be written before the layout is made', () => {
      const { dir } = make();
      expect(code(() => dir.writePrivate('secrets/nvr-password', 'x'))).toBe('ENOENT');
      dir.prepareLayout();
      dir.writePrivate('secrets/nvr-password', 'x');
      expect(dir.readText('secrets/nvr-password')).toBe('x\n');
    });

    it('a secret is readable by its owner only, also over a file that was readable by others', () => {
      const { dir, mode } = make();
      dir.prepareLayout();
      dir.writeText('secrets/enrol-client.key', 'old', 0o644);
      dir.writePrivate('secrets/enrol-client.key', 'KEY\n');
      expect(mode('secrets/enrol-client.key')).toBe(0o600);
      expect(dir.readText('secrets/enrol-client.key')).toBe('KEY\n');
    });

    it('copyIn takes a file from outside with the mode asked; a missing source says ENOENT', () => {
      const { dir, outside, mode } = make();
      dir.prepareLayout();
      dir.copyIn('pki/broker-ca.pem', outside('ca.pem', 'CA PEM'), 0o644);
      expect(dir.readText('pki/broker-ca.pem')).toBe('CA PEM');
      expect(mode('pki/broker-ca.pem')).toBe(0o644);
      expect(code(() => dir.copyIn('pki/x.pem', '/nonexistent/ca.pem', 0o644))).toBe('ENOENT');
    });

    it('a missing file throws with the file system code, so a caller can say which file and why', () => {
      const { dir } = make();
      dir.prepareLayout();
      expect(code(() => dir.readText('enrolment/request.json'))).toBe('ENOENT');
    });

    it('config.yaml is written once the loader accepts it, and reads back as data and as a validated config', () => {
      const { dir } = make();
      dir.prepareLayout();
      expect(dir.exists('config.yaml')).toBe(false);
      const loaded = dir.writeValidatedConfig(valid('shop-001'));
      expect(loaded.config.site.id).toBe('shop-001');
      expect(dir.exists('config.yaml')).toBe(true);
      expect(dir.readConfigData()).toEqual(valid('shop-001'));
      expect(dir.loadConfig().config.nvr.host).toBe('192.168.1.64');
    });

    it('a config the loader refuses is not written: checkConfig and writeValidatedConfig leave the last one', () => {
      const { dir } = make();
      dir.prepareLayout();
      dir.writeValidatedConfig(valid('shop-001'));
      expect(() => dir.checkConfig(valid('Not A Site!'))).toThrow(ConfigError);
      expect(() => dir.writeValidatedConfig({ ...valid('shop-002'), mqtt: 'not a map' })).toThrow(ConfigError);
      expect(dir.readConfigData()).toEqual(valid('shop-001'));
      expect(dir.loadConfig().config.site.id).toBe('shop-001');
    });
  });
}

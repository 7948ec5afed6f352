// scripts/install.sh and scripts/uninstall.sh run into a temporary root (--root): what lands where with which
// modes, that a second install changes nothing, that --dry-run touches nothing, and that a purge asks, closes the
// audit log with a final row and exports it before deleting anything.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const mode = (f: string) => (statSync(f).mode & 0o777).toString(8);

function sh(script: string, args: string[], input = '', env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('bash', [join(ROOT, 'scripts', script), ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, BCRP_EDGE_BIN: `${process.execPath} ${BIN}`, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A small stand-in checkout: the built dist and the unit files, without node_modules. */
let source: string;
beforeAll(() => {
  source = join(dir, 'src');
  mkdirSync(source);
  cpSync(join(ROOT, 'dist'), join(source, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'systemd'), join(source, 'systemd'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(source, 'package.json'));
});

describe('install.sh', () => {
  it('installs the app, wrapper, directories, unit, drop-in and log limits into a root', () => {
    const root = join(dir, 'root1');
    const r = sh('install.sh', ['--root', root, '--no-packages', '--source', source, '--gpio-chip', 'gpiochip0']);
    expect(r.out).toMatch(/done: \d+ change/);
    expect(r.code).toBe(0);
    expect(existsSync(join(root, 'opt/bcrp-edge/dist/main.js'))).toBe(true);
    expect(readFileSync(join(root, 'usr/local/bin/bcrp-edge'), 'utf8')).toMatch(
      /exec \/usr\/bin\/node \/opt\/bcrp-edge\/dist\/main.js "\$@"/,
    );
    expect(mode(join(root, 'usr/local/bin/bcrp-edge'))).toBe('755');
    for (const d of ['etc/bcrp-edge', 'etc/bcrp-edge/secrets', 'var/lib/bcrp-edge', 'var/log/bcrp-edge'])
      expect([d, mode(join(root, d))]).toEqual([d, '750']);
    expect(readFileSync(join(root, 'etc/systemd/system/bcrp-edge.service'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'systemd/bcrp-edge.service'), 'utf8'),
    );
    const dropIn = readFileSync(join(root, 'etc/systemd/system/bcrp-edge.service.d/10-devices.conf'), 'utf8');
    expect(dropIn).toMatch(/^DeviceAllow=\/dev\/gpiochip0 rw$/m);
    expect(dropIn).toMatch(/^SupplementaryGroups=gpio$/m);
    expect(dropIn).not.toMatch(/char-input/);
    expect(readFileSync(join(root, 'etc/systemd/journald.conf.d/50-bcrp-edge.conf'), 'utf8')).toMatch(
      /SystemMaxUse=200M/,
    );
    expect(readFileSync(join(root, 'etc/logrotate.d/bcrp-edge'), 'utf8')).toMatch(/rotate 14/);
    expect(r.out).toMatch(/not started: provision first/);
  });

  it('is idempotent: a second run changes nothing; dropping the button option removes the drop-in', () => {
    const root = join(dir, 'root1');
    const again = sh('install.sh', ['--root', root, '--no-packages', '--source', source, '--gpio-chip', 'gpiochip0']);
    expect(again.out).toMatch(/nothing changed: already installed/);
    const noButton = sh('install.sh', ['--root', root, '--no-packages', '--source', source]);
    expect(noButton.out).toMatch(/removed \/etc\/systemd\/system\/bcrp-edge.service.d\/10-devices.conf/);
  });

  it('--dry-run creates nothing; bad options are refused', () => {
    const root = join(dir, 'root-dry');
    const r = sh('install.sh', ['--root', root, '--dry-run', '--no-packages', '--source', source]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/dry run: \d+ change\(s\) would be made/);
    expect(existsSync(root)).toBe(false);
    expect(sh('install.sh', ['--root', root, '--gpio-chip', '17']).out).toMatch(/--gpio-chip must look like gpiochip0/);
    expect(sh('install.sh', ['--bogus']).code).toBe(1);
  });
});

describe('shell scripts', () => {
  const hasShellcheck = !spawnSync('shellcheck', ['--version']).error;
  if (!hasShellcheck) console.log('skipped: shellcheck not installed (scripts/apt-packages.txt lists it)');
  it.skipIf(!hasShellcheck)('install, uninstall, packaging and firmware-config scripts pass shellcheck', () => {
    const r = spawnSync(
      'shellcheck',
      [
        'scripts/install.sh',
        'scripts/uninstall.sh',
        'scripts/package-deb.sh',
        'scripts/test-clean-install.sh',
        'scripts/clean-install/inside.sh',
        'packaging/deb/postinst',
        'packaging/deb/prerm',
        'packaging/deb/postrm',
        'firmware-config/apply.sh',
        'firmware-config/nftables/egress.sh',
        'scripts/apt-repo.sh',
        'scripts/test-pid1.sh',
        'scripts/test-arm64-install.sh',
        'firmware-config/overlay/enable-readonly-root.sh',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('uninstall.sh', () => {
  const installed = (name: string) => {
    const root = join(dir, name);
    sh('install.sh', ['--root', root, '--no-packages', '--source', source]);
    // A store with an audit log, as the running service would leave it.
    const note = spawnSync(process.execPath, [
      BIN,
      'audit',
      'note',
      'installed',
      '--data-dir',
      join(root, 'var/lib/bcrp-edge'),
    ]);
    expect(note.status).toBe(0);
    return root;
  };

  it('by default removes the program and units and keeps data and configuration', () => {
    const root = installed('root-keep');
    const r = sh('uninstall.sh', ['--root', root]);
    expect(r.code).toBe(0);
    expect(existsSync(join(root, 'opt/bcrp-edge'))).toBe(false);
    expect(existsSync(join(root, 'etc/systemd/system/bcrp-edge.service'))).toBe(false);
    expect(existsSync(join(root, 'var/lib/bcrp-edge/bcrp-edge.sqlite'))).toBe(true);
    expect(existsSync(join(root, 'etc/bcrp-edge'))).toBe(true);
    expect(r.out).toMatch(/kept: \/var\/lib\/bcrp-edge/);
  });

  it('--purge asks, and without the answer deletes nothing', () => {
    const root = installed('root-no');
    const r = sh('uninstall.sh', ['--root', root, '--purge'], 'yes\n');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/not purged \(nothing was changed\)/);
    expect(existsSync(join(root, 'var/lib/bcrp-edge/bcrp-edge.sqlite'))).toBe(true);
    expect(existsSync(join(root, 'opt/bcrp-edge'))).toBe(true);
  });

  it('--purge records a final audit row, exports the log, then deletes everything', () => {
    const root = installed('root-purge');
    const exportDir = join(dir, 'exports');
    const r = sh('uninstall.sh', ['--root', root, '--purge', '--export-dir', exportDir], 'PURGE\n');
    expect(r.out).toMatch(/purged$/m);
    expect(r.code).toBe(0);
    const files = readdirSync(exportDir);
    expect(files).toHaveLength(1);
    const rows = readFileSync(join(exportDir, files[0]!), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; details: { text?: string } });
    expect(rows.at(-1)?.action).toBe('note');
    expect(rows.at(-1)?.details.text).toMatch(/appliance purged/);
    expect(mode(join(exportDir, files[0]!))).toBe('600');
    expect(existsSync(join(root, 'var/lib/bcrp-edge'))).toBe(false);
    expect(existsSync(join(root, 'etc/bcrp-edge'))).toBe(false);
  });
});

// firmware-config/: every file passes the validator that exists for it on this machine (nft -c, chronyd -p,
// cloud-init schema, apt-config, systemd-analyze verify), and the settings that matter are asserted by parsing,
// so a validator missing on some machine still leaves a test that can fail. apply.sh is run into a temp root.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const FC = join(ROOT, 'firmware-config');
const dir = tempDir();
const read = (rel: string) => readFileSync(join(FC, rel), 'utf8');
const has = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) console.log(`skipped: ${cmd} not installed (scripts/apt-packages.txt lists it)`);
  return !r.error;
};
const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

// A resolver standing in for DNS (egress.sh's RESOLVE), in `getent ahosts` form: documentation addresses only.
const ADDRESSES: Record<string, string[]> = {
  'time.cloudflare.com': ['192.0.2.123', '2001:db8::123'],
  'nts.netnod.se': ['192.0.2.124'],
  '2.debian.pool.ntp.org': ['192.0.2.125', '192.0.2.126'],
  'deb.debian.org': ['198.51.100.80'],
  'apt.partnership.example': ['198.51.100.90'],
  'security.debian.org': ['198.51.100.81'],
};
let resolver: string;

let root: string;
beforeAll(() => {
  root = join(dir, 'root');
  // The update sources apply.sh finds in the root: a deb822 file (Debian, the partnership's repository) and a
  // one-line list; a cdrom: source has no host to allow.
  mkdirSync(join(root, 'etc/apt/sources.list.d'), { recursive: true });
  writeFileSync(
    join(root, 'etc/apt/sources.list.d/debian.sources'),
    'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie trixie-updates\nComponents: main\n\n' +
      'Types: deb\nURIs: https://apt.partnership.example/bcrp-edge\nSuites: trixie\nComponents: main\n' +
      'Signed-By: /usr/share/keyrings/bcrp-partnership.gpg\n',
  );
  writeFileSync(
    join(root, 'etc/apt/sources.list'),
    'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://security.debian.org/debian-security trixie-security main\n' +
      'deb cdrom:[Debian 13]/ trixie main\n',
  );
  resolver = join(dir, 'resolve.sh');
  writeFileSync(
    resolver,
    `#!/bin/sh\ncase "$1" in\n${Object.entries(ADDRESSES)
      .map(([n, a]) => `  ${n}) printf '${a.map((x) => `${x} STREAM ${n}\\n`).join('')}' ;;`)
      .join('\n')}\n  *) exit 2 ;;\nesac\n`,
  );
  chmodSync(resolver, 0o755);
  const r = run(
    'bash',
    [
      join(FC, 'apply.sh'),
      '--root',
      root,
      '--shop-lan',
      '10.20.0.0/24',
      '--nvr',
      '10.20.0.64',
      '--broker',
      '198.51.100.7',
      '--broker-port',
      '8884',
    ],
    { RESOLVE: resolver },
  );
  if (r.code !== 0) throw new Error(r.out);
});

/** The applied ruleset with its include pointing into the temp root. */
function rulesetFile(): string {
  const f = join(dir, 'ruleset.nft');
  writeFileSync(
    f,
    readFileSync(join(root, 'etc/nftables.conf'), 'utf8').replaceAll(
      'include "/etc/nftables.d/',
      `include "${root}/etc/nftables.d/`,
    ),
  );
  return f;
}

describe('nftables', () => {
  it('apply.sh fills the site values in, and refuses a broker given as a name', () => {
    const site = readFileSync(join(root, 'etc/nftables.d/bcrp-edge-site.nft'), 'utf8');
    expect(site).toMatch(/^define NVR_ADDR = 10\.20\.0\.64$/m);
    expect(site).toMatch(/^define BROKER_PORT = 8884$/m);
    expect(site).toMatch(/^define DNS_SERVERS = \{ 10\.20\.0\.1 \}$/m);
    const bad = run('bash', [
      join(FC, 'apply.sh'),
      '--root',
      join(dir, 'r2'),
      '--shop-lan',
      '10.20.0.0/24',
      '--nvr',
      '10.20.0.64',
      '--broker',
      'broker.example',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/--broker must be the broker's IPv4 address/);
  });

  it.skipIf(!has('nft', ['--version']))('the ruleset passes nft -c, and a typo in it does not', () => {
    const ok = run('nft', ['-c', '-f', rulesetFile()]);
    expect(ok.out).toBe('');
    expect(ok.code).toBe(0);
    const broken = join(dir, 'broken.nft');
    writeFileSync(broken, readFileSync(rulesetFile(), 'utf8').replace('$NVR_ADDR', '$NVR_ADRR'));
    expect(run('nft', ['-c', '-f', broken]).code).not.toBe(0);
  });

  it('drops by default, logs what it drops, and lets out only the NVR, broker, DNS, NTP and updates', () => {
    const nft = read('nftables/bcrp-edge.nft');
    expect(nft.match(/policy drop;/g)).toHaveLength(3);
    expect(nft).toMatch(/log prefix "bcrp-edge drop in: "/);
    expect(nft).toMatch(/log prefix "bcrp-edge drop out: "/);
    const output = nft.slice(nft.indexOf('chain output'));
    const accepts = output
      .split('\n')
      .filter((l) => /\baccept$/.test(l.trim()))
      .map((l) => l.trim());
    expect(accepts).toEqual([
      'ct state established,related accept',
      'oif "lo" accept',
      'meta l4proto ipv6-icmp accept',
      'meta l4proto icmp icmp type echo-request accept',
      'udp sport 68 udp dport 67 accept',
      'ip daddr $NVR_ADDR tcp dport $NVR_PORTS accept',
      'ip daddr $BROKER_ADDR tcp dport $BROKER_PORT accept',
      'ip daddr $DNS_SERVERS udp dport 53 accept',
      'ip daddr $DNS_SERVERS tcp dport 53 accept',
      'ip daddr @ntp4 udp dport 123 accept',
      'ip6 daddr @ntp6 udp dport 123 accept',
      'ip daddr @ntp4 tcp dport 4460 accept',
      'ip6 daddr @ntp6 tcp dport 4460 accept',
      'ip daddr @updates4 tcp dport { 80, 443 } meta skuid { 0, $APT_UID } accept',
      'ip6 daddr @updates6 tcp dport { 80, 443 } meta skuid { 0, $APT_UID } accept',
    ]);
    expect(nft).toMatch(/ip saddr \$SHOP_LAN tcp dport \$WEB_PORT accept/);
  });

  it('lets NTP out only to the servers chrony is configured with, and updates only to apt sources', () => {
    const egress = readFileSync(join(root, 'etc/nftables.d/bcrp-edge-egress.nft'), 'utf8');
    const sets: Record<string, string[]> = {};
    for (const m of egress.matchAll(/^add element inet bcrp_edge (\w+) \{ (.*) \}$/gm))
      sets[m[1] as string] = [...(sets[m[1] as string] ?? []), ...(m[2] as string).split(', ')];
    // chrony.conf's server and pool lines, resolved; nothing else.
    const chronyNames = [...read('chrony/bcrp-edge.conf').matchAll(/^(?:server|pool) (\S+)/gm)].map(
      (m) => m[1] as string,
    );
    expect(chronyNames.length).toBeGreaterThan(0);
    const v4 = (names: string[]) => names.flatMap((n) => ADDRESSES[n] ?? []).filter((a) => !a.includes(':'));
    expect(new Set(sets['ntp4'])).toEqual(new Set(v4(chronyNames)));
    expect(sets['ntp6']).toEqual(['2001:db8::123']);
    // Both source formats; the cdrom: line has no host; the NTP servers are not update sources.
    expect(new Set(sets['updates4'])).toEqual(new Set(['198.51.100.80', '198.51.100.90', '198.51.100.81']));
    expect(sets['updates6']).toBeUndefined();
    // apt's download user is let out by its uid, which apply.sh wrote into the site values.
    const site = readFileSync(join(root, 'etc/nftables.d/bcrp-edge-site.nft'), 'utf8');
    expect(site).toMatch(/^define APT_UID = \d+$/m);
    // The hourly refresh is installed with the generator.
    expect(readFileSync(join(root, 'etc/systemd/system/bcrp-edge-egress.timer'), 'utf8')).toMatch(/OnUnitActiveSec=1h/);
  });

  it('says so when a configured name does not resolve, and keeps the others', () => {
    const only = join(dir, 'only-debian.sh');
    writeFileSync(only, '#!/bin/sh\n[ "$1" = deb.debian.org ] && echo "198.51.100.80 STREAM"\n');
    chmodSync(only, 0o755);
    const partial = run('bash', [join(FC, 'nftables/egress.sh'), '--root', root], { RESOLVE: only });
    expect(partial.code).toBe(0);
    expect(partial.out).toMatch(/^# time\.cloudflare\.com: not resolved now/m);
    expect(partial.out).toMatch(/^add element inet bcrp_edge updates4 \{ 198\.51\.100\.80 \}$/m);
    expect(partial.out).not.toMatch(/ntp4/);
  });
});

describe('chrony', () => {
  it.skipIf(!has('chronyd', ['--version']))('passes chronyd -p -f', () => {
    const r = run('chronyd', ['-p', '-f', join(FC, 'chrony/bcrp-edge.conf')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/makestep 1.0 3/);
  });

  it('steps a far-off clock at boot, uses authenticated sources and serves no one', () => {
    const c = read('chrony/bcrp-edge.conf');
    expect(c).toMatch(/^makestep 1\.0 3$/m);
    expect(c).toMatch(/^server \S+ iburst nts$/m);
    expect(c).toMatch(/^port 0$/m);
    expect(c).not.toMatch(/^allow/m);
  });
});

describe('cloud-init user-data', () => {
  const text = read('cloud-init/user-data.yaml');
  const doc = parse(text) as {
    ssh_pwauth: boolean;
    disable_root: boolean;
    users: { name: string; lock_passwd: boolean; ssh_authorized_keys: string[] }[];
    packages: string[];
    write_files: { path: string; content: string }[];
  };

  it.skipIf(!has('cloud-init', ['--version']))('passes cloud-init schema', () => {
    const r = run('cloud-init', ['schema', '--config-file', join(FC, 'cloud-init/user-data.yaml')]);
    expect(r.out).toMatch(/Valid cloud-config/);
    expect(r.out).not.toMatch(/deprecat/i);
    expect(r.code).toBe(0);
  });

  it('allows SSH keys only, locks passwords and installs what the appliance needs', () => {
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(doc.ssh_pwauth).toBe(false);
    expect(doc.disable_root).toBe(true);
    expect(doc.users[0]?.lock_passwd).toBe(true);
    expect(doc.users[0]?.ssh_authorized_keys[0]).toMatch(/^ssh-ed25519 /);
    expect(doc.packages).toEqual(
      expect.arrayContaining(['ffmpeg', 'gpiod', 'chrony', 'nftables', 'unattended-upgrades', 'rfkill']),
    );
  });

  it('embeds exactly the SSH, upgrade and radio files of firmware-config (no drift)', () => {
    const embedded = (p: string) => doc.write_files.find((f) => f.path === p)?.content;
    const strip = (s: string) =>
      s
        .split('\n')
        .filter((l) => !/^\s*(#|\/\/)/.test(l))
        .join('\n')
        .trim();
    expect(strip(embedded('/etc/ssh/sshd_config.d/50-bcrp-edge.conf') ?? '')).toBe(
      strip(read('ssh/50-bcrp-edge.conf')),
    );
    expect(strip(embedded('/etc/apt/apt.conf.d/20auto-upgrades') ?? '')).toBe(strip(read('apt/20auto-upgrades')));
    expect(strip(embedded('/etc/systemd/system/bcrp-edge-radios.service') ?? '')).toBe(
      strip(read('radio/bcrp-edge-radios.service')),
    );
  });
});

describe('SSH, upgrades, radios, read-only root', () => {
  it('sshd allows public keys only and no root', () => {
    const kv = new Map(
      read('ssh/50-bcrp-edge.conf')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(/\s+/, 2) as [string, string]),
    );
    expect(kv.get('PasswordAuthentication')).toBe('no');
    expect(kv.get('KbdInteractiveAuthentication')).toBe('no');
    expect(kv.get('PermitRootLogin')).toBe('no');
    expect(kv.get('AuthenticationMethods')).toBe('publickey');
  });

  it.skipIf(!has('apt-config', ['--version']))(
    'the unattended-upgrades settings parse and take security updates with a night reboot',
    () => {
      const r = run('apt-config', ['-c', join(FC, 'apt/52bcrp-edge-unattended-upgrades'), 'dump']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(
        /Unattended-Upgrade::Origins-Pattern:: "origin=Debian,codename=\$\{distro_codename\}-security,label=Debian-Security";/,
      );
      // bcrp-edge's own updates: the Origin and Label scripts/apt-repo.sh writes into the repository's Release.
      expect(r.out).toMatch(/Unattended-Upgrade::Origins-Pattern:: "origin=BCRP Partnership,label=bcrp-edge";/);
      const repo = readFileSync(join(ROOT, 'scripts/apt-repo.sh'), 'utf8');
      expect(repo).toMatch(/^Origin: BCRP Partnership$/m);
      expect(repo).toMatch(/^Label: bcrp-edge$/m);
      expect(r.out).toMatch(/Unattended-Upgrade::Automatic-Reboot-Time "04:30";/);
      const periodic = run('apt-config', ['-c', join(FC, 'apt/20auto-upgrades'), 'dump']);
      expect(periodic.out).toMatch(/APT::Periodic::Unattended-Upgrade "1";/);
    },
  );

  it.skipIf(!has('systemd-analyze', ['--version']))(
    'the radio unit passes systemd-analyze verify and is skipped once radios are enabled',
    () => {
      const r = run('systemd-analyze', ['verify', join(FC, 'radio/bcrp-edge-radios.service')]);
      expect(r.out).toBe('');
      expect(read('radio/bcrp-edge-radios.service')).toMatch(
        /^ConditionPathExists=!\/etc\/bcrp-edge\/radios-enabled$/m,
      );
      expect(read('raspberry-pi/config.txt.append')).toMatch(/^dtoverlay=disable-wifi\ndtoverlay=disable-bt$/m);
    },
  );

  it('the read-only root script refuses when the data dir is not its own partition', () => {
    const r = spawnSync('bash', [join(FC, 'overlay/enable-readonly-root.sh')], {
      encoding: 'utf8',
      env: { ...process.env, BCRP_EDGE_DATA_DIR: dir },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing: .* is not a separate partition/);
  });
});

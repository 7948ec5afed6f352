// Interactive provisioning as an installer meets it: the built binary on a real pseudo-terminal (util-linux
// `script`), answering each question when it appears. The passwords typed must not appear on the screen.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const hasScript = !spawnSync('script', ['--version']).error;
if (!hasScript) console.log('skipped: script (util-linux) not installed');

describe.skipIf(!hasScript)('bcrp-edge provision on a terminal', () => {
  it('asks each question, hides the passwords and writes a valid configuration', async () => {
    const dir = tempDir();
    const env = { ...process.env };
    delete env['CI'];
    const cmd = `${process.execPath} ${BIN} provision --config-dir ${join(dir, 'etc')} --data-dir ${join(dir, 'data')}`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const dialogue: [RegExp, string][] = [
      [/Site id given by the partnership.*: $/, 'shop-077'],
      [/Shop name.*: $/, 'Bakery'],
      [/NVR address on the shop LAN \(or 'search' to look for recorders\): $/, '10.0.0.5'],
      [/NVR HTTP port \[80\]: $/, ''],
      [/NVR user name \[admin\]: $/, ''],
      [/NVR password: $/, 'nvr-typed-secret'],
      [/Cameras to offer.*\[1:Camera 1\]: $/, '1:Till,2:Door'],
      [/Button .*\[none\]: $/, 'gpio:17,led=27'],
      [/Partnership broker URL.*: $/, 'mqtts://broker.partnership.test:8883'],
      [/Broker CA file.*: $/, ''],
      [/First manager account name \[manager\]: $/, 'carol'],
      [/Password for carol.*: $/, 'typed-manager-pass-42'],
      [/Address the web UI listens on.*\[0\.0\.0\.0\]: $/, '10.0.0.9'],
      [/One-time enrolment code.*: $/, 'QWER-5678'],
      [/the enrolment certificate file from the partnership \(blank: later, or offline\): $/, ''],
    ];
    let screen = '';
    let step = 0;
    child.stdout.on('data', (d) => {
      screen += d;
      const next = dialogue[step];
      if (next?.[0].test(screen)) {
        step++;
        child.stdin.write(`${next[1]}\r`);
      }
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(screen).toMatch(/provisioned site shop-077/);
    expect(code).toBe(0);
    expect(step).toBe(dialogue.length);
    expect(screen).not.toContain('nvr-typed-secret');
    expect(screen).not.toContain('typed-manager-pass-42');
    const config = readFileSync(join(dir, 'etc', 'config.yaml'), 'utf8');
    expect(config).toMatch(/line: 17\n\s+camera: 1\n\s+ledLine: 27/);
    expect(readFileSync(join(dir, 'etc', 'secrets', 'nvr-password'), 'utf8').trim()).toBe('nvr-typed-secret');
    expect(existsSync(join(dir, 'data', 'bcrp-edge.sqlite'))).toBe(true);
  });
});

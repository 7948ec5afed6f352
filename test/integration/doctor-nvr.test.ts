// `bcrp-edge doctor --nvr` against the whole emulator (ISAPI + RTSP) in quirk modes: every step an installer
// needs, what was worked around, and the fix with the recorder's menu path, as text and as --json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulatorNvrConfig } from '../../src/adapters/nvr/emulator/emulator.js';
import type { QuirkName } from '../../src/adapters/nvr/emulator/quirks.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { emulator } from '../support/nvr.js';
import { tempDir } from '../support/tmp.js';

async function configFor(quirks: QuirkName[], password?: string) {
  const emu = await emulator({ quirks, clockSkewMs: 5000 });
  const dir = tempDir();
  const config = writeConfig(dir, {
    nvr: emulatorNvrConfig(emu, join(dir, 'nvr-password'), [{ id: 1, name: 'Till' }]),
    buttons: { sources: [{ kind: 'nvr-io', input: 1, camera: 1 }] },
  });
  if (password) writeFileSync(join(dir, 'nvr-password'), `${password}\n`);
  return { emu, config };
}

describe('bcrp-edge doctor --nvr', () => {
  it('walks every step; picture, search and event-stream quirks are worked around, the clock warns', async () => {
    const { config } = await configFor([
      'picture-xml',
      'nat-uri',
      'recording-in-progress',
      'no-heartbeat',
      'clock-skew',
    ]);
    const r = await runCli(['doctor', '--nvr', '--json', '--config', config]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      steps: { id: string; status: string; detail: string; workaround?: string; fix?: string }[];
    };
    const by = (id: string) => out.steps.find((s) => s.id === id)!;
    expect(out.steps.map((s) => `${s.id}:${s.status}`)).toEqual([
      'login:ok',
      'firmware:ok',
      'channels:ok',
      'clock:warn',
      'picture:workaround',
      'live:ok',
      'search:workaround',
      'playback:ok',
      'alert-stream:workaround',
      'io-input:ok',
    ]);
    expect(by('login').detail).toMatch(/accepted with Digest SHA-256/);
    expect(by('clock').detail).toMatch(/^\+(4\.\d|5\.\d) s against the appliance/);
    expect(by('clock').fix).toMatch(/Time Settings: NTP/);
    expect(by('picture').workaround).toMatch(/answered 200 with a ResponseStatus instead of a JPEG/);
    expect(by('search').workaround).toMatch(/endTime .* not trusted; its playbackURI names 192\.168\.254\.2/);
    expect(by('alert-stream').workaround).toMatch(/sends nothing while idle/);
    expect(r.stdout).not.toContain('Passw0rd!');
  });

  it('a wrong password: one failed login on the recorder, the fix, and nothing else tried', async () => {
    const { emu, config } = await configFor(['login-lock'], 'Not-the-password');
    const r = await runCli(['doctor', '--nvr', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}login .*refused user "admin" \(wrong user name or password\)/m);
    expect(r.stdout).toMatch(/fix: check nvr.username and the password file.*will not try the password again before/);
    expect(r.stdout).toMatch(/skip {2}remaining checks/);
    expect(emu.failedLogins()).toBe(1);
    expect(r.stdout).not.toContain('Not-the-password');
  });
});

// `--actor NAME` is only a claim: every entry the CLI writes also names the OS account, the sudo user and the
// terminal the command ran from, in the real binary as in process.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, runCli } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

describe('CLI actions name the login behind --actor', () => {
  it('records the OS user, the sudo user and the terminal (none in a script) beside the claimed actor', async () => {
    const data = join(tempDir('bcrp-cli-origin-'), 'data');
    const r = await runCli(['audit', 'note', 'checked the signs', '--actor', 'mina', '--data-dir', data, '--json'], {
      SUDO_USER: 'alice',
    });
    expect(r.code, r.stderr).toBe(0);
    const entry = JSON.parse(r.stdout) as { actor: string; details: { cli: Record<string, unknown> } };
    expect(entry.actor).toBe('mina');
    expect(entry.details.cli).toMatchObject({ osUser: userInfo().username, sudoUser: 'alice' });

    // The built binary run by a script: no controlling terminal, no sudo.
    const b = await runBin(['audit', 'note', 'second', '--data-dir', data, '--json'], { env: { SUDO_USER: '' } });
    expect(b.code, b.stderr).toBe(0);
    const second = JSON.parse(b.stdout) as { details: { cli: Record<string, unknown> } };
    expect(second.details.cli).toEqual({ osUser: userInfo().username, sudoUser: null, terminal: null });
  });
});

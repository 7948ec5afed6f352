// The service as systemd runs it: the built binary starts, records its start in the audit chain, and on SIGTERM
// or SIGINT stops its modules in reverse order within 10 s and exits 0, leaving a chain that verifies.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, startBin, waitFor } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import { tempDir } from '../../support/tmp.js';

describe('bcrp-edge run', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops cleanly on %s and the audit chain records start and stop',
    async (signal) => {
      const dir = tempDir();
      const config = writeConfig(dir);
      const dataDir = join(dir, 'data');
      const child = startBin(['run', '--config', config, '--data-dir', dataDir], { NODE_ENV: 'production' });
      await waitFor(() => child.output().includes('"msg":"ready'), 15_000, 'the service to report ready');
      const t0 = Date.now();
      child.kill(signal);
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(child.output()).toContain('"msg":"stopped"');
      const v = await runBin([
        'audit',
        'export',
        '-o',
        join(dir, `a-${signal}.jsonl`),
        '--data-dir',
        dataDir,
        '--json',
      ]);
      // The service's start and stop, with what the modules recorded between (retention's start-up sweep…).
      const actions = readFileSync(join(dir, `a-${signal}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { action: string }).action);
      expect(actions[0]).toBe('service-start');
      expect(actions.at(-1)).toBe('service-stop');
      expect(JSON.parse(v.stdout).entries).toBe(actions.length);
      const verify = await runBin(['audit', 'verify', '--data-dir', dataDir, '--json']);
      expect(verify.code).toBe(0);
    },
  );

  it('exits 78 listing the problems when the configuration is bad', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { nvr: { port: 'eighty' }, webb: {} });
    const r = await runBin(['run', '--config', config, '--data-dir', join(dir, 'data')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('/nvr/port: expected integer');
    expect(r.stderr).toContain('/webb: unknown key');
  });
});

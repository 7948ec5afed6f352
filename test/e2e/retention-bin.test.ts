// The built binary (dist/main.js) runs the retention commands end to end: help lists them, a sweep and a
// compliance report work against a real data dir, and bad input gets exit 2 without a stack trace.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runBin } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { tempDir } from '../support/tmp.js';

const root = tempDir('bcrp-retention-bin-');
const config = writeConfig(root);
const data = join(root, 'data');

describe.skipIf(!existsSync(BIN))('bcrp-edge (built) retention commands', () => {
  it('lists the commands as built', async () => {
    const r = await runBin(['--help']);
    for (const c of [
      'retention sweep',
      'hold place',
      'sar export',
      'police export',
      'compliance report',
      'audit register',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`${c} .*\\n`));
      expect(r.stdout).not.toMatch(new RegExp(`${c} .*not built yet`));
    }
  });

  it('sweeps, reports and verifies with checkpoints', async () => {
    const env = { BCRP_EDGE_DATA_DIR: data, BCRP_EDGE_CONFIG: config };
    const sweep = await runBin(['retention', 'sweep', '--json'], { env });
    expect(sweep.code).toBe(0);
    expect(JSON.parse(sweep.stdout)).toMatchObject({ outcome: 'done', deleted: [] });
    expect((await runBin(['audit', 'checkpoint'], { env })).code).toBe(0);
    const cps = join(root, 'cps.jsonl');
    expect((await runBin(['audit', 'checkpoint', '-o', cps], { env })).code).toBe(0);
    const v = await runBin(['audit', 'verify', '--checkpoints', cps], { env });
    expect(v.stdout).toMatch(/^ok: /);
    const report = await runBin(['compliance', 'report', '-o', join(root, 'r.html')], { env });
    expect(report.code).toBe(0);
    expect(existsSync(join(root, 'r.html'))).toBe(true);
  });

  it('bad input: exit 2, a message, no stack', async () => {
    const r = await runBin(['retention', 'sweep', '--now', 'soon'], {
      env: { BCRP_EDGE_DATA_DIR: data, BCRP_EDGE_CONFIG: config },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--now must be an ISO 8601 date/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

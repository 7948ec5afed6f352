// The soak script (scripts/soak.ts) in its short CI form: 60 s of the real appliance with a trigger every 5 s, every
// incident sent and acknowledged, and the script's own limits (RSS, heap, fds, ffmpeg, SQLite growth) holding.
// The 10-minute run is `npm run soak` (SOAK_SECONDS=600, the default), outside CI.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/cli.js';
import { captureChildOutput } from '../../support/log-capture.js';
import { tempDir } from '../../support/tmp.js';

const SECONDS = Number(process.env['BCRP_SOAK_CI_SECONDS'] ?? 60);

describe('soak (short)', () => {
  it(
    `runs ${SECONDS} s with a trigger every 5 s and every limit holds`,
    async () => {
      const out = join(tempDir('bcrp-soak-ci-'), 'soak.json');
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'soak.ts')], {
        cwd: ROOT,
        env: {
          ...process.env,
          SOAK_SECONDS: String(SECONDS),
          SOAK_TRIGGER_SECONDS: '5',
          SOAK_SAMPLE_SECONDS: '3',
          SOAK_JSON: out,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => {
        output += d;
      });
      child.stderr.on('data', (d) => {
        output += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 240) * 1000);
      const [code] = await once(child, 'exit');
      clearTimeout(timer);
      captureChildOutput(output);
      expect(code, output.slice(-3000)).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      expect(report.failures).toEqual([]);
      expect(report.incidents).toBeGreaterThanOrEqual(SECONDS / 5 - 1);
      expect(report.acked).toBe(report.incidents);
      expect(report.ffmpeg.leftAfterStop).toBe(0);
      console.log(`soak ${SECONDS} s: ${JSON.stringify(report)}`);
    },
    (SECONDS + 300) * 1000,
  );
});

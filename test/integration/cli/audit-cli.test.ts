// The auditor's commands on a real store: notes, export with hashes, and recomputing the chain from the export
// with standard tools (jq + sha256sum), as docs/audit-log.md tells a third party to do.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir();
const dataDir = join(dir, 'data');

function hasJq(): boolean {
  try {
    execFileSync('jq', ['--version']);
    return true;
  } catch {
    return false;
  }
}

describe('audit note / export', () => {
  it('appends notes and exports every entry with its hash', async () => {
    for (const t of [
      'Police collected working copy, ref CR/123/26',
      'Camera 2 moved to the till',
      'Ünïcödé remark "quoted"',
    ]) {
      const r = await runCli(['audit', 'note', t, '--actor', 'manager:bob', '--data-dir', dataDir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^noted as entry \d+$/);
    }
    const out = join(dir, 'audit.jsonl');
    const r = await runCli(['audit', 'export', '-o', out, '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote 3 entries (1…3) to ${out}`);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((x) => x.details.text)).toEqual([
      'Police collected working copy, ref CR/123/26',
      'Camera 2 moved to the till',
      'Ünïcödé remark "quoted"',
    ]);
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    // The export is itself audited.
    const v = await runCli(['audit', 'verify', '--data-dir', dataDir, '--json']);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, entries: 4 });
  });

  it('refuses to overwrite an existing export and needs -o', async () => {
    const out = join(dir, 'audit.jsonl');
    const again = await runCli(['audit', 'export', '-o', out, '--data-dir', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const noOut = await runCli(['audit', 'export', '--data-dir', dataDir]);
    expect(noOut.code).toBe(2);
  });

  it('exports a time window only', async () => {
    const out = join(dir, 'window.jsonl');
    const r = await runCli([
      'audit',
      'export',
      '--from',
      '2000-01-01',
      '--to',
      '2000-01-02',
      '-o',
      out,
      '--data-dir',
      dataDir,
    ]);
    expect(r.stdout).toBe(`wrote 0 entries to ${out}`);
    const bad = await runCli([
      'audit',
      'export',
      '--from',
      'yesterday',
      '-o',
      join(dir, 'x.jsonl'),
      '--data-dir',
      dataDir,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from must be an ISO 8601 date');
  });

  it.skipIf(!hasJq())('lets a third party recompute every hash with jq and sha256sum', () => {
    const out = join(dir, 'audit.jsonl');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    for (const line of lines) {
      const canonical = execFileSync('jq', ['-cS', '[.seq,.time,.actor,.action,.subject,.details,.prev_hash]'], {
        input: line,
      })
        .toString()
        .replace(/\n$/, '');
      const hash = execFileSync('sha256sum', { input: canonical }).toString().split(' ')[0];
      expect(hash).toBe(JSON.parse(line).hash);
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { renderConfigDocs } from '../../../src/config/docs.js';
import { ROOT, runCli } from '../../support/cli.js';

// The command list of ../shared/DESIGN.md, which --help must show in full.
const DESIGN_COMMANDS = [
  'demo',
  'run',
  'config validate',
  'detect',
  'redact',
  'capture',
  'packet verify',
  'audit verify',
  'audit export',
  'retention sweep',
  'sar export',
  'provision',
  'discover',
  'doctor',
  'hub',
  'nvr-emulator',
  'bench',
];

describe('bcrp-edge --help', () => {
  it('lists every command of the design', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of DESIGN_COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('exits 2 with a message for an unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('exits 2 with a usage message for an unknown option', async () => {
    const r = await runCli(['audit', 'verify', '--frob']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage error: Unknown option '--frob'/);
    expect(r.stderr).toContain('usage: bcrp-edge audit verify');
  });

  it('says so and exits 2 for a command that is not built yet', async () => {
    const planned = COMMANDS.filter((c) => !c.run);
    for (const c of planned) {
      const r = await runCli(c.name.split(' '));
      expect(r.code, c.name).toBe(2);
      expect(r.stderr).toContain(`'${c.name}' is not built yet`);
    }
  });
});

describe('docs/configuration.md', () => {
  it('is the one generated from the schema (run `bcrp-edge config docs > docs/configuration.md` after a schema change)', () => {
    const onDisk = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
    expect(onDisk.trimEnd()).toBe(renderConfigDocs().trimEnd());
  });
});

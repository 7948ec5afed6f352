// The one-clock check that `npm run lint` runs: a wall-clock read added anywhere in src/ but the clock adapter
// fails it with the file and line; monotonic timing, dates made from a value and comments naming a read pass.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

const check = (root: string) => spawnSync(process.execPath, ['scripts/check-clock.mjs', root], { encoding: 'utf8' });

function tree(files: Record<string, string>): string {
  const root = tempDir('bcrp-clock-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('check-clock', () => {
  it('passes on the project as it stands', () => {
    expect(() => execFileSync(process.execPath, ['scripts/check-clock.mjs'], { encoding: 'utf8' })).not.toThrow();
  });

  it('fails on each kind of wall-clock read outside the clock adapter, naming file and line', () => {
    const root = tree({
      'services/a.ts': 'export const a = 1;\nexport const t = Date.now();\n',
      'adapters/b.ts': 'export const d = new Date();\n',
      'app/c.ts': 'export const e = new Date;\nexport const s = Date();\n',
      'cli/d.ts': 'export const read = Date.now;\n',
      'core/ports/clock.ts': 'export const systemClock = { now: () => new Date() };\n',
    });
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(root, 'services/a.ts')}:2: Date.now()`);
    expect(r.stderr).toContain(`${join(root, 'adapters/b.ts')}:1: new Date() without an argument`);
    expect(r.stderr).toContain(`${join(root, 'app/c.ts')}:1: new Date() without an argument`);
    expect(r.stderr).toContain(`${join(root, 'app/c.ts')}:2: Date() without new`);
    expect(r.stderr).toContain(`${join(root, 'cli/d.ts')}:1: Date.now()`);
    expect(r.stderr).toContain('5 wall-clock reads outside src/core/ports/clock.ts');
    expect(r.stderr).not.toContain(join(root, 'core/ports/clock.ts'));
  });

  it('lets through dates made from a value, monotonic timing, comments and browser code', () => {
    const root = tree({
      'services/ok.ts': [
        '// Date.now() is not read here: the clock is injected',
        '/* nor new Date() */',
        "export const d = new Date('2026-01-01T00:00:00Z');",
        'export const e = new Date(clock.now().getTime() + 1000);',
        'export const t0 = performance.now();',
        "export const url = 'http://example.invalid/x'; // Date.now() in a comment after code",
        'export const parsed = Date.parse(x) + Date.UTC(2026, 0, 1);',
      ].join('\n'),
      'web/static/page.js': 'img.src = "x?v=" + Date.now();\n',
    });
    const r = check(root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

// The folder a file lives in says what it may import (../shared/STYLE.md): adapters never reach up into app/
// wiring or services, and core imports nothing outside itself.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of files under `folder` that land outside `allowed` (folders under src/). */
function importsOutside(folder: string, allowed: string[]): string[] {
  return files(join(SRC, folder)).flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)'/g)]
      .map((m) => relative(SRC, resolve(dirname(f), m[1] ?? '')))
      .filter((target) => !allowed.some((a) => target.startsWith(`${a}/`)))
      .map((target) => `${relative(SRC, f)} imports ${target}`),
  );
}

describe('layering', () => {
  it('adapters import nothing from app/', () => {
    expect(importsOutside('adapters', ['adapters', 'core', 'config', 'observability'])).toEqual([]);
  });

  it('core imports nothing outside core', () => {
    expect(importsOutside('core', ['core'])).toEqual([]);
  });
});

// The folder a file lives in says what it may import (../shared/STYLE.md): adapters never reach up into app/
// wiring or services, core imports nothing outside itself, services reach the store only through ports in
// core/ports, never with SQL of their own, and provisioning's CLI only parses and prompts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function offenders(folder: string, pattern: RegExp): string[] {
  return files(join(SRC, folder))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => (pattern.test(line) ? `${relative(SRC, f)}:${i + 1}: ${line.trim()}` : undefined)),
    )
    .filter((x): x is string => x !== undefined);
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

  it('services import no adapter, wiring or command: they see the outside world only through core/ports', () => {
    expect(importsOutside('services', ['services', 'core', 'config', 'observability'])).toEqual([]);
  });

  it('services neither prepare SQL nor take a database handle', () => {
    expect(offenders('services', /\bprepare\(|adapters\/store\/sqlite-store\.js/)).toEqual([]);
  });

  it('routes take their request types from their schemas: no cast of request body, params or query', () => {
    const cast = /\b(request|req)\.(body|params|query)\s+as\b/;
    expect([...offenders('web', cast), ...offenders('hub', cast)]).toEqual([]);
  });

  it('only the incident repository writes an incident row', () => {
    const write = /UPDATE\s+incidents\b/i;
    expect(
      [...offenders('adapters', write), ...offenders('services', write), ...offenders('web', write)].filter(
        (l) => !l.startsWith('adapters/store/incidents.ts:'),
      ),
    ).toEqual([]);
  });

  it('cli/provision.ts parses and prompts: the use-cases, the broker, chown and file reads are behind services', () => {
    const text = readFileSync(join(SRC, 'cli', 'provision.ts'), 'utf8');
    const found = [/node:child_process/, /\bMqttBroker\b/, /adapters\/nvr\/(isapi|onvif)\//, /\breadFileSync\b/].filter(
      (p) => p.test(text),
    );
    expect(found.map(String)).toEqual([]);
  });
});

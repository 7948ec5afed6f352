// Vitest setup file: every line a test worker writes to stdout or stderr (pino writes with fs.writeSync to fd 1/2,
// others through process.stdout/stderr) is also appended to test-artifacts/logs/, as is the output of the binaries
// the tests start (test/support/cli.ts calls captureChildOutput). test/support/secrets-scan.ts reads them all
// when the run ends.
import { appendFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// The CommonJS fs object (the one pino's sonic-boom calls), which unlike the ESM namespace can be patched.
const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

export const LOG_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts', 'logs');
const MARK = Symbol.for('bcrp.logCapture');
const file = join(LOG_DIR, `worker-${process.pid}.log`);

function keep(chunk: unknown): void {
  try {
    appendFileSync(file, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array));
  } catch {
    // The capture must never break a test.
  }
}

/** Called with the output of each child process a test starts. */
export function captureChildOutput(text: string): void {
  if ((globalThis as Record<symbol, unknown>)[MARK]) keep(text);
}

const g = globalThis as Record<symbol, unknown>;
if (!g[MARK]) {
  g[MARK] = true;
  mkdirSync(LOG_DIR, { recursive: true });
  const writeSync = fs.writeSync;
  // fs.writeSync's overloads do not spread; the call passes the original arguments through unchanged.
  fs.writeSync = ((fd: number, ...rest: unknown[]) => {
    if (fd === 1 || fd === 2) keep(rest[0]);
    return (writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  }
}

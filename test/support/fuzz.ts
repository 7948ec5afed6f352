// How hard the fuzz tests push: 10,000 cases per target by default (bounded for CI on a small machine);
// BCRP_FUZZ_RUNS=N sets any count, LONG=1 (npm run test:soak) runs 20× as many.
import fc from 'fast-check';
import { vi } from 'vitest';

export const FUZZ_RUNS = Number(process.env['BCRP_FUZZ_RUNS'] ?? (process.env['LONG'] === '1' ? 200_000 : 10_000));
/** Real image decodes are ~1,000× dearer than header checks: a few hundred by default. */
export const DECODE_RUNS = Math.max(50, Math.round(FUZZ_RUNS / 25));

export const fuzzParams = (numRuns = FUZZ_RUNS): fc.Parameters<unknown> => ({
  numRuns,
  // A fixed seed unless one is given, so a CI failure can be replayed; the seed is printed on failure.
  seed: Number(process.env['BCRP_FUZZ_SEED'] ?? 20261123),
  endOnFailure: true,
  // "No hang": an async case taking over 5 s fails (sync properties cannot be interrupted; they are all cheap).
  timeout: 5_000,
});

/** Strings a hostile sender likes: traversal, NULs, huge numbers, format strings, prototype keys, odd unicode. */
export const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '../../../../etc/passwd',
    '..%2f..%2f..%2fetc%2fpasswd',
    '%2e%2e%2f%2e%2e%2f',
    '..\\..\\windows\\win.ini',
    '\u0000',
    '%00',
    '__proto__',
    'constructor',
    '%s%s%s%n',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '9'.repeat(400),
    '-1',
    'NaN',
    '1e309',
    '\u202e\u0301',
    '{"a":',
    'rtsp://admin:Passw0rd!@10.0.0.2/Streaming/Channels/101',
  ),
);

/** Any JSON-ish value including deep nesting and prototype-named keys. */
export const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as unknown),
);

/** Fuzz files may run longer than the suite's 30 s per test: 2 minutes by default, an hour under LONG=1. */
export function allowFuzzTime(): void {
  vi.setConfig({ testTimeout: process.env['LONG'] === '1' || process.env['BCRP_FUZZ_RUNS'] ? 3_600_000 : 120_000 });
}

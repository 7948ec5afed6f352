import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every log line of the run is captured and scanned for secrets when it ends (test/support/secrets-scan.ts).
    setupFiles: ['test/support/log-capture.ts'],
    globalSetup: ['test/support/secrets-scan.ts'],
    // Integration tests drive real ffmpeg, mosquitto, SQLite and Chromium: give them room, but on 2 cores run
    // at most two files at once so timings stay meaningful.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CI's second run (the system date shifted, see .ci/run) writes its own report beside the main one.
    reporters: ['default', ['json', { outputFile: process.env['VITEST_JSON'] ?? 'test-artifacts/vitest.json' }]],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'test-artifacts/coverage',
      thresholds: { lines: 60, functions: 60, branches: 50, statements: 60 },
    },
  },
});

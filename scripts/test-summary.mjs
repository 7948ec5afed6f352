#!/usr/bin/env node
// Prints the plain closing line "N passed, N failed, N skipped" from vitest's JSON report(s); exits 1 when a report
// is missing, when a test failed, or when no test ran at all. With several reports (CI's main run and its run with
// the system date shifted) each gets a line of its own first, and the closing line adds them up.
import { readFileSync } from 'node:fs';

const files = process.argv.length > 2 ? process.argv.slice(2) : ['test-artifacts/vitest.json'];

function counts(file) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`no test report at ${file} (${e.code ?? e.message})`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  // A file that fails to load has no failed test but is a failure all the same.
  const brokenFiles = (report.testResults ?? []).filter(
    (r) => r.status === 'failed' && (r.assertionResults ?? []).every((a) => a.status !== 'failed'),
  ).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

const line = (c) => `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
const total = { passed: 0, failed: 0, skipped: 0 };
let emptyRun = false;
for (const file of files) {
  const c = counts(file);
  // Per-report lines end with the file name, so only the closing line below reads as a bare summary.
  if (files.length > 1) console.log(`${line(c)} (${file})`);
  if (c.passed === 0) emptyRun = true;
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}
console.log(line(total));
process.exit(total.failed > 0 || emptyRun ? 1 : 0);

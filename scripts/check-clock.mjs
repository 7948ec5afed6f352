#!/usr/bin/env node
// One clock: fails (exit 1) when code under src/ reads the wall clock anywhere but the clock adapter, so every time
// the appliance uses comes from the injected Clock (src/core/ports/clock.ts) and tests can set it. Run by
// `npm run lint`. Biome's noRestrictedGlobals cannot single out `Date.now`, hence this script.
//
// Reads it looks for: `Date.now()`, `new Date()` / `new Date` with no argument, and `Date()` called without `new`.
// The one exception, justified here once: monotonic sources (`performance.now()`, `process.hrtime`) stay allowed
// for measuring how long something took and for timeouts (benches, metrics, start-up deadlines). They never yield a
// date, a system-date change does not move them, and no stored or displayed time is made from them.
// Browser code (src/web/static) runs on the visitor's clock, not the appliance's, and is not checked.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.argv[2] ?? 'src';
const ALLOWED = new Set(['core/ports/clock.ts']);
const SKIP_DIRS = new Set(['static', 'node_modules']);
const READS = [
  { re: /\bDate\.now\b/, what: 'Date.now()' },
  { re: /\bnew\s+Date\s*(\(\s*\)|(?!\s*\())/, what: 'new Date() without an argument' },
  { re: /(?<![\w.$]|new\s)Date\s*\(\s*\)/, what: 'Date() without new' },
];

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) yield* files(p);
    } else if (/\.(c|m)?(t|j)sx?$/.test(e.name) && !e.name.endsWith('.d.ts')) yield p;
  }
}

/** The text with comments blanked (line structure kept), so a comment may name what it avoids. */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\/|(?<![:'"`\\])\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

const problems = [];
for (const file of files(root)) {
  const rel = relative(root, file).split('\\').join('/');
  if (ALLOWED.has(rel)) continue;
  const lines = withoutComments(readFileSync(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    for (const r of READS) {
      if (r.re.test(line)) problems.push(`${join(root, rel)}:${i + 1}: ${r.what} reads the wall clock`);
    }
  });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(
    `\n${problems.length} wall-clock read${problems.length === 1 ? '' : 's'} outside src/core/ports/clock.ts: take the time from the injected Clock (clock.now(), clock.sleep()); for a duration or a timeout use performance.now().`,
  );
  process.exit(1);
}

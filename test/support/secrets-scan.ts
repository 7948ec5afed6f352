// Vitest global setup: clears test-artifacts/logs/ before the run and, when the run ends, scans every captured
// log line (see log-capture.ts) for secrets — private key blocks, credential-bearing URLs, and the passwords and
// tokens the tests themselves use. A hit fails the run with the file and line.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_DIR } from './log-capture.js';

/** What must never appear in a log. The literal ones are the secrets the test suite plants. */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:"'[\]]+:(?!\[redacted\])[^\s/@"']+@/i,
  /Passw0rd!/,
  /(staff|manager|installer|auditor)-password-1/,
  /metrics-token-for-tests/,
  /Nvr-S3cret-Passw0rd/,
];

/**
 * Lines allowed to name a credential on purpose. The NVR emulator (a test and demo device, never a real recorder)
 * announces the login it accepts so a developer can point a client at it.
 */
export const ALLOWED_LINES: readonly RegExp[] = [
  /^user "\w+" with the default password \S+; \d+ channel\(s\); raise an alarm input/,
];

export function scanText(text: string): { line: number; text: string }[] {
  const hits: { line: number; text: string }[] = [];
  text.split('\n').forEach((l, i) => {
    if (ALLOWED_LINES.some((a) => a.test(l))) return;
    if (SECRET_PATTERNS.some((p) => p.test(l))) hits.push({ line: i + 1, text: l.slice(0, 300) });
  });
  return hits;
}

export default function setup(): () => void {
  rmSync(LOG_DIR, { recursive: true, force: true });
  return () => {
    if (!existsSync(LOG_DIR)) return;
    const report: { file: string; line: number; text: string }[] = [];
    let lines = 0;
    for (const f of readdirSync(LOG_DIR)) {
      const text = readFileSync(join(LOG_DIR, f), 'utf8');
      lines += text.split('\n').length;
      for (const h of scanText(text)) report.push({ file: f, ...h });
    }
    writeFileSync(join(LOG_DIR, '..', 'secrets-scan.json'), JSON.stringify({ lines, hits: report }, null, 2));
    if (report.length > 0) {
      throw new Error(
        `secrets scan: ${report.length} log line(s) hold a secret:\n${report
          .slice(0, 10)
          .map((h) => `  ${h.file}:${h.line}: ${h.text}`)
          .join('\n')}`,
      );
    }
  };
}

// The parts of the installer page's checks that need only the foundation: certificate expiry from PEM files and
// configuration validation with every problem listed. The NVR, still and button tests come from their own
// services and are combined with these by whoever wires the appliance.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type { CertificateInfo, CheckResult } from '../core/ports/installer-checks.js';

/** Expiry of each PEM certificate; a file that cannot be read is reported with daysLeft 0 rather than thrown. */
export function certificateInfo(files: { name: string; path: string }[], clock: Clock): CertificateInfo[] {
  return files.map(({ name, path }) => {
    try {
      const cert = new X509Certificate(readFileSync(path));
      const expires = new Date(cert.validTo);
      return {
        name,
        subject: cert.subject.replace(/\n/g, ', '),
        expiresAt: expires.toISOString(),
        daysLeft: Math.floor((expires.getTime() - clock.now().getTime()) / 86400_000),
      };
    } catch {
      return { name, subject: 'cannot be read', expiresAt: new Date(0).toISOString(), daysLeft: 0 };
    }
  });
}

/** Validates the configuration file again, as `bcrp-edge config validate` does, one result per problem. */
export function configChecks(file: string): CheckResult[] {
  try {
    const loaded = loadConfigFile(file);
    return [
      { name: 'Configuration file', ok: true, detail: 'valid' },
      ...loaded.warnings.map((w) => ({ name: w.path || 'Configuration', ok: false, detail: w.message })),
    ];
  } catch (e) {
    if (e instanceof ConfigError) {
      return e.problems.map((p) => ({ name: p.path || 'Configuration file', ok: false, detail: p.message }));
    }
    throw e;
  }
}

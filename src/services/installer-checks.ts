// The installer page's checks: certificate expiry from PEM files and configuration validation with every problem
// listed (these need only the foundation), and ApplianceChecks, which adds the recorder, a redacted test still and
// the buttons on a running appliance.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import { AppError, ConfigError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type {
  CertificateInfo,
  CheckResult,
  InstallerChecks,
  SelfTestStepResult,
} from '../core/ports/installer-checks.js';
import type { Redactor } from '../core/ports/redactor.js';
import type { RedactedImage } from '../core/redaction.js';

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

export interface ApplianceChecksDeps {
  /** The recorder's health (undefined: no recorder configured). */
  recorder: (() => Promise<{ state: 'ok' | 'down'; detail: string }>) | undefined;
  /** A live still from a camera (undefined: no recorder configured). */
  snapshot: ((camera: number) => Promise<Buffer>) | undefined;
  redactor: Redactor;
  buttonSources: number;
  certificates: { name: string; path: string }[];
  configFile: string;
  clock: Clock;
  /** The recorder self-test (`bcrp-edge doctor --nvr`); absent where the recorder is not ISAPI. */
  nvrSelfTest?: () => Promise<SelfTestStepResult[]>;
}

/** The installer page's checks on a running appliance: recorder, a redacted test still, buttons, certificates, config. */
export class ApplianceChecks implements InstallerChecks {
  readonly #d: ApplianceChecksDeps;

  readonly nvrSelfTest?: () => Promise<SelfTestStepResult[]>;

  constructor(deps: ApplianceChecksDeps) {
    this.#d = deps;
    if (deps.nvrSelfTest) this.nvrSelfTest = deps.nvrSelfTest;
  }

  async testNvr(): Promise<CheckResult> {
    const r = this.#d.recorder ? await this.#d.recorder() : { state: 'down', detail: 'No recorder configured' };
    return { name: 'Recorder', ok: r.state === 'ok', detail: r.detail };
  }

  async testStill(camera: number): Promise<RedactedImage> {
    if (!this.#d.snapshot) throw new AppError('not-configured', 'No recorder configured.');
    return this.#d.redactor.redact({ image: await this.#d.snapshot(camera) });
  }

  async testButton(): Promise<CheckResult> {
    const n = this.#d.buttonSources;
    return {
      name: 'Button',
      ok: n > 0,
      detail:
        n > 0
          ? `${n} button source(s) configured; press one and watch the incidents list.`
          : 'No button is configured: add one under buttons.sources in the configuration (see docs/hardware.md).',
    };
  }

  async certificates(): Promise<CertificateInfo[]> {
    return certificateInfo(this.#d.certificates, this.#d.clock);
  }

  async validateConfig(): Promise<CheckResult[]> {
    return configChecks(this.#d.configFile);
  }
}

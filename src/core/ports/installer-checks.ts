// Port: the installer page's checks. Each answers in plain English; the test still is a redacted rendering, never
// the camera's raw frame.
import type { RedactedImage } from '../redaction.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CertificateInfo {
  name: string;
  subject: string;
  expiresAt: string;
  daysLeft: number;
}

/** One step of the recorder self-test (`doctor --nvr`): what works, what was worked around, the fix. */
export interface SelfTestStepResult {
  id: string;
  title: string;
  camera?: number;
  status: 'ok' | 'workaround' | 'warn' | 'fail' | 'skip';
  detail: string;
  workaround?: string;
  fix?: string;
}

export interface InstallerChecks {
  /** The recorder self-test, as `bcrp-edge doctor --nvr` runs it; absent where the recorder is not ISAPI. */
  nvrSelfTest?(): Promise<SelfTestStepResult[]>;
  testNvr(): Promise<CheckResult>;
  testStill(camera: number): Promise<RedactedImage>;
  /** Waits a short while for a press of any configured button. */
  testButton(): Promise<CheckResult>;
  certificates(): Promise<CertificateInfo[]>;
  validateConfig(): Promise<CheckResult[]>;
}

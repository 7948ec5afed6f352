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

export interface InstallerChecks {
  testNvr(): Promise<CheckResult>;
  testStill(camera: number): Promise<RedactedImage>;
  /** Waits a short while for a press of any configured button. */
  testButton(): Promise<CheckResult>;
  certificates(): Promise<CertificateInfo[]>;
  validateConfig(): Promise<CheckResult[]>;
}

// Wires the installer page's checks: the NVR self-test (Hikvision only, with the configured password), the
// recorder probe and a snapshot through the redactor, the button count and the certificates' expiry.
import { runNvrSelfTest } from '../adapters/nvr/self-test.js';
import type { Redactor } from '../core/ports/redactor.js';
import { ApplianceChecks } from '../services/installer-checks.js';
import type { RecorderPart } from './recorder-module.js';
import type { Wiring } from './wiring.js';

export function installerChecks(
  w: Wiring,
  p: { recorder: RecorderPart; redactor: Redactor; webCertPath: string | undefined },
): ApplianceChecks {
  const { app, loaded } = w;
  const { config } = app;
  const nvr = config.nvr;
  const nvrPassword = loaded.secrets.nvrPassword;
  return new ApplianceChecks({
    ...(nvr.kind === 'hikvision' && nvrPassword !== undefined
      ? {
          nvrSelfTest: () =>
            runNvrSelfTest({
              isapi: {
                scheme: nvr.scheme,
                host: nvr.host,
                port: nvr.port,
                username: nvr.username,
                password: nvrPassword,
                timeoutMs: nvr.timeoutMs,
                allowBasic: nvr.allowBasicAuth,
                ...(nvr.tlsFingerprint ? { tlsFingerprint: nvr.tlsFingerprint } : {}),
              },
              rtspPort: nvr.rtspPort,
              cameras: nvr.channels.filter((c) => c.enabled).map((c) => c.id),
              alarmInputs: config.buttons.sources.flatMap((b) => (b.kind === 'nvr-io' ? [b.input] : [])),
              clock: app.clock,
              stallMs: Math.min(config.capture.frameTimeoutMs, 10_000),
            }),
        }
      : {}),
    recorder: () => p.recorder.health.probe(),
    snapshot: p.recorder.snapshot,
    redactor: p.redactor,
    buttonSources: config.buttons.sources.length,
    certificates: [
      ...(p.webCertPath ? [{ name: 'Web UI', path: p.webCertPath }] : []),
      ...(config.mqtt.cert ? [{ name: 'Broker client', path: config.mqtt.cert }] : []),
    ],
    configFile: loaded.file,
    clock: app.clock,
  });
}

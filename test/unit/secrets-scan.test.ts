// The end-of-run secrets scan (test/support/secrets-scan.ts) must recognise what it looks for, or a clean
// report would prove nothing.
import { describe, expect, it } from 'vitest';
import { scanText } from '../support/secrets-scan.js';

describe('the log secrets scan', () => {
  it('flags key blocks, credential URLs and the planted test secrets', () => {
    const bad = [
      '-----BEGIN PRIVATE KEY-----',
      '{"msg":"connect rtsp://admin:hunter2@10.0.0.5:554/Streaming/Channels/101"}',
      'mqtts://device:s3cr3t@broker.local:8883',
      'password is Passw0rd!',
      'login staff-password-1',
      'Authorization: Bearer metrics-token-for-tests',
    ];
    expect(scanText(bad.join('\n')).map((h) => h.line)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('lets scrubbed lines and ordinary URLs through', () => {
    const fine = [
      '{"msg":"connect rtsp://[redacted]@10.0.0.5:554/Streaming/Channels/101"}',
      'https://appliance.local:8443/login',
      '{"password":"[redacted]"}',
      'mqtt://127.0.0.1:1883',
    ];
    expect(scanText(fine.join('\n'))).toEqual([]);
  });
});

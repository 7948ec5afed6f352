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
      'nvr: user "admin" with the default password Passw0rd! (anywhere but the emulator banner)',
    ];
    expect(scanText(bad.join('\n')).map((h) => h.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('lets scrubbed lines and ordinary URLs through', () => {
    const fine = [
      '{"msg":"connect rtsp://[redacted]@10.0.0.5:554/Streaming/Channels/101"}',
      'https://appliance.local:8443/login',
      '{"password":"[redacted]"}',
      'mqtt://127.0.0.1:1883',
      // The NVR emulator's banner names its own demo login on purpose.
      'user "admin" with the default password Passw0rd!; 1 channel(s); raise an alarm input with: curl -X POST http://127.0.0.1:1/emulator/io/1',
    ];
    expect(scanText(fine.join('\n'))).toEqual([]);
  });
});

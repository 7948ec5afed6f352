import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { scrubCredentials } from '../../../src/core/secrets.js';
import { createLogger } from '../../../src/observability/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ destination, pretty: false, level: 'debug' }), text: () => lines.join('') };
}

const SECRET = 'Sup3r-S3cret!';

describe('secret scrubbing in text', () => {
  it.each([
    [
      `rtsp://admin:${SECRET}@192.168.1.64:554/Streaming/Channels/101`,
      'rtsp://[redacted]@192.168.1.64:554/Streaming/Channels/101',
    ],
    [`http://admin:${SECRET}@nvr.local/ISAPI/System/deviceInfo`, 'http://[redacted]@nvr.local/ISAPI/System/deviceInfo'],
    [`mqtts://dev:${SECRET}@broker:8883`, 'mqtts://[redacted]@broker:8883'],
    [`GET /x?user=admin&password=${SECRET}&a=1`, 'GET /x?user=admin&password=[redacted]&a=1'],
    [`Authorization: Basic YWRtaW46${SECRET}`, 'Authorization: [redacted]'],
    [
      `authorization: Digest username="admin", realm="x", nonce="abc", response="${SECRET}"`,
      'authorization: [redacted]',
    ],
    [
      `key:\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI${SECRET}\n-----END PRIVATE KEY-----\n`,
      'key:\n-----[redacted] PRIVATE KEY-----\n',
    ],
  ])('removes the credential from %s', (input, expected) => {
    expect(scrubCredentials(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    const t =
      'Capture of camera 2 took 412 ms from rtsp://192.168.1.64:554/Streaming/tracks/201?starttime=20261123T100000Z';
    expect(scrubCredentials(t)).toBe(t);
  });
});

describe('logger', () => {
  it('never writes a password, key, token or credential URL, whatever the caller passes', () => {
    const { log, text } = capture();
    log.info({ nvr: { host: '10.0.0.5', password: SECRET }, token: SECRET, privateKey: SECRET }, 'connecting');
    log.warn({ url: `rtsp://admin:${SECRET}@10.0.0.5/Streaming/Channels/101` }, 'stream stalled');
    log.error({ err: new Error(`ffmpeg failed on rtsp://admin:${SECRET}@10.0.0.5/x`) }, 'capture failed');
    log.info(`opening http://admin:${SECRET}@10.0.0.5/ISAPI`);
    log.debug({ headers: { authorization: `Digest response="${SECRET}"`, cookie: `sid=${SECRET}` } }, 'request');
    log.info({ deep: { a: { b: { c: { passwordFile: '/etc/pw', nvrPassword: SECRET } } } } }, 'nested');
    const out = text();
    expect(out).not.toContain(SECRET);
    expect(out).toContain('10.0.0.5');
    expect(out).toContain('stream stalled');
    expect(out.split('\n').filter(Boolean)).toHaveLength(6);
    for (const line of out.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('keeps non-secret fields readable', () => {
    const { log, text } = capture();
    log.info({ camera: 2, ms: 412, site: 'shop-001' }, 'captured');
    expect(JSON.parse(text())).toMatchObject({ camera: 2, ms: 412, site: 'shop-001', msg: 'captured', level: 30 });
  });
});

// Error paths end to end, each with its own message and never a credential: a garbage-speaking "RTSP" port,
// an unreachable recorder through the capture command, and TLS with a pinned certificate (right and wrong pin).
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import { createServer as createTcp } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grabFrames } from '../../src/adapters/ffmpeg/frame-grabber.js';
import { IsapiClient } from '../../src/adapters/nvr/isapi/client.js';
import { makeSelfSignedSync } from '../../src/adapters/pki/openssl.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { tempDir } from '../support/tmp.js';

const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

async function listen(server: {
  listen: (port: number, host: string, cb: () => void) => unknown;
  address: () => unknown;
  close: () => unknown;
}): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return (server.address() as { port: number }).port;
}

describe('error paths', () => {
  it('a port that answers garbage gives stream-failed with the URL scrubbed', async () => {
    const port = await listen(
      createTcp((s) => {
        s.on('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\nnot rtsp'));
        s.on('error', () => {});
      }),
    );
    const logs: string[] = [];
    const err = await grabFrames({
      url: `rtsp://admin:Garbage-Pw1@127.0.0.1:${port}/Streaming/Channels/101`,
      count: 1,
      stallMs: 8000,
      onLog: (l) => logs.push(l),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'stream-failed' });
    expect((err as Error).message).toMatch(/^ffmpeg could not read the stream: /);
    expect((err as Error).message + logs.join('\n')).not.toContain('Garbage-Pw1');
  });

  it('capture --camera with the recorder down: capture-failed, retry scheduled, trigger and failure audited', async () => {
    const dir = tempDir();
    const dead = await new Promise<number>((resolve) => {
      const s = createTcp().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const config = writeConfig(dir, {
      nvr: {
        port: dead,
        rtspPort: dead,
        passwordFile: join(dir, 'nvr-password'),
        timeoutMs: 1000,
        channels: [{ id: 1, name: 'Till' }],
      },
    });
    const data = join(dir, 'data');
    const r = await runCli([
      'capture',
      '--camera',
      '1',
      '--post',
      '0',
      '--json',
      '--config',
      config,
      '--data-dir',
      data,
    ]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { status: string; reason: string; stills: unknown[] };
    expect(out).toMatchObject({ status: 'capture-failed', stills: [] });
    expect(out.reason).toMatch(/unreachable \(connection refused\)/);
    const audit = await runCli(['audit', 'export', '-o', join(dir, 'a.jsonl'), '--data-dir', data]);
    expect(audit.code).toBe(0);
    const lines = readFileSync(join(dir, 'a.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> });
    expect(lines.map((l) => l.action)).toEqual(['trigger', 'capture-failed']);
    expect(lines[1]?.details['nextTry']).toEqual(expect.any(String));
    expect(r.stdout + r.stderr + JSON.stringify(lines)).not.toContain('Passw0rd!');
  });

  it('https with a pinned certificate: the right pin connects, a wrong pin is refused by name', async () => {
    const dir = tempDir();
    makeSelfSignedSync({
      certFile: join(dir, 'c.pem'),
      keyFile: join(dir, 'k.pem'),
      subject: '/CN=nvr',
      names: ['127.0.0.1'],
      days: 1,
    });
    const cert = readFileSync(join(dir, 'c.pem'));
    const port = await listen(
      createHttps({ key: readFileSync(join(dir, 'k.pem')), cert }, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/xml' }).end('<DeviceInfo><model>TLS</model></DeviceInfo>');
      }),
    );
    const pin = new X509Certificate(cert).fingerprint256;
    expect(pin).toBe(
      createHash('sha256').update(new X509Certificate(cert).raw).digest('hex').toUpperCase().match(/../g)!.join(':'),
    );
    const make = (tlsFingerprint: string) => {
      const c = new IsapiClient({
        scheme: 'https',
        host: '127.0.0.1',
        port,
        username: 'u',
        password: 'p',
        timeoutMs: 3000,
        retries: 0,
        tlsFingerprint,
      });
      closers.push(() => c.close());
      return c;
    };
    expect(await make(pin).getXml('/ISAPI/System/deviceInfo', 'device information')).toContain('TLS');
    const wrong = pin.replace(/^../, pin.startsWith('00') ? '11' : '00');
    const err = await make(wrong)
      .get('/ISAPI/System/deviceInfo', 'device information')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'nvr-unreachable', retryable: false });
    expect((err as Error).message).toContain('its TLS certificate is not the pinned one');
  });
});

// The ISAPI client against the emulator's ISAPI side over real HTTP: digest with MD5 only and SHA-256 only,
// wrong password, unreachable and silent hosts, malformed XML, and the alertStream with IO events and reconnects.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIsapiEmulator } from '../../src/adapters/nvr/emulator/isapi-server.js';
import { testPatternClip } from '../../src/adapters/nvr/emulator/media.js';
import { AlertStreamWatcher } from '../../src/adapters/nvr/isapi/alert-stream.js';
import { IsapiClient } from '../../src/adapters/nvr/isapi/client.js';
import type { DigestAlgorithm } from '../../src/adapters/nvr/isapi/digest.js';
import { HikvisionFrameSource } from '../../src/adapters/nvr/isapi/hikvision-frame-source.js';
import type { AlertEvent } from '../../src/adapters/nvr/isapi/xml.js';
import { parseDeviceInfo, parseInputProxyChannels, parseStreamingChannels } from '../../src/adapters/nvr/isapi/xml.js';
import { isJpeg } from '../support/nvr.js';

const PASSWORD = 'S3cret!pw';
const apps: { close: () => Promise<unknown> }[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
});

async function isapi(algorithms: DigestAlgorithm[], heartbeatMs = 100) {
  const media = await testPatternClip();
  const app = buildIsapiEmulator({
    username: 'bcrp',
    password: PASSWORD,
    algorithms,
    media: [media],
    mediaSeconds: [30],
    rtspBase: () => 'rtsp://127.0.0.1:1',
    heartbeatMs,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  apps.push(app);
  return { app, port: (app.server.address() as AddressInfo).port };
}

function client(port: number, password = PASSWORD, timeoutMs = 3000) {
  const c = new IsapiClient({
    scheme: 'http',
    host: '127.0.0.1',
    port,
    username: 'bcrp',
    password,
    timeoutMs,
    retries: 0,
  });
  apps.push(c);
  return c;
}

async function rawServer(handler: Parameters<typeof createServer>[1]): Promise<{ port: number; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apps.push({ close: () => new Promise((r) => server.close(() => r(undefined)) && server.closeAllConnections()) });
  return { port: (server.address() as AddressInfo).port, server };
}

describe.each([['MD5'], ['SHA-256']] as const)('ISAPI over digest %s only', (alg) => {
  let port: number;
  beforeAll(async () => {
    ({ port } = await isapi([alg]));
  });

  it('reads deviceInfo, channels and a JPEG snapshot', async () => {
    const c = client(port);
    expect(parseDeviceInfo(await c.getXml('/ISAPI/System/deviceInfo', 'device information')).model).toBe(
      'DS-7608NI-EMU',
    );
    expect(parseInputProxyChannels(await c.getXml('/ISAPI/ContentMgmt/InputProxy/channels', 'channels'))).toHaveLength(
      1,
    );
    expect(parseStreamingChannels(await c.getXml('/ISAPI/Streaming/channels', 'streams'))[0]?.id).toBe(1);
    const src = new HikvisionFrameSource(c, {
      host: '127.0.0.1',
      rtspPort: 1,
      username: 'bcrp',
      password: PASSWORD,
      stallMs: 5000,
    });
    const snap = await src.snapshot(1);
    expect(isJpeg(snap.jpeg)).toBe(true);
  });

  it('finds a playbackURI for a recent window and nothing for a camera the NVR lacks', async () => {
    const src = new HikvisionFrameSource(client(port), {
      host: '127.0.0.1',
      rtspPort: 1,
      username: 'bcrp',
      password: PASSWORD,
      stallMs: 5000,
    });
    const to = new Date();
    const uri = await src.search(1, new Date(to.getTime() - 10_000), to);
    expect(uri).toMatch(
      /^rtsp:\/\/127\.0\.0\.1:1\/Streaming\/tracks\/101\/\?starttime=\d{8}T\d{6}Z&endtime=\d{8}T\d{6}Z/,
    );
    await expect(
      src.search(1, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:10Z')),
    ).rejects.toMatchObject({ code: 'nvr-no-recording' });
  });

  it('refuses a wrong password with nvr-auth-failed and never shows the password', async () => {
    const err = await client(port, 'wrong-pass-123')
      .get('/ISAPI/System/deviceInfo', 'device information')
      .catch((e: unknown) => e);
    // Retryable: captures are tried again later, but through the client's login guard (one slow attempt at a time).
    expect(err).toMatchObject({ code: 'nvr-auth-failed', retryable: true, status: 401 });
    expect((err as Error).message).toMatch(/refused user "bcrp" \(wrong user name or password\)/);
    expect((err as Error).message).not.toContain('wrong-pass-123');
  });
});

describe('ISAPI failures', () => {
  it('says a closed port is unreachable (connection refused), quickly', async () => {
    const { port, server } = await rawServer(() => {});
    await new Promise((r) => server.close(r));
    const err = await client(port)
      .get('/ISAPI/System/deviceInfo', 'device information')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'nvr-unreachable' });
    expect((err as Error).message).toContain('connection refused');
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('gives up on a host that never answers after the timeout', async () => {
    const { port } = await rawServer(() => {
      // accept and stay silent
    });
    const err = await client(port, PASSWORD, 600)
      .get('/ISAPI/System/deviceInfo', 'device information')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'nvr-unreachable' });
    expect((err as Error).message).toContain('no answer within 600 ms');
  });

  it('reports malformed XML and a non-JPEG snapshot clearly', async () => {
    const { port } = await rawServer((req, res) => {
      if (req.url?.includes('picture')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
      } else res.writeHead(200, { 'content-type': 'application/xml' }).end('<DeviceInfo><model>x</DeviceInfo>');
    });
    const c = client(port);
    await expect(c.getXml('/ISAPI/System/deviceInfo', 'device information').then(parseDeviceInfo)).rejects.toThrow(
      /not well-formed XML/,
    );
    const src = new HikvisionFrameSource(c, {
      host: '127.0.0.1',
      rtspPort: 1,
      username: 'bcrp',
      password: PASSWORD,
      stallMs: 5000,
    });
    await expect(src.snapshot(1)).rejects.toThrow(/snapshot of camera 1 is not a JPEG \(text\/html\)/);
  });

  it('falls back to the StreamingProxy picture path when the first gives 404', async () => {
    const { port } = await rawServer((req, res) => {
      if (req.url === '/ISAPI/ContentMgmt/StreamingProxy/channels/101/picture')
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
      else res.writeHead(404).end();
    });
    const src = new HikvisionFrameSource(client(port), {
      host: '127.0.0.1',
      rtspPort: 1,
      username: 'bcrp',
      password: PASSWORD,
      stallMs: 5000,
    });
    expect((await src.snapshot(1)).jpeg.length).toBe(4);
  });
});

describe('alertStream', () => {
  it('delivers IO alarm events raised on the emulator, and reconnects after silence', async () => {
    const { app, port } = await isapi(['SHA-256', 'MD5'], 100);
    const events: AlertEvent[] = [];
    const states: string[] = [];
    const w = new AlertStreamWatcher(client(port), {
      silenceMs: 700,
      backoffMs: 50,
      onEvent: (e) => events.push(e),
      onState: (s, why) => states.push(why ? `${s}: ${why}` : s),
    });
    w.start();
    try {
      await waitUntil(() => events.some((e) => e.eventType === 'videoloss'), 5000);
      const res = await fetch(`http://127.0.0.1:${port}/emulator/io/3`, { method: 'POST' });
      expect(res.status).toBe(200);
      await waitUntil(() => events.some((e) => e.eventType === 'IO'), 5000);
      expect(events.find((e) => e.eventType === 'IO')).toMatchObject({ eventState: 'active', inputIOPortID: 3 });
      // Silence while the recorder still answers: the stream is reopened quietly, the state does not flap.
      app.setSilent(true);
      await waitUntil(() => w.quietReopens >= 1, 5000);
      app.setSilent(false);
      expect(states).toEqual(['connected']);
      // The reopened stream delivers events again (raised until one arrives: the reopening takes a moment).
      const before = events.length;
      await waitUntil(() => {
        app.raiseIo(4);
        return events.slice(before).some((e) => e.inputIOPortID === 4);
      }, 5000);
    } finally {
      await w.stop();
    }
  });

  it('keeps retrying with a clear reason while the password is wrong', async () => {
    const { port } = await isapi(['MD5']);
    const states: string[] = [];
    const w = new AlertStreamWatcher(client(port, 'nope'), {
      backoffMs: 20,
      maxBackoffMs: 40,
      onEvent: () => {},
      onState: (s, why) => states.push(`${s}: ${why}`),
    });
    w.start();
    await waitUntil(() => states.length >= 2, 5000);
    await w.stop();
    expect(states[0]).toMatch(/refused user "bcrp"/);
    expect(states.join()).not.toContain('nope');
  });
});

async function waitUntil(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// 5: an ONVIF device behind NAT (or with several interfaces) answers on the configured address but hands out media
// URIs naming one the appliance cannot reach (192.168.68.111 here, as a device simulator does). A small SOAP
// stub written for this test answers the Profile S calls the onvif package makes; snapshot and live frames must
// still arrive, the device's clock must be read, and failures must name both addresses.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameAt, testPatternClip } from '../../src/adapters/nvr/emulator/media.js';
import { OnvifFrameSource } from '../../src/adapters/nvr/onvif/onvif-frame-source.js';
import { emulator, isJpeg } from '../support/nvr.js';

const UNREACHABLE = '192.168.68.111';
const SKEW_MS = -4000;
let server: Server;
let port: number;
let rtspPort: number;
let jpeg: Buffer;
let snapshotBroken = false;
let streamPort = 0;
let noEncoder = false;

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;

const ENCODER =
  '<tt:VideoEncoderConfiguration token="VEC_1"><tt:Name>VEC</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>640</tt:Width><tt:Height>360</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>15</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>1024</tt:BitrateLimit></tt:RateControl></tt:VideoEncoderConfiguration>';

function answer(action: string): { status: number; body: string } {
  const t = new Date(Date.now() + SKEW_MS);
  switch (action) {
    case 'GetSystemDateAndTime':
      return {
        status: 200,
        body: envelope(
          `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime><tt:Time><tt:Hour>${t.getUTCHours()}</tt:Hour><tt:Minute>${t.getUTCMinutes()}</tt:Minute><tt:Second>${t.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${t.getUTCFullYear()}</tt:Year><tt:Month>${t.getUTCMonth() + 1}</tt:Month><tt:Day>${t.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
        ),
      };
    case 'GetCapabilities':
      return {
        status: 200,
        body: envelope(
          `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>http://${UNREACHABLE}/onvif/device_service</tt:XAddr></tt:Device><tt:Media><tt:XAddr>http://${UNREACHABLE}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`,
        ),
      };
    case 'GetProfiles':
      return {
        status: 200,
        body: envelope(
          `<trt:GetProfilesResponse><trt:Profiles token="Profile_1" fixed="true"><tt:Name>mainStream</tt:Name><tt:VideoSourceConfiguration token="VSC_1"><tt:Name>VSC</tt:Name><tt:UseCount>1</tt:UseCount><tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="640" height="360"/></tt:VideoSourceConfiguration>${noEncoder ? '' : ENCODER}</trt:Profiles></trt:GetProfilesResponse>`,
        ),
      };
    case 'GetVideoSources':
      return {
        status: 200,
        body: envelope(
          `<trt:GetVideoSourcesResponse><trt:VideoSources token="VideoSource_1"><tt:Framerate>15</tt:Framerate><tt:Resolution><tt:Width>640</tt:Width><tt:Height>360</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`,
        ),
      };
    case 'GetSnapshotUri':
      return {
        status: 200,
        body: envelope(
          `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>http://${UNREACHABLE}:${port}/onvif/snapshot?channel=1</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`,
        ),
      };
    case 'GetStreamUri':
      return {
        status: 200,
        body: envelope(
          `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://${UNREACHABLE}:${streamPort || rtspPort}/Streaming/Channels/101</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`,
        ),
      };
    default:
      // GetServices and anything else: not implemented (the onvif package falls back to GetCapabilities).
      return {
        status: 500,
        body: envelope(
          '<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Receiver</SOAP-ENV:Value></SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">Optional Action Not Implemented</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault>',
        ),
      };
  }
}

beforeAll(async () => {
  const emu = await emulator();
  rtspPort = emu.rtspPort;
  jpeg = await frameAt(await testPatternClip(), 1);
  server = createServer((req, res) => {
    if (req.url?.startsWith('/onvif/snapshot')) {
      if (snapshotBroken) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
    }
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const action = /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(body)?.[1] ?? '';
      const a = answer(action);
      res.writeHead(a.status, { 'content-type': 'application/soap+xml; charset=utf-8' }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
}, 60_000);
afterAll(() => new Promise((r) => server?.close(r)));

const source = () =>
  new OnvifFrameSource({
    host: '127.0.0.1',
    port,
    username: 'admin',
    password: 'Passw0rd!',
    timeoutMs: 3000,
    stallMs: 8000,
  });

describe('ONVIF media URIs naming an unreachable address', () => {
  it('the snapshot and a live frame arrive through the configured address; the clock offset is read', async () => {
    const src = source();
    const still = await src.snapshot(1);
    expect(isJpeg(still.jpeg)).toBe(true);
    const [live] = await src.live(1, 1, 0);
    expect(isJpeg(live!.jpeg)).toBe(true);
    const clock = await src.recorderClock();
    expect(clock.source).toBe('onvif');
    expect(clock.offsetMs).toBeGreaterThan(SKEW_MS - 1500);
    expect(clock.offsetMs).toBeLessThan(SKEW_MS + 1500);
  });

  it('failures name the address the device gave and the one asked', async () => {
    snapshotBroken = true;
    const snap = await source()
      .snapshot(1)
      .catch((e: unknown) => e);
    snapshotBroken = false;
    expect((snap as Error).message).toMatch(
      new RegExp(
        `snapshot URI named ${UNREACHABLE.replace(/\./g, '\\.')}, which the appliance cannot reach, so 127\\.0\\.0\\.1:${port} was asked instead`,
      ),
    );
    streamPort = 1; // nothing listens there
    const live = await source()
      .live(1, 1, 0)
      .catch((e: unknown) => e);
    streamPort = 0;
    expect((live as Error).message).toMatch(
      /live stream of camera 1 at 127\.0\.0\.1:1 \(the recorder named 192\.168\.68\.111/,
    );
    expect((live as Error).message).not.toContain('Passw0rd!');
  });

  it('a profile without a video encoder does not crash the process: the still still arrives', async () => {
    noEncoder = true;
    try {
      expect(isJpeg((await source().snapshot(1)).jpeg)).toBe(true);
    } finally {
      noEncoder = false;
    }
  });
});

// `bcrp-edge discover` on loopback: a WS-Discovery responder answers the probe with an XAddr on the emulator's
// ISAPI side, and discover reports it with "ISAPI on (login needed)". Nothing leaves 127.0.0.1.
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIsapiEmulator } from '../../src/adapters/nvr/emulator/isapi-server.js';
import { parseProbeMatch, probeXml } from '../../src/adapters/nvr/onvif/discovery.js';
import { runCli } from '../support/cli.js';

const match = (xaddr: string) =>
  `<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/HIKVISION_NVR onvif://www.onvif.org/hardware/DS-7608NI-K2</d:Scopes><d:XAddrs>${xaddr}</d:XAddrs></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`;

describe('discover', () => {
  const closers: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of closers) await c();
  });

  it('parses a ProbeMatch and ignores other XML', () => {
    expect(parseProbeMatch(match('http://10.0.0.5/onvif/device_service'))).toEqual({
      xaddrs: ['http://10.0.0.5/onvif/device_service'],
      name: 'HIKVISION NVR',
      hardware: 'DS-7608NI-K2',
    });
    expect(parseProbeMatch(probeXml())).toBeUndefined();
    expect(parseProbeMatch('<<<')).toBeUndefined();
  });

  it('lists a responding recorder and whether ISAPI answers, probing only from the named interface', async () => {
    const app = buildIsapiEmulator({
      username: 'admin',
      password: 'x',
      media: [],
      mediaSeconds: [],
      rtspBase: () => '',
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => app.close());
    const isapiPort = (app.server.address() as AddressInfo).port;
    const responder = createSocket('udp4');
    const probes: string[] = [];
    responder.on('message', (msg, rinfo) => {
      probes.push(`${rinfo.address}`);
      if (msg.toString().includes('Probe'))
        responder.send(
          Buffer.from(match(`http://127.0.0.1:${isapiPort}/onvif/device_service`)),
          rinfo.port,
          rinfo.address,
        );
    });
    await new Promise<void>((r) => responder.bind(0, '127.0.0.1', r));
    closers.push(() => {
      responder.close();
    });
    const port = (responder.address() as AddressInfo).port;
    const r = await runCli([
      'discover',
      '--interface',
      'lo',
      '--target',
      `127.0.0.1:${port}`,
      '--timeout',
      '400',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { devices: { address: string; hardware: string; isapi: string }[] };
    expect(out.devices).toEqual([
      expect.objectContaining({ address: '127.0.0.1', hardware: 'DS-7608NI-K2', isapi: 'login' }),
    ]);
    expect(new Set(probes)).toEqual(new Set(['127.0.0.1'])); // the probe came from the loopback address only
  });

  it('needs a named interface and says which exist', async () => {
    expect((await runCli(['discover'])).stderr).toMatch(/name the shop-LAN interface/);
    const r = await runCli(['discover', '--interface', 'nope0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no IPv4 interface named "nope0" \(this machine has: .*lo/);
  });
});

// WS-Discovery for `bcrp-edge discover`: one Probe sent only from the LAN interface the installer names (the
// socket is bound to that interface's address and multicast leaves through it), ProbeMatches collected for a
// bounded time, and each device asked whether ISAPI answers. node-onvif's startProbe binds every interface and
// cannot be limited to one, which the appliance must not do, so the probe is sent here and only parsed alike.
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { XMLParser } from 'fast-xml-parser';
import { UsageError } from '../../../core/errors.js';
import { isDeviceInfo } from '../isapi/xml.js';

export interface DiscoveredDevice {
  address: string;
  xaddrs: string[];
  name: string | undefined;
  hardware: string | undefined;
  /** 'yes' (answers without login), 'login' (answers 401 with digest: ISAPI is on), 'no', or 'unknown'. */
  isapi: 'yes' | 'login' | 'no' | 'unknown';
}

export interface DiscoverOptions {
  interfaceName: string;
  timeoutMs: number;
  /** Send the probe to this host:port instead of the multicast group (tests, or one known device). */
  target?: { host: string; port: number };
}

const MULTICAST = '239.255.255.250';
const WS_PORT = 3702;
const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false, ignoreAttributes: true });

export function interfaceAddress(name: string): string {
  const nets = networkInterfaces();
  const v4 = nets[name]?.find((a) => a.family === 'IPv4');
  if (!v4) {
    const names = Object.keys(nets).join(', ');
    throw new UsageError(`no IPv4 interface named "${name}" (this machine has: ${names})`);
  }
  return v4.address;
}

export function probeXml(id = randomUUID()): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action><a:MessageID>uuid:${id}</a:MessageID><a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header><s:Body><Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery"><d:Types xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dp0="http://www.onvif.org/ver10/network/wsdl">dp0:NetworkVideoTransmitter</d:Types></Probe></s:Body></s:Envelope>`;
}

/** Reads a ProbeMatches envelope; undefined for anything else. */
export function parseProbeMatch(xml: string): Omit<DiscoveredDevice, 'address' | 'isapi'> | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const body = (doc['Envelope'] as Record<string, unknown> | undefined)?.['Body'] as
    | Record<string, unknown>
    | undefined;
  const pm = (body?.['ProbeMatches'] as Record<string, unknown> | undefined)?.['ProbeMatch'];
  const match = (Array.isArray(pm) ? pm[0] : pm) as Record<string, unknown> | undefined;
  if (!match) return undefined;
  const xaddrs = String(match['XAddrs'] ?? '')
    .split(/\s+/)
    .filter(Boolean);
  const scopes = String(match['Scopes'] ?? '').split(/\s+/);
  const scope = (k: string) => {
    const s = scopes.find((x) => x.startsWith(`onvif://www.onvif.org/${k}/`));
    return s ? decodeURIComponent(s.split('/').pop() ?? '').replace(/_/g, ' ') : undefined;
  };
  if (xaddrs.length === 0) return undefined;
  return { xaddrs, name: scope('name'), hardware: scope('hardware') };
}

/**
 * Asks http://host[:port]/ISAPI/System/deviceInfo without credentials: 401 + Digest means ISAPI is on; a 200
 * counts only when it is a DeviceInfo document (many web servers answer 200 with a page for any path).
 */
export async function isapiAnswers(xaddr: string, timeoutMs: number): Promise<DiscoveredDevice['isapi']> {
  try {
    const u = new URL(xaddr);
    const res = await fetch(`${u.protocol}//${u.host}/ISAPI/System/deviceInfo`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text().catch(() => '');
    if (res.status === 200) return isDeviceInfo(body.slice(0, 65536)) ? 'yes' : 'no';
    if (res.status === 401 && /digest/i.test(res.headers.get('www-authenticate') ?? '')) return 'login';
    return 'no';
  } catch {
    return 'unknown';
  }
}

export async function discover(o: DiscoverOptions): Promise<DiscoveredDevice[]> {
  const local = interfaceAddress(o.interfaceName);
  const sock = createSocket({ type: 'udp4', reuseAddr: false });
  const found = new Map<string, Omit<DiscoveredDevice, 'isapi'>>();
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, local, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  try {
    if (!o.target) sock.setMulticastInterface(local);
    sock.on('message', (msg, rinfo) => {
      const m = parseProbeMatch(msg.toString('utf8'));
      if (m && !found.has(m.xaddrs[0]!)) found.set(m.xaddrs[0]!, { ...m, address: rinfo.address });
    });
    const probe = Buffer.from(probeXml());
    const host = o.target?.host ?? MULTICAST;
    const port = o.target?.port ?? WS_PORT;
    // WS-Discovery runs over UDP: send twice in case the first is lost.
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((r) => sock.send(probe, port, host, () => r()));
      await new Promise((r) => setTimeout(r, Math.min(200, o.timeoutMs / 4)));
    }
    await new Promise((r) => setTimeout(r, o.timeoutMs));
  } finally {
    sock.close();
  }
  return Promise.all(
    [...found.values()].map(async (d) => ({
      ...d,
      isapi: await isapiAnswers(d.xaddrs[0]!, Math.min(3000, o.timeoutMs)),
    })),
  );
}

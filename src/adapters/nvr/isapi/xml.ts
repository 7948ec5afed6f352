// ISAPI XML bodies parsed with fast-xml-parser into typed objects. Namespaces are dropped (firmware differs in
// the ones it sends) and every field is read as text first, so a missing or odd field gives a clear error here
// rather than an undefined deeper in the capture path.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NvrError } from '../../../core/nvr-errors.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['InputProxyChannel', 'StreamingChannel', 'searchMatchItem'].includes(name),
});

type Node = Record<string, unknown>;

/** Parses `xml` and returns its root element named `root`, or throws nvr-bad-response naming what is wrong. */
export function parseRoot(xml: string, root: string, what: string): Node {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new NvrError(
      'nvr-bad-response',
      `the NVR's ${what} is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`,
      { retryable: false },
    );
  }
  const doc = parser.parse(xml) as Node;
  const node = doc[root] === '' ? {} : doc[root];
  if (node === undefined || node === null || typeof node !== 'object') {
    const got = Object.keys(doc).find((k) => !k.startsWith('?')) ?? 'nothing';
    throw new NvrError('nvr-bad-response', `the NVR's ${what} should be <${root}> but is <${got}>`, {
      retryable: false,
    });
  }
  return node as Node;
}

function text(n: Node | undefined, key: string): string | undefined {
  const v = n?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const t = (v as Node)['#text'];
    return t === undefined ? undefined : String(t);
  }
  return String(v);
}

function need(n: Node, key: string, what: string): string {
  const v = text(n, key);
  if (v === undefined || v === '') {
    throw new NvrError('nvr-bad-response', `the NVR's ${what} has no <${key}>`, { retryable: false });
  }
  return v;
}

function children(n: Node | undefined, key: string): Node[] {
  const v = n?.[key];
  if (v === undefined || v === null || v === '') return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is Node => typeof x === 'object' && x !== null);
}

export interface DeviceInfo {
  deviceName: string;
  model: string;
  serialNumber: string;
  firmwareVersion: string;
  deviceType: string | undefined;
}

export function parseDeviceInfo(xml: string): DeviceInfo {
  const n = parseRoot(xml, 'DeviceInfo', 'device information');
  return {
    deviceName: text(n, 'deviceName') ?? '',
    model: need(n, 'model', 'device information'),
    serialNumber: text(n, 'serialNumber') ?? '',
    firmwareVersion: text(n, 'firmwareVersion') ?? '',
    deviceType: text(n, 'deviceType'),
  };
}

export interface ChannelInfo {
  /** Camera number (1 = D1). */
  id: number;
  name: string;
  online: boolean | undefined;
}

/** `/ISAPI/ContentMgmt/InputProxy/channels` (NVR inputs). */
export function parseInputProxyChannels(xml: string): ChannelInfo[] {
  const n = parseRoot(xml, 'InputProxyChannelList', 'channel list');
  return children(n, 'InputProxyChannel').map((c) => ({
    id: Number(need(c, 'id', 'channel list')),
    name: text(c, 'name') ?? '',
    online: undefined,
  }));
}

/** `/ISAPI/Streaming/channels` (streams 101, 102, 201 …); folded to one entry per camera. */
export function parseStreamingChannels(xml: string): ChannelInfo[] {
  const n = parseRoot(xml, 'StreamingChannelList', 'streaming channel list');
  const cams = new Map<number, ChannelInfo>();
  for (const c of children(n, 'StreamingChannel')) {
    const id = Number(need(c, 'id', 'streaming channel list'));
    const cam = Math.floor(id / 100);
    if (!cams.has(cam)) {
      cams.set(cam, { id: cam, name: text(c, 'channelName') ?? '', online: text(c, 'enabled') !== 'false' });
    }
  }
  return [...cams.values()];
}

export interface SearchMatch {
  trackId: number;
  startTime: string;
  endTime: string;
  playbackURI: string;
}

export interface SearchResult {
  status: string;
  more: boolean;
  matches: SearchMatch[];
}

export function parseSearchResult(xml: string): SearchResult {
  const what = 'recording search result';
  const n = parseRoot(xml, 'CMSearchResult', what);
  const status = text(n, 'responseStatusStrg') ?? '';
  const list = n['matchList'] as Node | undefined;
  const matches = children(typeof list === 'object' ? list : undefined, 'searchMatchItem').map((m) => {
    const span = m['timeSpan'] as Node | undefined;
    const seg = m['mediaSegmentDescriptor'] as Node | undefined;
    if (!span || !seg) throw new NvrError('nvr-bad-response', `a match in the NVR's ${what} lacks its time span`);
    return {
      trackId: Number(text(m, 'trackID') ?? text(seg, 'trackID') ?? '0'),
      startTime: need(span, 'startTime', what),
      endTime: need(span, 'endTime', what),
      playbackURI: need(seg, 'playbackURI', what),
    };
  });
  return { status, more: status === 'MORE', matches };
}

export interface AlertEvent {
  eventType: string;
  eventState: 'active' | 'inactive';
  dateTime: string | undefined;
  /** IO alarm input number, for eventType IO. */
  inputIOPortID: number | undefined;
  channelID: number | undefined;
  activePostCount: number | undefined;
  eventDescription: string | undefined;
}

export function parseAlert(xml: string): AlertEvent {
  const what = 'event notification';
  const n = parseRoot(xml, 'EventNotificationAlert', what);
  const state = need(n, 'eventState', what);
  if (state !== 'active' && state !== 'inactive') {
    throw new NvrError('nvr-bad-response', `the NVR's ${what} has eventState "${state.slice(0, 20)}"`);
  }
  const num = (k: string) => {
    const v = text(n, k);
    return v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);
  };
  return {
    eventType: need(n, 'eventType', what),
    eventState: state,
    dateTime: text(n, 'dateTime'),
    inputIOPortID: num('inputIOPortID') ?? num('dynInputIOPortID'),
    channelID: num('channelID') ?? num('dynChannelID'),
    activePostCount: num('activePostCount'),
    eventDescription: text(n, 'eventDescription'),
  };
}

const esc = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Hikvision time form used in CMSearch and playback URIs: 2026-11-23T10:00:00Z. */
export const isoSeconds = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

export function searchRequestXml(args: {
  searchId: string;
  trackId: number;
  from: Date;
  to: Date;
  max?: number;
}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<CMSearchDescription version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<searchID>${esc(args.searchId)}</searchID>
<trackList><trackID>${args.trackId}</trackID></trackList>
<timeSpanList><timeSpan><startTime>${isoSeconds(args.from)}</startTime><endTime>${isoSeconds(args.to)}</endTime></timeSpan></timeSpanList>
<maxResults>${args.max ?? 40}</maxResults>
<searchResultPostion>0</searchResultPostion>
<metadataList><metadataDescriptor>//recordType.meta.std-cgi.com</metadataDescriptor></metadataList>
</CMSearchDescription>`;
}

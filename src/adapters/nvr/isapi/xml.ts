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

/** A `<ResponseStatus>` answer (errors, and some firmware's 200 answers that carry no picture). */
export interface ResponseStatus {
  statusCode: string;
  statusString: string;
  subStatusCode: string;
}

/** Reads a ResponseStatus body; undefined for anything else (never throws: it classifies error answers). */
export function parseResponseStatus(xml: string): ResponseStatus | undefined {
  if (!/<(?:\w+:)?ResponseStatus\b/.test(xml)) return undefined;
  try {
    const n = parseRoot(xml, 'ResponseStatus', 'answer');
    return {
      statusCode: text(n, 'statusCode') ?? '',
      statusString: text(n, 'statusString') ?? '',
      subStatusCode: text(n, 'subStatusCode') ?? '',
    };
  } catch {
    return undefined;
  }
}

/**
 * The body of a refused login. Locked-out firmware answers 401 with a `<userCheck>` (or ResponseStatus) naming
 * the lock: `<lockStatus>lock</lockStatus>` and `<unlockTime>` seconds, or subStatusCode `userLocked`.
 */
export function parseLoginRefusal(xml: string): { locked: boolean; unlockSeconds: number | undefined } | undefined {
  if (!xml.includes('<')) return undefined;
  const lock = /<(?:\w+:)?lockStatus>\s*(\w+)\s*</.exec(xml)?.[1];
  const unlock = /<(?:\w+:)?unlockTime>\s*(\d+)\s*</.exec(xml)?.[1];
  const sub = parseResponseStatus(xml)?.subStatusCode;
  const locked = lock === 'lock' || /userLocked|lock/i.test(sub ?? '');
  if (!lock && !sub) return undefined;
  return { locked, unlockSeconds: unlock !== undefined ? Number(unlock) : undefined };
}

/** True when `xml` is a Hikvision DeviceInfo document with a model (not a web server's 200 page). */
export function isDeviceInfo(xml: string): boolean {
  try {
    parseDeviceInfo(xml);
    return true;
  } catch {
    return false;
  }
}

export interface RecorderTime {
  /** The recorder's clock as a UTC instant. */
  utc: Date;
  timeMode: string;
  /** As sent: "+08:00" in localTime, or a POSIX string such as "CST-8:00:00" or "GMT0BST,M3.5.0/1,M10.5.0". */
  timeZone: string;
}

/**
 * `/ISAPI/System/time`. localTime carries its offset on most firmware; where it does not, the POSIX TZ string in
 * timeZone gives it (note POSIX signs are inverted: "CST-8" is UTC+8), with its daylight-saving rule.
 */
export function parseSystemTime(xml: string): RecorderTime {
  const what = 'clock';
  const n = parseRoot(xml, 'Time', what);
  const local = need(n, 'localTime', what);
  const timeZone = text(n, 'timeZone') ?? '';
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(local.trim());
  if (!m) throw new NvrError('nvr-bad-response', `the NVR's clock reads "${local.slice(0, 40)}", not a time`);
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  let utc: number;
  if (m[7]) {
    const z = m[7];
    const off = z === 'Z' ? 0 : (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(-2))) * 60_000;
    utc = wall - off;
  } else {
    const tz = parsePosixTz(timeZone);
    if (!tz) {
      throw new NvrError(
        'nvr-bad-response',
        `the NVR's clock has no time zone in localTime and its timeZone "${timeZone.slice(0, 40)}" cannot be read`,
      );
    }
    utc = wall - posixOffsetMs(tz, wall);
  }
  return { utc: new Date(utc), timeMode: text(n, 'timeMode') ?? '', timeZone };
}

interface PosixRule {
  month: number;
  week: number;
  day: number;
  /** Seconds after local midnight. */
  at: number;
}

export interface PosixTz {
  /** Offset east of UTC in ms (POSIX's sign inverted). */
  stdMs: number;
  dst: { offsetMs: number; start: PosixRule; end: PosixRule } | undefined;
}

const posixSeconds = (t: string) => {
  const [h = '0', mi = '0', se = '0'] = t.replace(/^[+-]/, '').split(':');
  return (t.startsWith('-') ? -1 : 1) * (Number(h) * 3600 + Number(mi) * 60 + Number(se));
};

/** "CST-8:00:00", "GMT0BST,M3.5.0/1,M10.5.0", "<+03>-3"; undefined when not a POSIX TZ string. */
export function parsePosixTz(s: string): PosixTz | undefined {
  const m =
    /^\s*(?:<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})(?:(?:<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})?(?:,M(\d+)\.(\d)\.(\d)(?:\/([+-]?\d+(?::\d{2}){0,2}))?,M(\d+)\.(\d)\.(\d)(?:\/([+-]?\d+(?::\d{2}){0,2}))?)?)?\s*$/.exec(
      s,
    );
  if (!m) return undefined;
  const stdMs = -posixSeconds(m[1]!) * 1000;
  if (!m[3] && !m[2]) return { stdMs, dst: undefined };
  const dstMs = m[2] !== undefined ? -posixSeconds(m[2]) * 1000 : stdMs + 3_600_000;
  if (!m[3]) return { stdMs, dst: undefined }; // a DST name without a rule: no way to know when, stay on standard
  const rule = (mo: string, w: string, d: string, t: string | undefined): PosixRule => ({
    month: Number(mo),
    week: Number(w),
    day: Number(d),
    at: t === undefined ? 7200 : posixSeconds(t),
  });
  return {
    stdMs,
    dst: { offsetMs: dstMs, start: rule(m[3], m[4]!, m[5]!, m[6]), end: rule(m[7]!, m[8]!, m[9]!, m[10]) },
  };
}

/** Local wall-clock ms (as if UTC) of a rule's moment in `year`. */
function ruleWall(r: PosixRule, year: number): number {
  const first = new Date(Date.UTC(year, r.month - 1, 1));
  let day = 1 + ((r.day - first.getUTCDay() + 7) % 7) + (r.week - 1) * 7;
  const dim = new Date(Date.UTC(year, r.month, 0)).getUTCDate();
  while (day > dim) day -= 7; // week 5 = the last such weekday
  return Date.UTC(year, r.month - 1, day) + r.at * 1000;
}

/** The offset (ms east of UTC) in force at local wall-clock time `wallMs` (ms as if the local time were UTC). */
export function posixOffsetMs(tz: PosixTz, wallMs: number): number {
  if (!tz.dst) return tz.stdMs;
  const y = new Date(wallMs).getUTCFullYear();
  // Each rule's time is in the wall time in force when it happens (standard at the start, daylight at the end),
  // which is what a wall-clock reading is compared against.
  const start = ruleWall(tz.dst.start, y);
  const end = ruleWall(tz.dst.end, y);
  const inDst = start < end ? wallMs >= start && wallMs < end : wallMs >= start || wallMs < end;
  return inDst ? tz.dst.offsetMs : tz.stdMs;
}

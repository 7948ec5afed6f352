// Device answers seen in the field, written here from the documented behaviour: ResponseStatus errors, a locked
// user's 401 body, web pages posing as deviceInfo, clocks given as POSIX zones, alert parts with empty elements
// (fed byte by byte), and ONVIF media URIs naming an address the appliance cannot reach.
import { describe, expect, it } from 'vitest';
import { MultipartStreamParser } from '../../../src/adapters/nvr/isapi/multipart.js';
import {
  isDeviceInfo,
  parseAlert,
  parseLoginRefusal,
  parsePosixTz,
  parseResponseStatus,
  parseSystemTime,
  posixOffsetMs,
} from '../../../src/adapters/nvr/isapi/xml.js';
import { reachableMediaUri } from '../../../src/adapters/nvr/onvif/onvif-frame-source.js';

const NS = 'xmlns="http://www.hikvision.com/ver20/XMLSchema"';

describe('ResponseStatus and refused logins', () => {
  it('reads badXmlContent from a 400 answer, and nothing from other documents', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="2.0" ${NS}>\n<requestURL>/ISAPI/Streaming/channels/101/picture</requestURL>\n<statusCode>6</statusCode>\n<statusString>Invalid XML Content</statusString>\n<subStatusCode>badXmlContent</subStatusCode>\n</ResponseStatus>`;
    expect(parseResponseStatus(xml)).toEqual({
      statusCode: '6',
      statusString: 'Invalid XML Content',
      subStatusCode: 'badXmlContent',
    });
    expect(parseResponseStatus('<DeviceInfo><model>x</model></DeviceInfo>')).toBeUndefined();
    expect(parseResponseStatus('\xff\xd8 jpeg bytes')).toBeUndefined();
  });

  it('tells a locked user from a wrong password', () => {
    const locked = `<?xml version="1.0" encoding="UTF-8"?><userCheck version="2.0" ${NS}><statusValue>401</statusValue><statusString>Unauthorized</statusString><lockStatus>lock</lockStatus><unlockTime>1687</unlockTime><retryLoginTime>0</retryLoginTime></userCheck>`;
    const unlocked = locked.replace('>lock<', '>unlock<').replace('1687', '0');
    expect(parseLoginRefusal(locked)).toEqual({ locked: true, unlockSeconds: 1687 });
    expect(parseLoginRefusal(unlocked)).toEqual({ locked: false, unlockSeconds: 0 });
    expect(parseLoginRefusal('')).toBeUndefined();
  });
});

describe('DeviceInfo or not', () => {
  it('accepts a DeviceInfo with a model and refuses web pages and other XML', () => {
    expect(
      isDeviceInfo(
        `<?xml version="1.0"?><DeviceInfo ${NS}><deviceName>NVR</deviceName><model>DS-7608NXI-K2</model><firmwareVersion>V4.62.210</firmwareVersion></DeviceInfo>`,
      ),
    ).toBe(true);
    expect(isDeviceInfo('<!DOCTYPE html><html><body>Login</body></html>')).toBe(false);
    expect(isDeviceInfo('<html><head><title>Web Service</title></head></html>')).toBe(false);
    expect(isDeviceInfo(`<ResponseStatus ${NS}><statusCode>4</statusCode></ResponseStatus>`)).toBe(false);
    expect(isDeviceInfo(`<DeviceInfo ${NS}><deviceName>no model</deviceName></DeviceInfo>`)).toBe(false);
  });
});

describe('the recorder clock', () => {
  const time = (local: string, zone: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><Time version="2.0" ${NS}><timeMode>NTP</timeMode><localTime>${local}</localTime><timeZone>${zone}</timeZone></Time>`;

  it('uses the offset in localTime when there is one', () => {
    expect(parseSystemTime(time('2026-11-23T18:00:05+08:00', 'CST-8:00:00')).utc.toISOString()).toBe(
      '2026-11-23T10:00:05.000Z',
    );
    expect(parseSystemTime(time('2026-11-23T10:00:05Z', 'UTC0')).utc.toISOString()).toBe('2026-11-23T10:00:05.000Z');
  });

  it('reads POSIX zones (signs inverted) with their daylight-saving rules when localTime has no offset', () => {
    expect(parseSystemTime(time('2026-11-23T18:00:05', 'CST-8:00:00')).utc.toISOString()).toBe(
      '2026-11-23T10:00:05.000Z',
    );
    // Central Europe: CET (UTC+1) in winter, CEST (UTC+2) from the last Sunday of March to the last of October.
    const cet = 'CET-1CEST,M3.5.0,M10.5.0/3';
    expect(parseSystemTime(time('2026-01-15T12:00:00', cet)).utc.toISOString()).toBe('2026-01-15T11:00:00.000Z');
    expect(parseSystemTime(time('2026-07-15T12:00:00', cet)).utc.toISOString()).toBe('2026-07-15T10:00:00.000Z');
    // The UK: GMT, BST from 01:00 on the last Sunday of March (2026-03-29).
    const uk = 'GMT0BST,M3.5.0/1,M10.5.0';
    expect(parseSystemTime(time('2026-03-29T00:30:00', uk)).utc.toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(parseSystemTime(time('2026-03-29T03:00:00', uk)).utc.toISOString()).toBe('2026-03-29T02:00:00.000Z');
    // Southern hemisphere: daylight time spans the new year.
    const au = parsePosixTz('AEST-10AEDT,M10.1.0,M4.1.0/3')!;
    expect(posixOffsetMs(au, Date.UTC(2026, 0, 10, 12))).toBe(11 * 3_600_000);
    expect(posixOffsetMs(au, Date.UTC(2026, 6, 10, 12))).toBe(10 * 3_600_000);
    expect(parsePosixTz('<+03>-3')).toEqual({ stdMs: 3 * 3_600_000, dst: undefined });
  });

  it('refuses a clock it cannot place, naming what it got', () => {
    expect(() => parseSystemTime(time('2026-11-23T18:00:05', 'somewhere'))).toThrow(
      /timeZone "somewhere" cannot be read/,
    );
    expect(() => parseSystemTime(time('yesterday', 'UTC0'))).toThrow(/clock reads "yesterday", not a time/);
  });
});

describe('alert parts with empty elements', () => {
  it('parse to events, also when the stream arrives one byte at a time', () => {
    const xml = `<EventNotificationAlert version="2.0" ${NS}><ipAddress>10.0.0.2</ipAddress><ipv6Address/><portNo>80</portNo><protocol>HTTP</protocol><macAddress>00:00:00:00:00:00</macAddress><channelID>1</channelID><channelName/><dateTime>2026-11-23T10:00:00+00:00</dateTime><activePostCount/><eventType>IO</eventType><eventState>active</eventState><eventDescription/><inputIOPortID>2</inputIOPortID></EventNotificationAlert>`;
    const stream = Buffer.from(
      `--MIME_boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}\r\n--MIME_boundary\r\n`,
    );
    const parts: string[] = [];
    const p = new MultipartStreamParser((part) => parts.push(part.body.toString('utf8')));
    for (const byte of stream) p.push(Buffer.from([byte]));
    expect(parts).toHaveLength(1);
    expect(parseAlert(parts[0]!)).toEqual({
      eventType: 'IO',
      eventState: 'active',
      dateTime: '2026-11-23T10:00:00+00:00',
      inputIOPortID: 2,
      channelID: 1,
      activePostCount: undefined,
      eventDescription: '',
    });
  });
});

describe('ONVIF media URIs', () => {
  it('point an unreachable address at the configured one, keeping port, path and query', () => {
    expect(
      reachableMediaUri('rtsp://192.168.68.111:554/Streaming/Channels/101?transportmode=unicast', '10.1.2.3'),
    ).toEqual({
      uri: 'rtsp://10.1.2.3:554/Streaming/Channels/101?transportmode=unicast',
      rewrittenFrom: '192.168.68.111',
    });
    expect(reachableMediaUri('http://192.168.68.111/onvif/snapshot?token=a', 'nvr.shop.lan')).toEqual({
      uri: 'http://nvr.shop.lan/onvif/snapshot?token=a',
      rewrittenFrom: '192.168.68.111',
    });
    expect(reachableMediaUri('rtsp://10.1.2.3:8554/live', '10.1.2.3')).toEqual({ uri: 'rtsp://10.1.2.3:8554/live' });
    expect(() => reachableMediaUri('not a uri', '10.1.2.3')).toThrow(/not a URL/);
  });
});

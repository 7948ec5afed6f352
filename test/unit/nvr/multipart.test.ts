// alertStream parsing with the shapes recorders send: Content-Length parts, split chunks, boundaries that do
// not match the declared one, bare LF line ends, parts without headers, picture parts, and garbage.
import { describe, expect, it } from 'vitest';
import { type MultipartPart, MultipartStreamParser } from '../../../src/adapters/nvr/isapi/multipart.js';
import { parseAlert } from '../../../src/adapters/nvr/isapi/xml.js';

const alert = (type: string, state: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">\r\n<ipAddress>10.0.0.5</ipAddress>\r\n<portNo>80</portNo>\r\n<protocol>HTTP</protocol>\r\n${extra}<dateTime>2026-11-23T10:15:02+00:00</dateTime>\r\n<activePostCount>1</activePostCount>\r\n<eventType>${type}</eventType>\r\n<eventState>${state}</eventState>\r\n<eventDescription>${type} alarm</eventDescription>\r\n</EventNotificationAlert>\r\n`;

const part = (xml: string, boundary = '--boundary', nl = '\r\n') =>
  `${boundary}${nl}Content-Type: application/xml; charset="UTF-8"${nl}Content-Length: ${Buffer.byteLength(xml)}${nl}${nl}${xml}`;

const heartbeat = alert('videoloss', 'inactive', '<channelID>1</channelID>\r\n');
const io = alert('IO', 'active', '<inputIOPortID>2</inputIOPortID>\r\n');

function feed(chunks: (string | Buffer)[]) {
  const parts: MultipartPart[] = [];
  const garbage: string[] = [];
  const p = new MultipartStreamParser(
    (x) => parts.push(x),
    (g) => garbage.push(g),
  );
  for (const c of chunks) p.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  return {
    parts,
    garbage,
    events: parts.filter((x) => /xml/.test(x.contentType)).map((x) => parseAlert(x.body.toString('utf8'))),
  };
}

describe('alertStream multipart parser', () => {
  it('reads heartbeats and an IO alarm from a well-formed stream', () => {
    const { events } = feed([part(heartbeat), part(io), part(heartbeat)]);
    expect(events.map((e) => `${e.eventType}/${e.eventState}`)).toEqual([
      'videoloss/inactive',
      'IO/active',
      'videoloss/inactive',
    ]);
    expect(events[1]).toMatchObject({ inputIOPortID: 2, dateTime: '2026-11-23T10:15:02+00:00', activePostCount: 1 });
    expect(events[0]?.channelID).toBe(1);
  });

  it('gives the same events whatever the chunking, down to one byte at a time', () => {
    const whole = Buffer.from(part(heartbeat) + part(io), 'latin1');
    const bytes = [...whole].map((b) => Buffer.from([b]));
    expect(feed(bytes).events.map((e) => e.eventType)).toEqual(['videoloss', 'IO']);
    const mid = Math.floor(whole.length / 2) + 3;
    expect(feed([whole.subarray(0, mid), whole.subarray(mid)]).events).toHaveLength(2);
  });

  it('does not rely on the declared boundary: other delimiters, none at all, or bare LF', () => {
    expect(feed([part(heartbeat, '--MIME_boundary'), part(io, '--MIME_boundary')]).events).toHaveLength(2);
    expect(feed([part(io, '')]).events[0]?.inputIOPortID).toBe(2);
    expect(feed([part(io, '--boundary', '\n')]).events[0]?.eventType).toBe('IO');
  });

  it('reads a part without Content-Length up to the end of its XML, and a body with no headers at all', () => {
    const noLen = `--boundary\r\nContent-Type: application/xml\r\n\r\n${io}--boundary\r\n`;
    expect(feed([noLen]).events[0]?.eventType).toBe('IO');
    expect(feed([`--boundary\r\n${io}`]).events[0]?.inputIOPortID).toBe(2);
  });

  it('passes picture parts through as non-XML and keeps going', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x0d, 0x0a, 0x0d, 0x0a, 0xff, 0xd9]);
    const pic = Buffer.concat([
      Buffer.from(`--boundary\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`),
      jpeg,
      Buffer.from('\r\n'),
    ]);
    const { parts, events } = feed([pic, part(io)]);
    expect(parts[0]?.contentType).toBe('image/jpeg');
    expect(parts[0]?.body.equals(jpeg)).toBe(true);
    expect(events).toHaveLength(1);
  });

  it('skips garbage lines and resynchronises on the next part', () => {
    const { events, garbage } = feed(['this is not a header\r\n', part(io)]);
    expect(events).toHaveLength(1);
    expect(garbage.length).toBeGreaterThan(0);
  });

  it('drops a runaway buffer instead of growing without bound', () => {
    const { garbage, events } = feed([
      `--boundary\r\nContent-Type: application/xml\r\nContent-Length: 99999999\r\n\r\n`,
      Buffer.alloc(1100 * 1024, 0x41),
      part(io),
    ]);
    expect(garbage.some((g) => /1 MiB/.test(g))).toBe(true);
    expect(events.length).toBeLessThanOrEqual(1);
  });
});

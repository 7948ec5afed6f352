// Hostile recorder input: the ISAPI XML parsers, the alertStream multipart parser and the Digest challenge
// parser, FUZZ_RUNS cases each. XML gives a typed value or an NvrError naming the body; the multipart parser never
// throws, yields the same parts whatever the chunking (also with garbage between parts), and stays bounded on an
// endless stream of junk; Digest challenge parsing never throws on any header.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDigestChallenges } from '../../../src/adapters/nvr/isapi/digest.js';
import { type MultipartPart, MultipartStreamParser } from '../../../src/adapters/nvr/isapi/multipart.js';
import {
  parseAlert,
  parseDeviceInfo,
  parseInputProxyChannels,
  parseSearchResult,
  parseStreamingChannels,
} from '../../../src/adapters/nvr/isapi/xml.js';
import { NvrError } from '../../../src/core/nvr-errors.js';
import { allowFuzzTime, FUZZ_RUNS, fuzzParams, nastyString } from '../../support/fuzz.js';

allowFuzzTime();

const ROOTS = [
  'EventNotificationAlert',
  'DeviceInfo',
  'InputProxyChannelList',
  'StreamingChannelList',
  'CMSearchResult',
  'Other',
] as const;
const FIELDS = [
  'eventType',
  'eventState',
  'dateTime',
  'inputIOPortID',
  'channelID',
  'id',
  'name',
  'deviceName',
  'model',
  'serialNumber',
  'firmwareVersion',
  'responseStatusStrg',
  'numOfMatches',
  'matchList',
  'searchMatchItem',
  'InputProxyChannel',
  'StreamingChannel',
];

/** XML shaped like an ISAPI body: the right roots and field names with hostile values, nesting and breakage. */
const isapiXml = fc
  .tuple(
    fc.constantFrom(...ROOTS),
    fc.array(
      fc.tuple(
        fc.constantFrom(...FIELDS),
        fc.oneof(nastyString, fc.constantFrom('active', 'inactive', 'IO', 'MORE', 'OK', '1', '-1', '')),
      ),
      { maxLength: 8 },
    ),
    fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE x [<!ENTITY a "aaaa">]>'),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([root, fields, prolog, cut]) => {
    const esc = (s: string) => s.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
    const body = fields.map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('');
    const xml = `${prolog}<${root} xmlns="http://www.hikvision.com/ver20/XMLSchema">${body}</${root}>`;
    return cut === undefined ? xml : xml.slice(0, cut % (xml.length + 1));
  });

const PARSERS = [parseAlert, parseDeviceInfo, parseInputProxyChannels, parseStreamingChannels, parseSearchResult];

describe('ISAPI XML', () => {
  it(`${FUZZ_RUNS} hostile bodies through every parser: a value or an NvrError, nothing else`, () => {
    fc.assert(
      fc.property(fc.oneof(isapiXml, fc.string({ maxLength: 200 })), fc.nat({ max: PARSERS.length - 1 }), (xml, i) => {
        try {
          PARSERS[i]!(xml);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(NvrError);
          expect((e as Error).message).toMatch(/the NVR's/);
        }
      }),
      fuzzParams(),
    );
  });
});

const alert = (type: string, n: number) =>
  `<?xml version="1.0" encoding="UTF-8"?>\r\n<EventNotificationAlert><eventType>${type}</eventType><eventState>active</eventState><inputIOPortID>${n}</inputIOPortID></EventNotificationAlert>\r\n`;
const part = (xml: string, boundary: string, nl: string, withLength: boolean) =>
  `${boundary}${nl}Content-Type: application/xml; charset="UTF-8"${nl}${withLength ? `Content-Length: ${Buffer.byteLength(xml)}${nl}` : ''}${nl}${xml}`;

function run(chunks: Buffer[]) {
  const parts: MultipartPart[] = [];
  const garbage: string[] = [];
  const p = new MultipartStreamParser(
    (x) => parts.push(x),
    (g) => garbage.push(g),
  );
  for (const c of chunks) p.push(c);
  return { parts, garbage };
}

function split(b: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, b.length]) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  return out;
}

describe('alertStream multipart', () => {
  const stream = fc.record({
    events: fc.array(fc.tuple(fc.constantFrom('IO', 'videoloss', 'VMD'), fc.nat({ max: 16 })), {
      minLength: 1,
      maxLength: 5,
    }),
    boundary: fc.constantFrom('--boundary', '--MIME_boundary', ''),
    nl: fc.constantFrom('\r\n', '\n'),
    withLength: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
  });

  it(`${FUZZ_RUNS} streams: the same parts whatever the chunking`, () => {
    fc.assert(
      fc.property(stream, (s) => {
        const whole = Buffer.from(
          s.events.map(([t, n]) => part(alert(t, n), s.boundary, s.nl, s.withLength)).join(''),
          'latin1',
        );
        const once = run([whole]).parts.map((p) => p.body.toString('latin1'));
        const chunked = run(split(whole, s.cuts)).parts.map((p) => p.body.toString('latin1'));
        expect(chunked).toEqual(once);
        if (s.withLength) expect(once).toHaveLength(s.events.length);
      }),
      fuzzParams(),
    );
  });

  it(`${FUZZ_RUNS} streams with junk lines before a part: never a throw, every part a buffer`, () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 60 }),
            fc.uint8Array({ maxLength: 60 }).map((u) => Buffer.from(u).toString('latin1')),
          ),
          {
            maxLength: 4,
          },
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        (junk, cuts) => {
          const text =
            junk.map((j) => `${j.replace(/[\r\n]/g, ' ')}\r\n`).join('') +
            part(alert('IO', 3), '--boundary', '\r\n', true);
          const { parts } = run(split(Buffer.from(text, 'latin1'), cuts));
          // Junk that happens to look like a header block may swallow the alert; it must never crash the parser.
          for (const p of parts) expect(Buffer.isBuffer(p.body)).toBe(true);
        },
      ),
      fuzzParams(),
    );
  });

  it('an endless stream of junk without a complete part is discarded at 1 MiB, not buffered forever', () => {
    const garbage: string[] = [];
    const p = new MultipartStreamParser(
      () => {},
      (g) => garbage.push(g),
    );
    // A header block promising more bytes than ever come.
    p.push(Buffer.from('--boundary\r\nContent-Type: application/xml\r\nContent-Length: 99999999\r\n\r\n'));
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 40; i++) p.push(chunk);
    expect(garbage.some((g) => /1 MiB/.test(g))).toBe(true);
  });
});

describe('Digest challenges', () => {
  it(`${FUZZ_RUNS} WWW-Authenticate headers: a list of challenges, never a throw`, () => {
    const header = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc
        .array(
          fc.tuple(
            fc.constantFrom('realm', 'nonce', 'qop', 'algorithm', 'opaque', 'stale', 'domain', ''),
            fc.oneof(nastyString, fc.constantFrom('MD5', 'SHA-256', 'auth,auth-int', 'true', '"')),
          ),
          { maxLength: 6 },
        )
        .map((ps) => `Digest ${ps.map(([k, v]) => `${k}="${v}"`).join(', ')}`),
    );
    fc.assert(
      fc.property(fc.array(header, { maxLength: 3 }), (headers) => {
        const r = parseDigestChallenges(headers);
        expect(Array.isArray(r)).toBe(true);
        for (const c of r) expect(typeof c.nonce).toBe('string');
      }),
      fuzzParams(),
    );
  });
});

// The emulator's ISAPI side: a fastify app answering the calls bcrp-edge makes of a Hikvision NVR, behind digest
// auth (MD5 and/or SHA-256). Snapshots are frames of the channel's media at the current play position, searches
// answer with playbackURIs on the emulator's RTSP side, and alertStream sends heartbeats plus IO events raised
// through POST /emulator/io/{port}. Builds the app only; emulator.ts listens.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { systemClock } from '../../../core/ports/clock.js';
import { type DigestAlgorithm, verifyAuthorization } from '../isapi/digest.js';
import { parsePosixTz, posixOffsetMs } from '../isapi/xml.js';
import { EmulatorFootage } from './footage.js';
import { frameAt, warmFrames } from './media.js';
import type { QuirkName } from './quirks.js';

export interface IsapiEmulatorOptions {
  username: string;
  password: string;
  realm?: string;
  /** Offered challenges, strongest first. */
  algorithms?: DigestAlgorithm[];
  media: string[];
  mediaSeconds: number[];
  /** Unix ms at which the "recording" shows the media's first second (the RTSP side uses the same). */
  epochMs?: number;
  /** rtsp://127.0.0.1:PORT (no credentials) of the RTSP side. */
  rtspBase: () => string;
  heartbeatMs?: number;
  /** Channels whose CMSearch finds nothing (a camera that does not record). */
  noRecording?: number[];
  /** How far back "recordings" reach. */
  retentionDays?: number;
  now?: () => Date;
  /** Field behaviour to reproduce (quirks.ts). */
  quirks?: readonly QuirkName[];
  /** login-lock: failed logins before the lock, and how long it lasts. */
  lockAfter?: number;
  lockSeconds?: number;
  /** clock-skew: how far the recorder's clock runs ahead (negative: behind). */
  clockSkewMs?: number;
}

const xmlParser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
const HIK = 'http://www.hikvision.com/ver20/XMLSchema';
const hikTime = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export function buildIsapiEmulator(o: IsapiEmulatorOptions): FastifyInstance & {
  raiseIo: (port: number, state?: 'active' | 'inactive') => void;
  setSilent: (s: boolean) => void;
  /** Every alarm-output change asked for, in order (a relay, buzzer or strobe on a real NVR). */
  outputChanges: { output: number; active: boolean }[];
  /** Logins that carried a wrong password (or came while locked), as the recorder counts them. */
  failedLogins: () => number;
  /** Every download served: the recorder's file name, SHA-256 and size. */
  downloads: readonly { name: string; sha256: string; bytes: number }[];
} {
  const app = Fastify({ logger: false });
  const now = o.now ?? (() => systemClock.now());
  const quirk = (q: QuirkName) => (o.quirks ?? []).includes(q);
  const realm = o.realm ?? 'bcrp-edge NVR emulator';
  const algorithms: DigestAlgorithm[] = quirk('sha256-only')
    ? ['SHA-256']
    : quirk('no-algorithm')
      ? ['MD5']
      : (o.algorithms ?? ['SHA-256', 'MD5']);
  let failed = 0;
  let lockedUntil = 0;
  const users = new Map([[o.username, o.password]]);
  const nonces = new Map<string, number>();
  const started = o.epochMs ?? now().getTime();
  // The recorder's own clock (clock-skew): its archive is searched and exported in it.
  const recorderNow = () => now().getTime() + (quirk('clock-skew') ? (o.clockSkewMs ?? 7000) : 0);
  const streams = new Set<ServerResponse>();
  let silent = false;
  const snapCache = new Map<string, Buffer>();
  // One frame per second of each channel, decoded once in the background, so snapshots answer at once.
  o.media.forEach((file, i) => {
    void warmFrames(file, (n, jpeg) => snapCache.set(`${i + 1}:${n}`, jpeg)).catch(() => undefined);
  });

  const challenge = (reply: FastifyReply, stale: boolean) => {
    const nonce = randomBytes(16).toString('hex');
    nonces.set(nonce, now().getTime());
    if (nonces.size > 1000) nonces.delete(nonces.keys().next().value as string);
    const headers = quirk('basic-only')
      ? [`Basic realm="${realm}"`]
      : algorithms.map(
          (a) =>
            `Digest realm="${realm}", qop="auth", nonce="${nonce}", opaque="${randomBytes(4).toString('hex')}"${quirk('no-algorithm') ? '' : `, algorithm=${a}`}${stale ? ', stale=TRUE' : ''}`,
        );
    if (quirk('multi-challenge')) headers.unshift(`Basic realm="${realm}"`);
    const locked = lockedUntil > now().getTime();
    return reply
      .code(401)
      .header('www-authenticate', headers)
      .type('application/xml')
      .send(
        locked
          ? `<?xml version="1.0" encoding="UTF-8"?><userCheck version="2.0" xmlns="${HIK}"><statusValue>401</statusValue><statusString>Unauthorized</statusString><isDefaultPassword>false</isDefaultPassword><isRiskPassword>false</isRiskPassword><isActivated>true</isActivated><lockStatus>lock</lockStatus><unlockTime>${Math.ceil((lockedUntil - now().getTime()) / 1000)}</unlockTime><retryLoginTime>0</retryLoginTime></userCheck>`
          : statusXml(401, 'Unauthorized'),
      );
  };
  const basicOk = (header: string | undefined) => {
    const m = /^\s*Basic\s+(\S+)/i.exec(header ?? '');
    if (!m) return false;
    const [u, ...rest] = Buffer.from(m[1]!, 'base64').toString('utf8').split(':');
    return u === o.username && rest.join(':') === o.password;
  };

  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.url.startsWith('/emulator/')) return;
    if (quirk('not-isapi') && req.url.startsWith('/ISAPI/System/deviceInfo')) return;
    const auth = req.headers.authorization;
    let ok: boolean;
    let stale = false;
    if (quirk('basic-only')) ok = basicOk(auth);
    else {
      const result = verifyAuthorization(auth, req.method, users, (n) => {
        const t = nonces.get(n);
        return t !== undefined && now().getTime() - t < 300_000;
      });
      const offered = /algorithm=([\w-]+)/i.exec(auth ?? '')?.[1] ?? 'MD5';
      ok = result.ok && algorithms.some((a) => a.toLowerCase() === offered.toLowerCase());
      stale = !result.ok && result.stale;
    }
    // A login attempt that fails (not a first request without credentials, not an expired nonce) counts, and
    // while the user is locked every attempt fails, the right password included.
    if (auth && !stale && (!ok || lockedUntil > now().getTime()) && quirk('login-lock')) {
      failed++;
      if (failed >= (o.lockAfter ?? 3) && lockedUntil <= now().getTime())
        lockedUntil = now().getTime() + (o.lockSeconds ?? 1800) * 1000;
      return challenge(reply, false);
    }
    if (auth && !ok && !stale) failed++;
    if (!ok) return challenge(reply, stale);
  });

  const channelOf = (streamId: string): number | undefined => {
    const id = Number(streamId);
    const ch = Math.floor(id / 100);
    return Number.isInteger(id) && ch >= 1 && ch <= o.media.length ? ch : undefined;
  };

  const snapshot = async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const ch = channelOf(req.params.id);
    if (ch === undefined) return reply.code(404).type('application/xml').send(statusXml(404, 'Invalid Operation'));
    const duration = o.mediaSeconds[ch - 1] ?? 1;
    // Whole-second positions are cached: a real NVR answers a snapshot in ~100 ms, so should the emulator.
    const pos = Math.floor(((now().getTime() - started) / 1000) % Math.max(1, Math.floor(duration)));
    const key = `${ch}:${pos}`;
    let jpeg = snapCache.get(key);
    if (!jpeg) {
      jpeg = await frameAt(o.media[ch - 1]!, pos);
      snapCache.set(key, jpeg);
    }
    return reply.type('image/jpeg').send(jpeg);
  };

  app.get('/ISAPI/System/deviceInfo', async (_req, reply) => {
    if (quirk('not-isapi'))
      return reply
        .type('text/html')
        .send('<!DOCTYPE html><html><head><title>Login</title></head><body>Web</body></html>');
    const cam = quirk('camera');
    return reply.type('application/xml').send(`<?xml version="1.0" encoding="UTF-8"?>
<DeviceInfo version="2.0" xmlns="${HIK}">
<deviceName>Emulated ${cam ? 'camera' : 'NVR'}</deviceName><deviceID>bcrp-edge-emulator</deviceID><model>${cam ? 'DS-2CD2346G2-EMU' : 'DS-7608NI-EMU'}</model>
<serialNumber>EMU0000000001</serialNumber><firmwareVersion>${cam ? 'V5.7.3' : 'V4.0.0'}</firmwareVersion><deviceType>${cam ? 'IPCamera' : 'NVR'}</deviceType>
</DeviceInfo>`);
  });

  app.get('/ISAPI/ContentMgmt/InputProxy/channels', async (_req, reply) =>
    quirk('camera')
      ? reply
          .code(403)
          .type('application/xml')
          .send(statusXml(403, 'Forbidden', 'notSupport'))
      : reply
          .type('application/xml')
          .send(
            `<?xml version="1.0" encoding="UTF-8"?><InputProxyChannelList version="2.0" xmlns="${HIK}">${o.media
              .map((_, i) => `<InputProxyChannel><id>${i + 1}</id><name>Camera ${i + 1}</name></InputProxyChannel>`)
              .join('')}</InputProxyChannelList>`,
          ),
  );

  app.get('/ISAPI/Streaming/channels', async (_req, reply) =>
    reply
      .type('application/xml')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?><StreamingChannelList version="2.0" xmlns="${HIK}">${o.media
          .flatMap((_, i) =>
            [1, 2].map(
              (s) =>
                `<StreamingChannel><id>${i + 1}0${s}</id><channelName>Camera ${i + 1}</channelName><enabled>true</enabled></StreamingChannel>`,
            ),
          )
          .join('')}</StreamingChannelList>`,
      ),
  );

  app.get<{ Params: { id: string } }>('/ISAPI/Streaming/channels/:id/picture', async (req, reply) => {
    if (quirk('picture-400'))
      return reply
        .code(400)
        .type('application/xml')
        .send(statusXml(400, 'Invalid XML Content', 'badXmlContent'));
    if (quirk('picture-403'))
      return reply
        .code(403)
        .type('application/xml')
        .send(statusXml(403, 'Forbidden', 'notSupport'));
    if (quirk('picture-xml'))
      return reply.type('application/xml').send(statusXml(200, 'Invalid Operation', 'notSupport'));
    return snapshot(req, reply);
  });
  app.get<{ Params: { id: string } }>('/ISAPI/ContentMgmt/StreamingProxy/channels/:id/picture', async (req, reply) => {
    if (quirk('camera')) return reply.code(404).type('application/xml').send(statusXml(404, 'Invalid Operation'));
    return snapshot(req, reply);
  });

  // The recorder's clock: UTC offset in localTime, or (posix-tz) local wall time with a POSIX zone string.
  app.get('/ISAPI/System/time', async (_req, reply) => {
    const t = new Date(now().getTime() + (quirk('clock-skew') ? (o.clockSkewMs ?? 7000) : 0));
    let local: string;
    let zone: string;
    if (quirk('posix-tz')) {
      zone = 'CET-1CEST,M3.5.0,M10.5.0/3';
      const tz = parsePosixTz(zone)!;
      const off = posixOffsetMs(tz, t.getTime() + tz.stdMs);
      local = new Date(t.getTime() + off).toISOString().slice(0, 19);
    } else {
      zone = 'UTC0';
      local = `${t.toISOString().slice(0, 19)}Z`;
    }
    return reply
      .type('application/xml')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?><Time version="2.0" xmlns="${HIK}"><timeMode>NTP</timeMode><localTime>${local}</localTime><timeZone>${zone}</timeZone></Time>`,
      );
  });

  // Linkage of an alarm input: "center" is the Notify Surveillance Center tick.
  app.get<{ Params: { id: string } }>('/ISAPI/Event/triggers/:id', async (req, reply) => {
    const m = /^IO-(\d+)$/.exec(req.params.id);
    if (!m) return reply.code(404).type('application/xml').send(statusXml(404, 'Invalid Operation'));
    const center = quirk('io-not-notified')
      ? ''
      : '<EventTriggerNotification><id>center</id><notificationMethod>center</notificationMethod><notificationRecurrence>beginning</notificationRecurrence></EventTriggerNotification>';
    return reply
      .type('application/xml')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?><EventTrigger version="2.0" xmlns="${HIK}"><id>${req.params.id}</id><eventType>IO</eventType><inputIOPortID>${m[1]}</inputIOPortID><EventTriggerNotificationList>${center}</EventTriggerNotificationList></EventTrigger>`,
      );
  });

  app.get('/ISAPI/ContentMgmt/search', async (_req, reply) =>
    quirk('search-post-only')
      ? reply
          .code(403)
          .type('application/xml')
          .send(statusXml(403, 'Forbidden', 'methodNotAllowed'))
      : reply.code(405).type('application/xml').send(statusXml(405, 'Method Not Allowed')),
  );

  app.post('/ISAPI/ContentMgmt/search', async (req, reply) => {
    let d: Record<string, unknown>;
    try {
      d =
        (xmlParser.parse(String(req.body ?? '')) as Record<string, Record<string, unknown>>)['CMSearchDescription'] ??
        {};
    } catch {
      return reply.code(400).type('application/xml').send(statusXml(400, 'Invalid XML Content'));
    }
    const trackList = d['trackList'] as { trackID?: string } | undefined;
    const track = Number(trackList?.trackID ?? 0);
    const span = (d['timeSpanList'] as { timeSpan?: { startTime?: string; endTime?: string } } | undefined)?.timeSpan;
    const from = new Date(span?.startTime ?? '');
    const to = new Date(span?.endTime ?? '');
    const ch = channelOf(String(track));
    if (ch === undefined || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) {
      return reply.code(400).type('application/xml').send(statusXml(400, 'Invalid Content'));
    }
    const oldest = now().getTime() - (o.retentionDays ?? 30) * 86_400_000;
    const held = !(o.noRecording ?? []).includes(ch) && to.getTime() > oldest && from.getTime() <= recorderNow();
    const rtspBase = quirk('nat-uri') ? 'rtsp://192.168.254.2:554' : o.rtspBase();
    // A segment still being written reports its own start as its end on some firmware.
    const segStart = new Date(Math.floor(from.getTime() / 3_600_000) * 3_600_000);
    const written = new Date(Math.min(to.getTime(), recorderNow() - WRITE_LAG_MS));
    const endTime = quirk('recording-in-progress') ? segStart : quirk('recording-growing') ? written : to;
    const items = held
      ? `<matchList><searchMatchItem><sourceID>{0000}</sourceID><trackID>${track}</trackID><timeSpan><startTime>${from.toISOString().slice(0, 19)}Z</startTime><endTime>${endTime.toISOString().slice(0, 19)}Z</endTime></timeSpan><mediaSegmentDescriptor><contentType>video</contentType><codecType>H.264</codecType><playbackURI>${rtspBase}/Streaming/tracks/${track}/?starttime=${hikTime(from)}&amp;endtime=${hikTime(to)}&amp;name=ch${String(ch).padStart(2, '0')}_emu&amp;size=1</playbackURI></mediaSegmentDescriptor></searchMatchItem></matchList>`
      : '<matchList/>';
    return reply.type('application/xml').send(`<?xml version="1.0" encoding="UTF-8"?>
<CMSearchResult version="2.0" xmlns="${HIK}"><searchID>${String(d['searchID'] ?? '')}</searchID><responseStatus>true</responseStatus><responseStatusStrg>${held ? 'OK' : 'NO MATCHES'}</responseStatusStrg><numOfMatches>${held ? 1 : 0}</numOfMatches>${items}</CMSearchResult>`);
  });

  // The recorder's own export of a searched segment: the playbackURI's window as an MP4 cut from the media with
  // stream copy, streamed with its Content-Length and a recorder-like file name. Only what is already written
  // (up to now, less the write lag with recording-growing) can be downloaded.
  const footage = new EmulatorFootage(o.media, o.mediaSeconds, started);
  const download = async (req: FastifyRequest, reply: FastifyReply) => {
    if (quirk('download-refused'))
      return reply
        .code(403)
        .type('application/xml')
        .send(statusXml(403, 'Forbidden', 'notSupport'));
    let uri: URL;
    try {
      const d = (xmlParser.parse(String(req.body ?? '')) as Record<string, Record<string, unknown>>)['downloadRequest'];
      uri = new URL(String(d?.['playbackURI'] ?? '').replace(/&amp;/g, '&'));
    } catch {
      return reply
        .code(400)
        .type('application/xml')
        .send(statusXml(400, 'Invalid XML Content', 'badXmlContent'));
    }
    const track = /\/Streaming\/tracks\/(\d+)/.exec(uri.pathname)?.[1];
    const ch = track ? channelOf(track) : undefined;
    const from = parseHikTime(uri.searchParams.get('starttime'));
    let to = parseHikTime(uri.searchParams.get('endtime'));
    if (ch === undefined || !from || !to || to <= from)
      return reply
        .code(400)
        .type('application/xml')
        .send(statusXml(400, 'Invalid Content', 'badParameters'));
    const lag = quirk('recording-growing') ? WRITE_LAG_MS : 0;
    to = new Date(Math.min(to.getTime(), recorderNow() - lag));
    if (to <= from || (o.noRecording ?? []).includes(ch))
      return reply
        .code(404)
        .type('application/xml')
        .send(statusXml(404, 'Invalid Operation', 'noRecord'));
    const cut = await footage.cut(ch, from, to);
    return reply
      .type('video/mp4')
      .header('content-length', String(cut.bytes))
      .header('content-disposition', `attachment; filename="${cut.name}"`)
      .send(footage.stream(cut));
  };
  app.post('/ISAPI/ContentMgmt/download', download);
  app.addHook('onClose', async () => footage.close());

  const part = (xml: string) =>
    `--boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}\r\n`;
  const alert = (type: string, state: string, extra: string, count: number) =>
    part(`<EventNotificationAlert version="2.0" xmlns="${HIK}">
<ipAddress>127.0.0.1</ipAddress><portNo>80</portNo><protocol>HTTP</protocol><macAddress>00:00:00:00:00:00</macAddress>
${extra}<dateTime>${now().toISOString().slice(0, 19)}+00:00</dateTime>${quirk('alert-empty') ? '<activePostCount/><channelName/><ipv6Address/>' : `<activePostCount>${count}</activePostCount>`}
<eventType>${type}</eventType><eventState>${state}</eventState><eventDescription>${type === 'IO' ? 'IO alarm' : 'videoloss alarm'}</eventDescription>
</EventNotificationAlert>`);

  app.get('/ISAPI/Event/notification/alertStream', (_req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'multipart/mixed; boundary=boundary', connection: 'keep-alive' });
    res.flushHeaders(); // a recorder without heartbeats still answers at once; the body may stay silent
    streams.add(res);
    let n = 0;
    const beat = setInterval(() => {
      if (!silent && !quirk('no-heartbeat')) res.write(alert('videoloss', 'inactive', '<channelID>1</channelID>', ++n));
    }, o.heartbeatMs ?? 500);
    res.on('close', () => {
      clearInterval(beat);
      streams.delete(res);
    });
  });

  const raiseIo = (port: number, state: 'active' | 'inactive' = 'active') => {
    if (quirk('io-not-notified')) return; // the input closes on the recorder, but nothing is sent to the centre
    for (const s of streams) s.write(alert('IO', state, `<inputIOPortID>${port}</inputIOPortID>`, 1));
  };

  app.post<{ Params: { port: string } }>('/emulator/io/:port', async (req, reply) => {
    const port = Number(req.params.port);
    if (!Number.isInteger(port) || port < 1 || port > 64) return reply.code(400).send({ error: 'port must be 1–64' });
    raiseIo(port);
    return { raised: port, listeners: streams.size };
  });

  const outputChanges: { output: number; active: boolean }[] = [];
  app.put<{ Params: { id: string } }>('/ISAPI/System/IO/outputs/:id/trigger', async (req, reply) => {
    const output = Number(req.params.id);
    const state = /<outputState>\s*(high|low)\s*<\/outputState>/.exec(String(req.body ?? ''))?.[1];
    if (!Number.isInteger(output) || output < 1 || output > 16 || !state)
      return reply.code(400).type('application/xml').send(statusXml(400, 'Invalid Content'));
    outputChanges.push({ output, active: state === 'high' });
    return reply.type('application/xml').send(statusXml(200, 'OK'));
  });

  app.post<{ Params: { on: string } }>('/emulator/silence/:on', async (req) => {
    silent = req.params.on === 'on';
    return { silent };
  });

  app.addHook('preClose', async () => {
    for (const s of streams) s.destroy();
  });

  return Object.assign(app, {
    raiseIo,
    downloads: footage.served,
    outputChanges,
    failedLogins: () => failed,
    setSilent: (s: boolean) => {
      silent = s;
    },
  });
}

/** How far behind now a recording being written is on disk (recording-growing). */
const WRITE_LAG_MS = 3000;

/** YYYYMMDDTHHMMSSZ as a Date, or undefined. */
function parseHikTime(v: string | null): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v ?? '');
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

function statusXml(code: number, text: string, sub?: string): string {
  // ISAPI statusCode: 1 OK, 3 device error, 4 invalid operation, 5 invalid XML format, 6 invalid XML content.
  const status = code === 200 && !sub ? 1 : sub === 'badXmlContent' ? 6 : 4;
  return `<?xml version="1.0" encoding="UTF-8"?><ResponseStatus version="2.0" xmlns="${HIK}"><requestURL></requestURL><statusCode>${status}</statusCode><statusString>${text}</statusString>${sub ? `<subStatusCode>${sub}</subStatusCode>` : ''}</ResponseStatus>`;
}

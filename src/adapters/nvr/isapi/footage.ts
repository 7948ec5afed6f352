// RecorderFootage for a Hikvision recorder: CMSearch for the segment, the recorder's own download of the
// playbackURI (POST /ISAPI/ContentMgmt/download, streamed), and RTSP playback copied with ffmpeg -c copy when the
// download is refused. Only the playbackURI's query is used for RTSP (its host may be unreachable: NAT).
import { NvrError } from '../../../core/nvr-errors.js';
import { type Clock, systemClock } from '../../../core/ports/clock.js';
import type { RecorderClockReading } from '../../../core/ports/frame-source.js';
import type {
  FootageSegment,
  FootageStream,
  RecorderFootage,
  RecorderIdentity,
} from '../../../core/ports/recorder-footage.js';
import { rtspCopy } from '../../ffmpeg/rtsp-copy.js';
import type { IsapiClient } from './client.js';
import { readIsapiClock } from './recorder-clock.js';
import { isoSeconds, parseDeviceInfo, parseSearchResult, searchRequestXml } from './xml.js';

export interface IsapiFootageOptions {
  host: string;
  rtspPort: number;
  username: string;
  password: string;
  stallMs: number;
  /** How long a download may take to start sending (its headers). */
  downloadTimeoutMs?: number;
  clock?: Clock;
  onLog?: (line: string) => void;
}

const hikTime = (d: Date) => isoSeconds(d).replace(/[-:]/g, '');
const XML_ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };
const esc = (s: string) => s.replace(/[<>&'"]/g, (c) => XML_ENTITY[c] ?? c);

/** The playbackURI with its window set to [from, to] (recorder time). */
function windowUri(uri: string, from: Date, to: Date): URL {
  const u = new URL(uri);
  u.searchParams.set('starttime', hikTime(from));
  u.searchParams.set('endtime', hikTime(to));
  return u;
}

export class IsapiFootage implements RecorderFootage {
  readonly #isapi: IsapiClient;
  readonly #o: IsapiFootageOptions;

  constructor(isapi: IsapiClient, options: IsapiFootageOptions) {
    this.#isapi = isapi;
    this.#o = options;
  }

  async identity(): Promise<RecorderIdentity> {
    const d = parseDeviceInfo(await this.#isapi.getXml('/ISAPI/System/deviceInfo', 'device information'));
    return { make: 'Hikvision', model: d.model, firmware: d.firmwareVersion, serial: d.serialNumber };
  }

  clock(): Promise<RecorderClockReading> {
    return readIsapiClock(this.#isapi, this.#o.clock ?? systemClock);
  }

  async search(camera: number, from: Date, to: Date): Promise<FootageSegment[]> {
    const body = searchRequestXml({ searchId: crypto.randomUUID().toUpperCase(), trackId: camera * 100 + 1, from, to });
    const res = await this.#isapi.request('POST', '/ISAPI/ContentMgmt/search', 'recording search', body);
    return parseSearchResult(res.body.toString('utf8')).matches.map((m) => ({
      startTime: new Date(m.startTime),
      endTime: new Date(m.endTime),
      playbackUri: m.playbackURI,
    }));
  }

  async download(camera: number, segment: FootageSegment, from: Date, to: Date): Promise<FootageStream> {
    const uri = windowUri(segment.playbackUri, from, to);
    const body = `<?xml version="1.0" encoding="UTF-8"?><downloadRequest version="1.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><playbackURI>${esc(uri.toString())}</playbackURI></downloadRequest>`;
    const ctl = new AbortController();
    const res = await this.#isapi.streamResponse(
      '/ISAPI/ContentMgmt/download',
      `download of camera ${camera}`,
      ctl.signal,
      {
        method: 'POST',
        body,
      },
    );
    const disposition = res.headers.get('content-disposition') ?? '';
    const named = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
    const length = Number(res.headers.get('content-length'));
    const type = res.headers.get('content-type') ?? '';
    const name = safeName(named) ?? `ch${String(camera).padStart(2, '0')}_${hikTime(from)}_${hikTime(to)}.mp4`;
    return {
      name,
      container: /\.mp4$/i.test(name) || /mp4/i.test(type) ? 'mp4' : /\.ps$|mpeg/i.test(name + type) ? 'ps' : 'unknown',
      declaredBytes: Number.isFinite(length) && length > 0 ? length : null,
      chunks: res.body,
    };
  }

  async playbackCopy(camera: number, from: Date, to: Date): Promise<FootageStream> {
    const u = encodeURIComponent(this.#o.username);
    const p = encodeURIComponent(this.#o.password);
    const q = new URLSearchParams({ starttime: hikTime(from), endtime: hikTime(to) });
    const url = `rtsp://${u}:${p}@${this.#o.host}:${this.#o.rtspPort}/Streaming/tracks/${camera}01/?${q.toString()}`;
    const seconds = (to.getTime() - from.getTime()) / 1000;
    if (seconds <= 0) throw new NvrError('nvr-no-recording', 'the playback window is empty', { retryable: false });
    let position: number | null = null;
    return {
      name: `ch${String(camera).padStart(2, '0')}_${hikTime(from)}_${hikTime(to)}_rtsp.ts`,
      container: 'mpegts',
      declaredBytes: null,
      chunks: rtspCopy({
        url,
        seconds,
        stallMs: this.#o.stallMs,
        what: `playback of camera ${camera}`,
        onPosition: (s) => {
          position = s;
        },
        ...(this.#o.onLog ? { onLog: this.#o.onLog } : {}),
      }),
      position: () => position,
    };
  }
}

/** A recorder's file name, kept only if it is a plain name (no path, nothing odd). */
function safeName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop() ?? '';
  return /^[A-Za-z0-9._-]{1,120}$/.test(base) && !base.startsWith('.') ? base : undefined;
}

// The installer's self-test of the recorder (`bcrp-edge doctor --nvr`, the installer page): walks through what
// the product needs from it — login and digest variant, firmware, channel list, per camera the picture, live and
// playback rights, recording search, the event stream and alarm inputs, the clock — and says for each what works,
// what was worked around, and the exact fix (the Hikvision menu path) for what does not. It stops after the first
// refused login: going on would only add failed logins towards the recorder's illegal-login lock.
import { randomUUID } from 'node:crypto';
import { describeError } from '../../core/errors.js';
import { isNvrError, type NvrError } from '../../core/nvr-errors.js';
import type { Clock } from '../../core/ports/clock.js';
import { scrubCredentials } from '../../core/secrets.js';
import { ALERT_STREAM_PATH } from './isapi/alert-stream.js';
import { listCameraChannels } from './isapi/cameras.js';
import { IsapiClient, type IsapiOptions } from './isapi/client.js';
import { HikvisionFrameSource } from './isapi/hikvision-frame-source.js';
import { MultipartStreamParser } from './isapi/multipart.js';
import { readIsapiClock } from './isapi/recorder-clock.js';
import { isoSeconds, parseAlert, parseDeviceInfo, parseSearchResult, searchRequestXml } from './isapi/xml.js';

export type StepStatus = 'ok' | 'workaround' | 'warn' | 'fail' | 'skip';

export interface SelfTestStep {
  id: string;
  title: string;
  camera?: number;
  status: StepStatus;
  detail: string;
  /** What the product does to get round the recorder's behaviour (status workaround). */
  workaround?: string;
  /** What the installer should change, with the recorder's menu path. */
  fix?: string;
}

export interface SelfTestOptions {
  isapi: IsapiOptions;
  rtspPort: number;
  cameras: readonly number[];
  /** Alarm inputs configured as buttons (nvr-io). */
  alarmInputs: readonly number[];
  clock: Clock;
  stallMs: number;
  /** How long to listen to alertStream for a heartbeat. */
  listenMs?: number;
  /** Above this, the clock offset is a warning. */
  maxClockOffsetMs?: number;
}

export const MENU = {
  login:
    'check nvr.username and the password file; on the recorder: Configuration > System > User Management (the user exists, password as configured); a locked user unlocks by itself after 30 min, or at once from the admin account',
  digest:
    'Configuration > System > Security > Authentication: WEB Authentication = digest (and RTSP Authentication = digest)',
  isapi: 'Configuration > Network > Advanced Settings > Integration Protocol: enable Hikvision-CGI / ISAPI',
  live: (c: number) =>
    `Configuration > System > User Management > (the appliance's user) > User Permission > Remote: Live View, tick camera ${c}`,
  playback: (c: number) =>
    `Configuration > System > User Management > (the appliance's user) > User Permission > Remote: Playback / Download, tick camera ${c}`,
  recording: (c: number) =>
    `Storage > Schedule Settings > Record Schedule: camera ${c}, Enable, continuous all day (and Storage > Storage Device: HDD status Normal)`,
  rtsp: 'Configuration > Network > Basic Settings > Port: the RTSP port must match nvr.rtspPort; Configuration > System > Security > Authentication: RTSP Authentication = digest',
  ioInput: (n: number) =>
    `Configuration > Event > Basic Event > Alarm Input > A<-${n}: tick Enable Alarm Input Handling; Linkage Method: tick Notify Surveillance Center; Arming Schedule: draw all day, every day`,
  clock:
    "Configuration > System > System Settings > Time Settings: NTP, with the appliance's NTP server, interval 60 min (stills are stamped with corrected times meanwhile)",
} as const;

const say = (e: unknown) => scrubCredentials(describeError(e));

/** Runs every step in order; never throws for recorder problems. */
export async function runNvrSelfTest(o: SelfTestOptions): Promise<SelfTestStep[]> {
  const steps: SelfTestStep[] = [];
  const add = (s: SelfTestStep) => {
    steps.push(s);
    return s;
  };
  const client = new IsapiClient({ ...o.isapi, retries: 0, clock: o.clock });
  try {
    // 1. Login, digest variant, and whether this is ISAPI at all.
    let info: ReturnType<typeof parseDeviceInfo>;
    try {
      info = parseDeviceInfo(await client.getXml('/ISAPI/System/deviceInfo', 'device info'));
    } catch (e) {
      const err = e as NvrError;
      const refused = client.loginRefusal;
      add({
        id: 'login',
        title: 'login',
        status: 'fail',
        detail: say(e),
        fix: refused
          ? `${MENU.login}. The appliance will not try the password again before ${refused.until.toISOString().slice(11, 16)} UTC`
          : /Basic login/.test(err.message ?? '')
            ? MENU.digest
            : err.code === 'nvr-not-found' || err.code === 'nvr-bad-response'
              ? MENU.isapi
              : `check that the recorder is on and nvr.host/nvr.port/nvr.scheme match it`,
      });
      add({
        id: 'rest',
        title: 'remaining checks',
        status: 'skip',
        detail: 'skipped: without a login every further request would count as another failed login',
      });
      return steps;
    }
    const variant = client.authVariant ?? 'none';
    const basic = variant === 'Basic';
    add({
      id: 'login',
      title: 'login',
      status: basic || variant === 'none' ? 'workaround' : 'ok',
      detail: `user "${o.isapi.username}" accepted with ${variant === 'none' ? 'no login at all' : variant}${client.offeredChallenges.length > 1 ? ` (offered: ${client.offeredChallenges.map((c) => c.split(/\s/)[0] + (/algorithm=([\w-]+)/i.exec(c)?.[1] ? ` ${/algorithm=([\w-]+)/i.exec(c)?.[1]}` : '')).join(', ')})` : ''}`,
      ...(basic
        ? {
            workaround:
              o.isapi.scheme === 'https'
                ? 'Basic login over https (the password is encrypted in transit)'
                : 'Basic login allowed by nvr.allowBasicAuth: the password crosses the LAN in clear text',
            fix: MENU.digest,
          }
        : {}),
    });
    add({
      id: 'firmware',
      title: 'firmware',
      status: 'ok',
      detail: `${info.model}${info.deviceType ? ` (${info.deviceType})` : ''}, firmware ${info.firmwareVersion || 'not stated'}`,
    });

    // 2. The channel list (what provision --cameras auto uses).
    try {
      const list = await listCameraChannels(client);
      const ids = list.channels.map((c) => c.id);
      const missing = o.cameras.filter((c) => !ids.includes(c));
      add({
        id: 'channels',
        title: 'channel list',
        status: missing.length ? 'fail' : list.workedAround ? 'workaround' : 'ok',
        detail: `${list.channels.length} camera(s): ${ids.join(', ')}${missing.length ? `; configured but not offered: ${missing.join(', ')}` : ''}`,
        ...(list.workedAround
          ? { workaround: `${list.workedAround}; read ${list.path} instead (a camera, not an NVR)` }
          : {}),
        ...(missing.length
          ? { fix: 'correct nvr.channels (bcrp-edge provision --cameras auto writes what the recorder offers)' }
          : {}),
      });
    } catch (e) {
      add({ id: 'channels', title: 'channel list', status: 'fail', detail: say(e), fix: MENU.isapi });
    }

    // 3. The clock, before playback: playback is asked in the recorder's time.
    const frames = new HikvisionFrameSource(client, {
      host: o.isapi.host,
      rtspPort: o.rtspPort,
      username: o.isapi.username,
      password: o.isapi.password,
      stallMs: o.stallMs,
      playbackConcurrency: 1,
      clock: o.clock,
    });
    try {
      const r = await readIsapiClock(client, o.clock);
      await frames.recorderClock();
      const s = (r.offsetMs / 1000).toFixed(1);
      const over = Math.abs(r.offsetMs) > (o.maxClockOffsetMs ?? 2000);
      add({
        id: 'clock',
        title: 'recorder clock',
        status: over ? 'warn' : 'ok',
        detail: `${r.offsetMs >= 0 ? '+' : ''}${s} s against the appliance (recorder ${r.recorderTime}${r.timeZone ? `, zone ${r.timeZone}` : ''})`,
        ...(over
          ? {
              workaround: 'each capture records the offset and stamps stills with corrected times',
              fix: MENU.clock,
            }
          : {}),
      });
    } catch (e) {
      add({
        id: 'clock',
        title: 'recorder clock',
        status: 'warn',
        detail: say(e),
        fix: 'the recorder did not give its time (/ISAPI/System/time); stills carry the appliance time uncorrected',
      });
    }

    // 4. Per camera: picture, live, search, playback of a past minute.
    for (const cam of o.cameras) {
      await cameraSteps(client, frames, cam, o, add);
    }

    // 5. The event stream and the alarm inputs used as buttons.
    add(await alertStreamStep(client, o.listenMs ?? 2500));
    for (const input of o.alarmInputs) add(await ioInputStep(client, input));
    if (o.alarmInputs.length === 0)
      add({ id: 'io-input', title: 'alarm input', status: 'skip', detail: 'no nvr-io button configured' });
    return steps;
  } finally {
    await client.close();
  }
}

async function cameraSteps(
  client: IsapiClient,
  frames: HikvisionFrameSource,
  cam: number,
  o: SelfTestOptions,
  add: (s: SelfTestStep) => SelfTestStep,
): Promise<void> {
  try {
    await frames.snapshot(cam);
    const route = frames.pictureRoute(cam);
    add({
      id: 'picture',
      title: 'picture',
      camera: cam,
      status: route?.workedAround ? 'workaround' : 'ok',
      detail: `a JPEG from ${route?.path ?? '?'}`,
      ...(route?.workedAround ? { workaround: `${route.workedAround}; the streaming proxy is used` } : {}),
    });
  } catch (e) {
    const err = e as NvrError;
    add({
      id: 'picture',
      title: 'picture',
      camera: cam,
      status: 'fail',
      detail: say(e),
      fix:
        err.status === 403 ? MENU.live(cam) : `check that camera ${cam} shows live on the recorder; ${MENU.live(cam)}`,
    });
  }

  try {
    await frames.live(cam, 1, 0);
    add({
      id: 'live',
      title: 'live view',
      camera: cam,
      status: 'ok',
      detail: 'one frame from the main stream over RTSP',
    });
  } catch (e) {
    add({
      id: 'live',
      title: 'live view',
      camera: cam,
      status: 'fail',
      detail: say(e),
      fix: `${MENU.live(cam)}; ${MENU.rtsp}`,
    });
  }

  const now = o.clock.now().getTime();
  const from = new Date(now - 90_000);
  const to = new Date(now - 60_000);
  try {
    const res = await client.request(
      'POST',
      '/ISAPI/ContentMgmt/search',
      'recording search',
      searchRequestXml({ searchId: randomUUID().toUpperCase(), trackId: cam * 100 + 1, from, to }),
    );
    const result = parseSearchResult(res.body.toString('utf8'));
    const m = result.matches[0];
    if (!m) {
      add({
        id: 'search',
        title: 'recording search',
        camera: cam,
        status: 'fail',
        detail: `no recording between ${isoSeconds(from)} and ${isoSeconds(to)}`,
        fix: MENU.recording(cam),
      });
      return;
    }
    const notes: string[] = [];
    if (Date.parse(m.endTime) < to.getTime() - 2000)
      notes.push(
        `the match reports endTime ${m.endTime}, before the window (a recording still being written); it is not trusted`,
      );
    const host = /^rtsp:\/\/(?:[^@/]*@)?([^/:]+)/i.exec(m.playbackURI)?.[1];
    if (host && host !== o.isapi.host)
      notes.push(`its playbackURI names ${host}; the configured address ${o.isapi.host} is used`);
    add({
      id: 'search',
      title: 'recording search',
      camera: cam,
      status: notes.length ? 'workaround' : 'ok',
      detail: `POST /ISAPI/ContentMgmt/search found ${result.matches.length} recording(s) for the minute before last`,
      ...(notes.length ? { workaround: notes.join('; ') } : {}),
    });
  } catch (e) {
    const err = e as NvrError;
    add({
      id: 'search',
      title: 'recording search',
      camera: cam,
      status: 'fail',
      detail: say(e),
      fix: err.status === 403 ? MENU.playback(cam) : MENU.isapi,
    });
    return;
  }

  try {
    const [f] = await frames.playback(cam, from, to, 1);
    add({
      id: 'playback',
      title: 'playback of a past minute',
      camera: cam,
      status: f ? 'ok' : 'fail',
      detail: f ? `a frame from ${isoSeconds(from)} over RTSP playback` : 'no frame',
      ...(f ? {} : { fix: MENU.playback(cam) }),
    });
  } catch (e) {
    add({
      id: 'playback',
      title: 'playback of a past minute',
      camera: cam,
      status: 'fail',
      detail: say(e),
      fix: `${MENU.playback(cam)}; ${MENU.rtsp}`,
    });
  }
}

async function alertStreamStep(client: IsapiClient, listenMs: number): Promise<SelfTestStep> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), listenMs);
  let parts = 0;
  let problems = 0;
  try {
    const body = await client.stream(ALERT_STREAM_PATH, 'event stream', ctl.signal);
    const parser = new MultipartStreamParser((p) => {
      if (!/xml/i.test(p.contentType)) return;
      try {
        parseAlert(p.body.toString('utf8'));
        parts++;
      } catch {
        problems++;
      }
    });
    try {
      for await (const chunk of body) parser.push(chunk);
    } catch {
      // the abort at the end of the listening time
    }
  } catch (e) {
    clearTimeout(timer);
    const err = e as NvrError;
    return {
      id: 'alert-stream',
      title: 'event stream',
      status: 'fail',
      detail: say(e),
      fix:
        err.status === 403
          ? "Configuration > System > User Management > (the appliance's user) > User Permission > Remote: Notify Surveillance Center / Alarm"
          : MENU.isapi,
    };
  } finally {
    clearTimeout(timer);
  }
  if (parts > 0)
    return {
      id: 'alert-stream',
      title: 'event stream',
      status: problems ? 'workaround' : 'ok',
      detail: `${parts} event(s) in ${listenMs / 1000} s (heartbeats)`,
      ...(problems ? { workaround: `${problems} unreadable event(s) skipped; the stream stays open` } : {}),
    };
  return {
    id: 'alert-stream',
    title: 'event stream',
    status: 'workaround',
    detail: `open, but no heartbeat in ${listenMs / 1000} s`,
    workaround:
      'this recorder sends nothing while idle (newer firmware): after 40 s of silence the appliance asks the recorder and reopens the stream quietly, without reporting it down',
  };
}

async function ioInputStep(client: IsapiClient, input: number): Promise<SelfTestStep> {
  const base = { id: 'io-input', title: `alarm input ${input}` };
  try {
    const xml = await client.getXml(`/ISAPI/Event/triggers/IO-${input}`, `alarm input ${input} linkage`);
    if (/<(?:\w+:)?notificationMethod>\s*center\s*</.test(xml))
      return { ...base, status: 'ok', detail: 'Notify Surveillance Center is ticked: presses reach the event stream' };
    return {
      ...base,
      status: 'fail',
      detail: 'Notify Surveillance Center is not ticked: presses never reach the event stream',
      fix: `${MENU.ioInput(input)}`,
    };
  } catch (e) {
    if (isNvrError(e) && e.code === 'nvr-unreachable') return { ...base, status: 'fail', detail: say(e) };
    return {
      ...base,
      status: 'warn',
      detail: `its linkage cannot be read (${say(e)}); press the button and watch the incidents list`,
      fix: MENU.ioInput(input),
    };
  }
}

export function selfTestSummary(steps: readonly SelfTestStep[]): Record<StepStatus, number> {
  const s: Record<StepStatus, number> = { ok: 0, workaround: 0, warn: 0, fail: 0, skip: 0 };
  for (const x of steps) s[x.status]++;
  return s;
}

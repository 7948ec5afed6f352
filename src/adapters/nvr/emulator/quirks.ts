// Field behaviour of real Hikvision and ONVIF recorders the emulator can reproduce (`nvr-emulator --quirks`), so
// each has a test and a doctor line. The numbers are the items of docs/nvr.md's "Recorders in the field" table.

export const QUIRKS = {
  'picture-400': { item: 1, what: 'the channel picture answers 400 badXmlContent (NVR IP channels on some firmware)' },
  'picture-403': { item: 2, what: 'the channel picture answers 403' },
  'picture-xml': { item: 3, what: 'the channel picture answers 200 with a ResponseStatus XML instead of a JPEG' },
  camera: {
    item: 4,
    what: 'a standalone camera: 403 on /ISAPI/ContentMgmt/InputProxy/channels, no streaming proxy, deviceType IPCamera',
  },
  'nat-uri': {
    item: 5,
    what: 'media URIs (search playbackURI) name 192.168.254.2, an address the appliance cannot reach',
  },
  'not-isapi': { item: 6, what: '/ISAPI/System/deviceInfo answers 200 with an HTML page and no login (not ISAPI)' },
  'login-lock': {
    item: 7,
    what: 'illegal login lock: after 3 failed logins every login is refused (401, lockStatus lock) for lockSeconds',
  },
  'sha256-only': { item: 8, what: 'digest with SHA-256 only' },
  'multi-challenge': { item: 8, what: 'several WWW-Authenticate challenges (Basic, SHA-256, MD5) in separate headers' },
  'no-algorithm': { item: 8, what: 'a digest challenge without algorithm= (MD5 implied)' },
  'basic-only': { item: 8, what: 'an older device offering Basic login only' },
  'search-post-only': { item: 9, what: 'recording search answers GET with 403; only POST works' },
  'recording-in-progress': {
    item: 9,
    what: 'a recording still being written: the search match reports an endTime before the window (the segment start)',
  },
  'playback-ignores-endtime': {
    item: 9,
    what: 'RTSP playback plays on past endtime (the RTSP side always does; listed so the mode can be named)',
  },
  'posix-tz': {
    item: 9,
    what: '/ISAPI/System/time gives localTime without an offset and the zone as a POSIX string (CET-1CEST,M3.5.0,M10.5.0/3)',
  },
  'alert-empty': { item: 10, what: 'alertStream events carry empty elements (<activePostCount/>, <channelName/>)' },
  'no-heartbeat': { item: 10, what: 'alertStream sends no videoloss heartbeats while idle (newer cameras)' },
  'io-not-notified': {
    item: 10,
    what: 'alarm inputs never reach alertStream: "Notify Surveillance Center" is not ticked for IO-1',
  },
  'download-refused': {
    item: 12,
    what: 'the recorder refuses its own download (/ISAPI/ContentMgmt/download answers 403): footage only by RTSP playback',
  },
  'recording-growing': {
    item: 12,
    what: 'the search endTime is where the recorder has written to (a few seconds behind now) and moves on while it records',
  },
  'clock-skew': { item: 11, what: "the recorder's clock runs ahead of the appliance's (7 s unless clockSkewMs says)" },
} as const;

export type QuirkName = keyof typeof QUIRKS;

export const QUIRK_NAMES = Object.keys(QUIRKS) as QuirkName[];

/** Parses `a,b,c`; throws with the list of known names on an unknown one. */
export function parseQuirks(text: string): QuirkName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(n in QUIRKS));
  if (bad.length > 0)
    throw new Error(`unknown quirk${bad.length > 1 ? 's' : ''} ${bad.join(', ')}: use ${QUIRK_NAMES.join(', ')}`);
  return names as QuirkName[];
}

/** One line per quirk: name, issue item, what it does. */
export function quirkList(): string[] {
  const width = Math.max(...QUIRK_NAMES.map((n) => n.length));
  return QUIRK_NAMES.map((n) => `${n.padEnd(width)}  ${String(QUIRKS[n].item).padStart(2)}  ${QUIRKS[n].what}`);
}

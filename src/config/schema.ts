// The one schema for the appliance's configuration file: it validates the file, gives the TypeScript type and
// generates docs/configuration.md (scripts/gen-config-docs.ts), so the three cannot drift apart.
import { type Static, Type as T } from '@sinclair/typebox';

const Obj = <P extends Parameters<typeof T.Object>[0]>(props: P, description: string) =>
  T.Object(props, { additionalProperties: false, description, default: {} });

const FilePath = (description: string) => T.String({ minLength: 1, description });

export const SiteSchema = T.Object(
  {
    id: T.String({
      pattern: '^[a-z0-9][a-z0-9-]{1,62}$',
      description:
        'Site id given by the partnership (lower-case letters, digits, hyphens). Appears in MQTT topics and packets.',
    }),
    name: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 100,
        description: 'Shop name shown on the web pages. Never sent to the hub.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Which shop this appliance serves.' },
);

export const ChannelSchema = T.Object(
  {
    id: T.Integer({ minimum: 1, maximum: 256, description: 'NVR channel number (1 = D1).' }),
    name: T.String({ minLength: 1, maxLength: 60, description: 'Camera name staff see, e.g. "Till" or "Door".' }),
    enabled: T.Boolean({ default: true, description: 'Offer this camera for captures.' }),
  },
  { additionalProperties: false },
);

export const NvrSchema = Obj(
  {
    kind: T.Union([T.Literal('hikvision'), T.Literal('onvif')], {
      default: 'hikvision',
      description: 'Recorder protocol: Hikvision ISAPI + RTSP, or ONVIF Profile S for other makes.',
    }),
    host: T.String({
      minLength: 1,
      default: '127.0.0.1',
      description: 'NVR address on the shop LAN (IP or host name).',
    }),
    port: T.Integer({ minimum: 1, maximum: 65535, default: 80, description: 'NVR HTTP(S) port for ISAPI/ONVIF.' }),
    scheme: T.Union([T.Literal('http'), T.Literal('https')], {
      default: 'http',
      description: 'ISAPI over http or https.',
    }),
    rtspPort: T.Integer({ minimum: 1, maximum: 65535, default: 554, description: 'NVR RTSP port.' }),
    username: T.String({
      minLength: 1,
      default: 'admin',
      description: 'NVR user (give it only the rights in docs/nvr.md).',
    }),
    password: T.Optional(T.String({ minLength: 1, description: 'NVR password. Prefer passwordFile; never both.' })),
    passwordFile: T.Optional(
      FilePath('File holding the NVR password (mode 0600), e.g. /etc/bcrp-edge/secrets/nvr-password.'),
    ),
    tlsFingerprint: T.Optional(
      T.String({
        pattern: '^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$',
        description: 'SHA-256 fingerprint of the NVR certificate to pin (https only).',
      }),
    ),
    timeoutMs: T.Integer({
      minimum: 500,
      maximum: 60000,
      default: 5000,
      description: 'Per-request timeout for the NVR.',
    }),
    allowBasicAuth: T.Boolean({
      default: false,
      description:
        'Answer a recorder that offers only Basic login over http (the password then crosses the LAN in clear text). Over https Basic is always answered.',
    }),
    channels: T.Array(ChannelSchema, {
      default: [{ id: 1, name: 'Camera 1', enabled: true }],
      description: 'Cameras offered for capture.',
    }),
  },
  'The shop recorder the stills come from.',
);

export const CaptureSchema = Obj(
  {
    preSeconds: T.Number({
      minimum: 0,
      maximum: 120,
      default: 10,
      description: 'Seconds before the trigger the window starts.',
    }),
    postSeconds: T.Number({
      minimum: 0,
      maximum: 60,
      default: 5,
      description: 'Seconds after the trigger the window ends.',
    }),
    stills: T.Integer({ minimum: 1, maximum: 20, default: 5, description: 'Stills pulled per incident.' }),
    frameTimeoutMs: T.Integer({
      minimum: 1000,
      maximum: 120000,
      default: 15000,
      description: 'A stream that gives no frame in this time is abandoned.',
    }),
    retryMinutes: T.Integer({
      minimum: 1,
      maximum: 1440,
      default: 5,
      description: 'Minutes between retries of a failed capture while the NVR still holds the footage.',
    }),
    minFreeMb: T.Integer({
      minimum: 0,
      maximum: 1_000_000,
      default: 200,
      description:
        'New captures are refused (capture-failed, retried later while the NVR keeps the footage; nothing is deleted) while the data disk has less free space than this, in MB.',
    }),
    preRoll: Obj(
      {
        enabled: T.Boolean({
          default: false,
          description: 'Keep the last seconds of each camera in RAM (no decoding).',
        }),
        seconds: T.Integer({ minimum: 10, maximum: 120, default: 45, description: 'Length of the RAM pre-roll.' }),
        dir: T.String({ default: '/dev/shm/bcrp-edge', description: 'RAM directory for the pre-roll segments.' }),
      },
      'Pre-roll ring buffer.',
    ),
  },
  'How stills are pulled from the recorder when someone presses the button.',
);

export const EvidenceSchema = Obj(
  {
    enabled: T.Boolean({
      default: true,
      description:
        "Seal the recorder's own footage of each captured incident as the police master (Hikvision recorders).",
    }),
    clipPreSeconds: T.Integer({
      minimum: 0,
      maximum: 300,
      default: 30,
      description: 'Seconds of footage before the trigger in the police master.',
    }),
    clipPostSeconds: T.Integer({
      minimum: 0,
      maximum: 300,
      default: 30,
      description: 'Seconds of footage after the trigger (the whole window is capped at 5 minutes).',
    }),
    waitSeconds: T.Integer({
      minimum: 0,
      maximum: 3600,
      default: 120,
      description:
        "How long to keep asking while the recorder is still writing the window's end (its endTime moves on); then what it has is sealed and marked short.",
    }),
    pollSeconds: T.Integer({ minimum: 1, maximum: 60, default: 5, description: 'Pause between those searches.' }),
    retryMinutes: T.Integer({
      minimum: 1,
      maximum: 1440,
      default: 10,
      description: 'Minutes between attempts when the recorder could not be reached.',
    }),
    maxAttempts: T.Integer({ minimum: 1, maximum: 100, default: 12, description: 'Attempts before giving up.' }),
    packetWaitSeconds: T.Integer({
      minimum: 0,
      maximum: 600,
      default: 0,
      description:
        "A packet sent while the incident's master is still on its way waits up to this long for it, so that it carries the master's SHA-256; after that (or when the master fails) it goes without. The send waits too (staff see it busy), so the default 0 never waits: a packet sent before the master is sealed goes without its hash.",
    }),
    maxBytes: T.Integer({
      minimum: 100_000_000,
      default: 10_000_000_000,
      description:
        'Disk the sealed police masters may use, in bytes. A new master that would go over it makes room by deleting the oldest masters not under an evidence hold (each deletion audited with its hash); a held master is never deleted, and if only held ones are left the new master is refused (audited, retried later).',
    }),
  },
  "The police master: the recorder's native footage of each incident window, sealed on the appliance (docs/evidence.md).",
);

export const RedactionSchema = Obj(
  {
    model: T.Union([T.Literal('blazeface'), T.Literal('yunet')], {
      default: 'yunet',
      description:
        "Face detector: yunet (sees CCTV-sized faces; installed by `bcrp-edge models fetch yunet` into the data dir, or at modelPath) or blazeface (installed with npm; misses most faces under ~80 px). Without the yunet file the appliance runs blazeface, says so, and holds context stills for a reviewer's confirmation.",
    }),
    modelPath: T.Optional(FilePath('Path of the ONNX model file (required for yunet).')),
    modelSha256: T.Optional(
      T.String({ pattern: '^[0-9a-f]{64}$', description: 'Expected SHA-256 of modelPath; overrides the manifest.' }),
    ),
    scoreThreshold: T.Optional(
      T.Number({
        minimum: 0.05,
        maximum: 0.99,
        description:
          "Minimum detector score for a face. Unset: the model's own, measured with its sweet spot (models/manifest.json: yunet 0.3, blazeface 0.5).",
      }),
    ),
    margin: T.Number({
      minimum: 1,
      maximum: 3,
      default: 1.4,
      description: 'Each face box grows by this factor before it is redacted.',
    }),
    mode: T.Union([T.Literal('solid'), T.Literal('pixelate'), T.Literal('blur')], {
      default: 'solid',
      description: 'How faces are made unrecognisable. solid is the safe default.',
    }),
    maxLongSide: T.Integer({
      minimum: 320,
      maximum: 4096,
      default: 1280,
      description: 'Redacted images are scaled down to this long side.',
    }),
    subjectCropMargin: T.Number({
      minimum: 1,
      maximum: 6,
      default: 2.5,
      description: 'Subject crop size as a multiple of the subject face box.',
    }),
    tiles: T.Boolean({
      default: true,
      description:
        'Run every pass the planner derives from the image size and minFacePx (scaled copies, overlapping windows). Off: only the whole-frame pass for the largest faces — for benchmarks, never for sending.',
    }),
    threads: T.Integer({
      minimum: 1,
      maximum: 16,
      default: 2,
      description: 'onnxruntime intra-op threads; also how many window inferences are kept in flight.',
    }),
    minFacePx: T.Integer({
      minimum: 8,
      maximum: 256,
      default: 16,
      description:
        "Smallest face height, in pixels of the still, that must be found. The planner picks scales and windows so every face from this size up to maxFacePx is seen inside the model's measured sweet spot (docs/redaction.md).",
    }),
    planBudget: T.Number({
      minimum: 1,
      maximum: 64,
      default: 4,
      description:
        "Most model-input pixels one detection may feed, as a multiple of the still's pixels. When minFacePx needs more, the planner raises the smallest face it covers and `detect --json` shows the range covered.",
    }),
    maxFacePx: T.Optional(
      T.Integer({
        minimum: 16,
        maximum: 8192,
        description: 'Largest face height, in pixels of the still, that must be found; the frame height when unset.',
      }),
    ),
    maxInputPixels: T.Integer({
      minimum: 100000,
      maximum: 100000000,
      default: 40000000,
      description: 'Stills with more pixels than this are refused before decoding.',
    }),
    jpegQuality: T.Integer({ minimum: 50, maximum: 95, default: 85, description: 'JPEG quality of redacted stills.' }),
  },
  'On-device face detection and redaction.',
);

export const MqttSchema = Obj(
  {
    url: T.String({
      pattern: '^mqtts?://',
      default: 'mqtts://127.0.0.1:8883',
      description: 'Broker URL (mqtts:// in production).',
    }),
    ca: T.Optional(FilePath('CA certificate (PEM) the broker certificate must chain to.')),
    cert: T.Optional(FilePath('Client certificate (PEM) issued at enrolment.')),
    key: T.Optional(FilePath('Client private key (PEM, mode 0600).')),
    topicPrefix: T.String({
      pattern: '^[a-z0-9][a-z0-9/_-]*[a-z0-9]$',
      default: 'bcrp',
      description: 'Topic prefix: <prefix>/<site>/…',
    }),
    keepaliveSeconds: T.Integer({ minimum: 5, maximum: 600, default: 30, description: 'MQTT keepalive.' }),
  },
  'The broker in front of the partnership hub.',
);

export const HubSchema = Obj(
  {
    signingKeys: T.Array(FilePath('Hub Ed25519 public key (PEM) whose signed acks are accepted.'), {
      default: [],
      description: 'Hub public keys for acknowledgements.',
    }),
    encryptionKey: T.Optional(FilePath('Hub X25519 public key (PEM); when set, packets are encrypted to it.')),
    encrypt: T.Boolean({
      default: true,
      description:
        'Encrypt packets (JWE) to the hub key so the broker never sees faces. Needs encryptionKey once the appliance is enrolled (deviceKey set); hubs refuse plain packets by default. false only for a test hub that allows them.',
    }),
    maxPacketBytes: T.Integer({
      minimum: 65536,
      maximum: 16777216,
      default: 2097152,
      description: 'Largest packet sent; larger is refused.',
    }),
    deviceKey: T.Optional(
      FilePath("This appliance's Ed25519 signing key (PEM, mode 0600), made by `bcrp-edge keys generate`."),
    ),
    ackTimeoutSeconds: T.Integer({
      minimum: 5,
      maximum: 3600,
      default: 60,
      description:
        'A packet not acknowledged by the hub in this time is published again (doubling, up to maxRetrySeconds).',
    }),
    maxRetrySeconds: T.Integer({
      minimum: 5,
      maximum: 86400,
      default: 300,
      description: 'Longest wait between two publish attempts of one packet (capped exponential backoff).',
    }),
    checkpointMinutes: T.Integer({
      minimum: 1,
      maximum: 1440,
      default: 60,
      description: 'How often a signed checkpoint of the audit chain head is published to the hub.',
    }),
  },
  'The partnership hub the packets go to.',
);

export const WebSchema = Obj(
  {
    bind: T.String({
      minLength: 1,
      default: '127.0.0.1',
      description: 'Address the web UI listens on (the shop-LAN address in production).',
    }),
    port: T.Integer({ minimum: 1, maximum: 65535, default: 8443, description: 'HTTPS port of the web UI.' }),
    tlsCert: T.Optional(FilePath('Web TLS certificate (PEM), made at provisioning.')),
    tlsKey: T.Optional(FilePath('Web TLS key (PEM, mode 0600).')),
    metricsTokenFile: T.Optional(FilePath('File holding the bearer token for /metrics.')),
    fourEyes: T.Boolean({ default: false, description: 'A manager must approve each send.' }),
    sessionHours: T.Number({
      minimum: 0.25,
      maximum: 24,
      default: 8,
      description: 'Web sessions expire after this many hours.',
    }),
  },
  'The web UI on the shop LAN.',
);

export const RetentionSchema = Obj(
  {
    originalsDays: T.Integer({
      minimum: 1,
      maximum: 31,
      default: 30,
      description: 'Unredacted originals are deleted after this (the NVR keeps its own 30 days).',
    }),
    draftsDays: T.Integer({
      minimum: 1,
      maximum: 31,
      default: 7,
      description: 'Redacted stills never sent are deleted after this.',
    }),
    sentDays: T.Integer({
      minimum: 1,
      maximum: 365,
      default: 30,
      description: 'Local copies of sent packets are kept this long after the hub acknowledged them.',
    }),
    failedCapturesDays: T.Integer({
      minimum: 1,
      maximum: 31,
      default: 7,
      description: 'Failed captures are deleted after this.',
    }),
    sweepHour: T.Integer({
      minimum: 0,
      maximum: 23,
      default: 3,
      description: 'Local hour of the daily retention sweep.',
    }),
    checkpointRows: T.Integer({
      minimum: 1,
      maximum: 100000,
      default: 200,
      description: 'Sign an audit checkpoint for the hub after this many new audit entries.',
    }),
    checkpointMinutes: T.Integer({
      minimum: 1,
      maximum: 1440,
      default: 60,
      description: 'Sign an audit checkpoint for the hub at least this often while entries are added.',
    }),
  },
  'How long the appliance keeps what it holds.',
);

export const ButtonSchema = T.Union(
  [
    T.Object(
      {
        kind: T.Literal('gpio'),
        chip: T.String({ default: 'gpiochip0', description: 'GPIO chip.' }),
        line: T.Integer({ minimum: 0, maximum: 511, description: 'Input line (BCM number on a Pi).' }),
        camera: T.Integer({ minimum: 1, description: 'Camera captured on a press.' }),
        ledLine: T.Optional(
          T.Integer({ minimum: 0, maximum: 511, description: 'Output line lit when stills are captured.' }),
        ),
      },
      { additionalProperties: false },
    ),
    T.Object(
      {
        kind: T.Literal('keyboard'),
        device: T.String({
          minLength: 1,
          description: 'Input device path or name, e.g. /dev/input/by-id/usb-…-event-kbd.',
        }),
        key: T.String({ default: 'KEY_ENTER', description: 'Key code that counts as a press.' }),
        camera: T.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
    T.Object(
      {
        kind: T.Literal('nvr-io'),
        input: T.Integer({ minimum: 1, description: 'NVR alarm input number (inputIOPortID).' }),
        camera: T.Integer({ minimum: 1 }),
        output: T.Optional(
          T.Integer({
            minimum: 1,
            description: 'NVR alarm output (relay, buzzer) pulsed when stills are captured.',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'A hardware trigger.' },
);

export const ButtonsSchema = Obj(
  {
    sources: T.Array(ButtonSchema, {
      default: [],
      description: 'Hardware triggers (GPIO line, USB keyboard-type button, NVR alarm input).',
    }),
    debounceMs: T.Integer({
      minimum: 10,
      maximum: 2000,
      default: 50,
      description: 'Presses closer than this count once.',
    }),
    longPressMs: T.Integer({
      minimum: 500,
      maximum: 10000,
      default: 1500,
      description: 'A press held this long means "it happened earlier".',
    }),
    longPressMinutesAgo: T.Integer({
      minimum: 1,
      maximum: 60,
      default: 5,
      description: 'How far back a long press places the incident.',
    }),
  },
  'Hardware buttons.',
);

export const UsersSchema = Obj(
  {
    file: T.Optional(FilePath('YAML file of initial web accounts (username, role, scrypt hash) imported at start.')),
  },
  'Web accounts.',
);

export const LoggingSchema = Obj(
  {
    level: T.Union(
      [
        T.Literal('fatal'),
        T.Literal('error'),
        T.Literal('warn'),
        T.Literal('info'),
        T.Literal('debug'),
        T.Literal('trace'),
      ],
      { default: 'info', description: 'Log level.' },
    ),
  },
  'Logging.',
);

export const ClipsSchema = Obj(
  {
    enabled: T.Boolean({
      default: false,
      description:
        'Make a redacted clip of each captured incident (needs the recorder; faces tracked, all filled until a subject is picked).',
    }),
    preSeconds: T.Number({
      minimum: 0,
      maximum: 30,
      default: 5,
      description: 'Seconds of the clip before the trigger.',
    }),
    postSeconds: T.Number({
      minimum: 0,
      maximum: 30,
      default: 5,
      description: 'Seconds of the clip after the trigger.',
    }),
    fps: T.Integer({ minimum: 2, maximum: 15, default: 8, description: 'Frames per second of the redacted clip.' }),
    maxSide: T.Integer({
      minimum: 320,
      maximum: 1920,
      default: 960,
      description: 'Longer side of the redacted clip in pixels (never enlarged).',
    }),
    maxBytes: T.Integer({
      minimum: 100000,
      maximum: 50000000,
      default: 8000000,
      description: 'A redacted clip larger than this is refused (it would not fit in a packet).',
    }),
  },
  'Redacted video clips of incidents (preSeconds + postSeconds is at most 30).',
);

export const ConfigSchema = T.Object(
  {
    site: SiteSchema,
    nvr: NvrSchema,
    capture: CaptureSchema,
    evidence: EvidenceSchema,
    redaction: RedactionSchema,
    mqtt: MqttSchema,
    hub: HubSchema,
    web: WebSchema,
    retention: RetentionSchema,
    buttons: ButtonsSchema,
    users: UsersSchema,
    logging: LoggingSchema,
    clips: ClipsSchema,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type ChannelConfig = Static<typeof ChannelSchema>;
export type RedactionConfig = Static<typeof RedactionSchema>;
export type ClipsConfig = Static<typeof ClipsSchema>;
export type ButtonConfig = Static<typeof ButtonSchema>;

/** Keys whose values are secrets: never printed, never logged. */
export const SECRET_KEYS = ['password'] as const;

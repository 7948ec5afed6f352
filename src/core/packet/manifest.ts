// The incident packet's manifest: the allow-listed fields that leave the shop. This one TypeBox schema validates
// packets (device and hub), gives the TypeScript type and is written out as docs/packet-manifest.schema.json.
import { type Static, Type as T } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { INCIDENT_CATEGORIES } from '../incident.js';

export const PACKET_SCHEMA_VERSION = 'bcrp-packet/1';
/** The format of a packet that carries a redacted clip: version 1 plus `clip` (a v1-only reader refuses it). */
export const PACKET_SCHEMA_V2 = 'bcrp-packet/2';
/** The formats this code reads. */
export const PACKET_FORMATS = [PACKET_SCHEMA_VERSION, PACKET_SCHEMA_V2] as const;
/** The default and documented cap on one packet (the bytes of the JWS or JWE text, i.e. one MQTT payload). */
export const DEFAULT_MAX_PACKET_BYTES = 2 * 1024 * 1024;
export const MAX_DESCRIPTION_CHARS = 280;
export const MAX_IMAGES = 12;

/** BCRP retention classes (seed 001): shared 12 months, or 24 months after a second report. */
export const RETENTION_CLASSES = ['shared-12m', 'shared-24m-second-report'] as const;
export type RetentionClass = (typeof RETENTION_CLASSES)[number];

const Sha256 = T.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lower-case hex.' });
const Time = T.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$',
  description: 'UTC time, ISO 8601 with Z.',
});

export const PacketImageSchema = T.Object(
  {
    name: T.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,59}\\.jpg$', description: 'File name inside the packet.' }),
    role: T.Union([T.Literal('subject'), T.Literal('context')], {
      description: 'subject: the crop around the reported person; context: a still with every other face redacted.',
    }),
    mime: T.Literal('image/jpeg'),
    width: T.Integer({ minimum: 1, maximum: 8192 }),
    height: T.Integer({ minimum: 1, maximum: 8192 }),
    sha256: Sha256,
  },
  { additionalProperties: false },
);

export const PacketRedactionSchema = T.Object(
  {
    facesFound: T.Integer({ minimum: 0, maximum: 10000 }),
    facesRedacted: T.Integer({ minimum: 0, maximum: 10000 }),
    facesKept: T.Integer({ minimum: 0, maximum: 10000 }),
    extraBoxes: T.Integer({ minimum: 0, maximum: 10000 }),
    model: T.Object(
      {
        id: T.String({ pattern: '^[A-Za-z0-9._:-]{1,64}$' }),
        sha256: Sha256,
      },
      { additionalProperties: false },
    ),
    mode: T.Union([T.Literal('solid'), T.Literal('pixelate'), T.Literal('blur'), T.Literal('external')], {
      description: "How faces were made unrecognisable; 'external' = redacted outside the appliance (packet create).",
    }),
    verification: T.Optional(
      T.Object(
        {
          result: T.Literal('verified', {
            description: 'Every image was checked after redaction and no face was found outside the kept subject.',
          }),
          passes: T.Integer({ minimum: 0, maximum: 100000, description: 'Detector passes of the checks, summed.' }),
          facesFoundAfterRedaction: T.Integer({
            minimum: 0,
            maximum: 10000,
            description: 'Faces the checks found and redacted as well before the images were certified.',
          }),
        },
        {
          additionalProperties: false,
          description:
            'The redaction certificate: detection run again on each redacted image with a different pass plan. Absent from packets built outside the appliance. No boxes of bystanders.',
        },
      ),
    ),
  },
  { additionalProperties: false, description: 'What the redaction step did, summed over the images.' },
);

export const PacketRecorderClockSchema = T.Object(
  {
    offsetMs: T.Integer({
      minimum: -86_400_000,
      maximum: 86_400_000,
      description: "The recorder's clock minus the appliance's (NTP) clock, in ms; > 0 means the recorder ran ahead.",
    }),
    source: T.Union([T.Literal('isapi'), T.Literal('onvif')], { description: 'How the recorder clock was read.' }),
    measuredAt: Time,
  },
  {
    additionalProperties: false,
    description:
      "The recorder's clock offset measured at capture. incidentTime and the images are already in the appliance's time; this says how far the recorder's own timestamps (burnt-in OSD, its exports) differ.",
  },
);

export const PacketEvidenceMasterSchema = T.Object(
  {
    sha256: T.String({
      pattern: '^[0-9a-f]{64}$',
      description:
        "SHA-256 of the recorder's native footage exactly as received (the police master; the footage itself never leaves).",
    }),
    windowFrom: Time,
    windowTo: Time,
  },
  {
    additionalProperties: false,
    description:
      "The sealed police master of the incident kept on the appliance (docs/evidence.md): its hash and window in the appliance's time, so the partnership and the police can tie this report to the original footage. Absent when no master was sealed before the packet was queued.",
  },
);

export const PacketClipSchema = T.Object(
  {
    name: T.Literal('clip.mp4', { description: 'File name inside the packet.' }),
    mime: T.Literal('video/mp4', { description: 'H.264 (yuv420p), no audio stream, no metadata, faststart.' }),
    width: T.Integer({ minimum: 1, maximum: 4096 }),
    height: T.Integer({ minimum: 1, maximum: 4096 }),
    fps: T.Number({ exclusiveMinimum: 0, maximum: 60, description: 'Frames per second.' }),
    durationSeconds: T.Number({ exclusiveMinimum: 0, maximum: 30 }),
    startTime: T.Optional(Time),
    sha256: Sha256,
    redaction: T.Object(
      {
        facesTracked: T.Integer({ minimum: 0, maximum: 10000, description: 'Distinct faces (tracks) in the clip.' }),
        facesFilled: T.Integer({ minimum: 0, maximum: 10000, description: 'Tracks filled solid on every frame.' }),
        facesKept: T.Integer({ minimum: 0, maximum: 100, description: "Tracks kept visible: the subject's." }),
        extraBoxes: T.Integer({ minimum: 0, maximum: 1000, description: "The reviewer's boxes over time ranges." }),
        model: T.Object(
          { id: T.String({ pattern: '^[A-Za-z0-9._:-]{1,64}$' }), sha256: Sha256 },
          { additionalProperties: false },
        ),
        mode: T.Literal('solid'),
        verification: T.Object(
          {
            result: T.Literal('verified', {
              description: 'Every frame of the encoded clip was searched again; no face outside the subject.',
            }),
            framesChecked: T.Integer({ minimum: 1, maximum: 10000 }),
            facesRepaired: T.Integer({
              minimum: 0,
              maximum: 10000,
              description: 'Faces the check found and filled before the clip was certified.',
            }),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false, description: 'What the clip redaction did (no boxes of bystanders).' },
    ),
  },
  {
    additionalProperties: false,
    description:
      'A redacted clip of the incident window (docs/clips.md): every face filled solid except the subject. Only in bcrp-packet/2.',
  },
);

export const PacketManifestSchema = T.Object(
  {
    schema: T.Union([T.Literal(PACKET_SCHEMA_VERSION), T.Literal(PACKET_SCHEMA_V2)], {
      description: 'Format version: bcrp-packet/2 when the packet carries a clip, bcrp-packet/1 otherwise.',
    }),
    id: T.String({
      pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
      description: 'Packet id, UUIDv7; the hub de-duplicates on it.',
    }),
    siteId: T.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'Site id given by the partnership.' }),
    deviceId: T.String({
      pattern: '^[0-9a-f]{64}$',
      description: "SHA-256 of the device's Ed25519 public key (SPKI DER); the JWS kid.",
    }),
    createdAt: Time,
    incidentTime: Time,
    category: T.Union(
      INCIDENT_CATEGORIES.map((c) => T.Literal(c)),
      { description: 'Fixed category list.' },
    ),
    retentionClass: T.Union(
      RETENTION_CLASSES.map((c) => T.Literal(c)),
      { description: 'BCRP retention class the hub enforces.' },
    ),
    redaction: PacketRedactionSchema,
    images: T.Array(PacketImageSchema, { minItems: 1, maxItems: MAX_IMAGES }),
    description: T.Optional(
      T.String({ minLength: 1, maxLength: MAX_DESCRIPTION_CHARS, description: 'Short, optional; no names.' }),
    ),
    recorderClock: T.Optional(PacketRecorderClockSchema),
    evidenceMaster: T.Optional(PacketEvidenceMasterSchema),
    clip: T.Optional(PacketClipSchema),
  },
  {
    additionalProperties: false,
    $id: 'https://schemas.invalid/bcrp-packet-1.json',
    title: 'BCRP Edge incident packet manifest',
  },
);

export type PacketManifest = Static<typeof PacketManifestSchema>;
export type PacketImage = Static<typeof PacketImageSchema>;
export type PacketRedaction = Static<typeof PacketRedactionSchema>;
export type PacketRecorderClock = Static<typeof PacketRecorderClockSchema>;
export type PacketEvidenceMaster = Static<typeof PacketEvidenceMasterSchema>;
export type PacketClip = Static<typeof PacketClipSchema>;

/** The signed JWS payload: the manifest and the image bytes (base64) together. */
export const PacketPayloadSchema = T.Object(
  {
    manifest: T.Unknown(),
    images: T.Array(
      T.Object({ name: T.String(), data: T.String({ contentEncoding: 'base64' }) }, { additionalProperties: false }),
    ),
    clip: T.Optional(
      T.Object({ name: T.String(), data: T.String({ contentEncoding: 'base64' }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type PacketPayload = Static<typeof PacketPayloadSchema>;

// Compiled once: a hub checks every packet it receives.
const manifestCheck = TypeCompiler.Compile(PacketManifestSchema);

/** Every schema problem, as "path: message" lines (empty when valid). */
export function manifestProblems(value: unknown): string[] {
  // A format this code does not read is named as such, not as a list of field errors.
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (typeof schema === 'string' && !(PACKET_FORMATS as readonly string[]).includes(schema))
    return [
      `/schema: packet format ${schema.slice(0, 40)} is not one this reader knows (${PACKET_FORMATS.join(', ')})`,
    ];
  const problems = manifestCheck.Check(value)
    ? []
    : [...manifestCheck.Errors(value)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length === 0) {
    const m = value as PacketManifest;
    const names = new Set<string>();
    for (const img of m.images) {
      if (names.has(img.name)) problems.push(`/images: the name ${img.name} appears twice`);
      names.add(img.name);
    }
    if (m.schema === PACKET_SCHEMA_V2 && !m.clip) problems.push(`/clip: a ${PACKET_SCHEMA_V2} packet carries a clip`);
    if (m.schema === PACKET_SCHEMA_VERSION && m.clip)
      problems.push(`/schema: a packet with a clip is ${PACKET_SCHEMA_V2}, not ${PACKET_SCHEMA_VERSION}`);
  }
  return problems;
}

export function isManifest(value: unknown): value is PacketManifest {
  return manifestProblems(value).length === 0;
}

// Builds a packet's manifest and image list from redaction outputs only. The parameter type is RedactedImage,
// which only the redaction step can make, so an unredacted still cannot reach a packet through this path.
import { INCIDENT_CATEGORIES, type IncidentCategory } from '../incident.js';
import type { RedactedImage } from '../redaction.js';
import {
  MAX_DESCRIPTION_CHARS,
  MAX_IMAGES,
  PACKET_SCHEMA_V2,
  PACKET_SCHEMA_VERSION,
  type PacketClip,
  type PacketEvidenceMaster,
  type PacketManifest,
  type PacketRecorderClock,
  type PacketRedaction,
  type RetentionClass,
} from './manifest.js';

export class PacketInputError extends Error {
  readonly code = 'packet-input';
}

export interface PacketFile {
  name: string;
  bytes: Buffer;
}

export interface PacketContents {
  manifest: PacketManifest;
  files: PacketFile[];
  /** The redacted clip's MP4 (bcrp-packet/2 only; its entry is manifest.clip). */
  clip?: PacketFile;
}

/** The clip as the clips feature hands it over: the verified MP4 and its manifest entry (its hash included). */
export interface ClipInput {
  entry: Omit<PacketClip, 'name' | 'mime'>;
  bytes: Buffer;
}

/** The same packet with the redacted clip added: format bcrp-packet/2 (a v1-only hub refuses it by name). */
export function withClip(contents: PacketContents, clip: ClipInput): PacketContents {
  return {
    manifest: {
      ...contents.manifest,
      schema: PACKET_SCHEMA_V2,
      clip: { name: 'clip.mp4', mime: 'video/mp4', ...clip.entry },
    },
    files: contents.files,
    clip: { name: 'clip.mp4', bytes: clip.bytes },
  };
}

export interface ImageInput<I> {
  image: I;
  role: 'subject' | 'context';
}

export interface ManifestFields {
  id: string;
  siteId: string;
  deviceId: string;
  createdAt: Date;
  incidentTime: Date;
  category: IncidentCategory | string;
  retentionClass: RetentionClass;
  description?: string | undefined;
  /** The recorder's clock offset measured when the stills were pulled. */
  recorderClock?: PacketRecorderClock | undefined;
  /** The hash and window of the incident's sealed police master, when there is one. */
  evidenceMaster?: PacketEvidenceMaster | undefined;
}

function checkFields(f: ManifestFields, count: number): void {
  if (!(INCIDENT_CATEGORIES as readonly string[]).includes(f.category))
    throw new PacketInputError(`unknown category '${f.category}': use one of ${INCIDENT_CATEGORIES.join(', ')}`);
  if (count === 0) throw new PacketInputError('a packet needs at least one image');
  if (count > MAX_IMAGES) throw new PacketInputError(`a packet holds at most ${MAX_IMAGES} images (got ${count})`);
  if (f.description !== undefined && f.description.length > MAX_DESCRIPTION_CHARS)
    throw new PacketInputError(
      `the description is ${f.description.length} characters; the limit is ${MAX_DESCRIPTION_CHARS} (it is never cut short silently)`,
    );
}

function header(f: ManifestFields): Omit<PacketManifest, 'images' | 'redaction'> {
  const description = f.description?.trim();
  return {
    schema: PACKET_SCHEMA_VERSION,
    id: f.id,
    siteId: f.siteId,
    deviceId: f.deviceId,
    createdAt: f.createdAt.toISOString(),
    incidentTime: f.incidentTime.toISOString(),
    category: f.category as IncidentCategory,
    retentionClass: f.retentionClass,
    ...(description ? { description } : {}),
    ...(f.recorderClock ? { recorderClock: { ...f.recorderClock } } : {}),
    ...(f.evidenceMaster ? { evidenceMaster: { ...f.evidenceMaster } } : {}),
  };
}

function names(inputs: readonly { role: string }[]): string[] {
  const counters: Record<string, number> = {};
  return inputs.map(({ role }) => {
    counters[role] = (counters[role] ?? 0) + 1;
    return `${role}-${counters[role]}.jpg`;
  });
}

/** The service path: redaction outputs only. */
export function buildPacketContents(
  fields: ManifestFields,
  images: readonly ImageInput<RedactedImage>[],
): PacketContents {
  checkFields(fields, images.length);
  const models = new Set(images.map((i) => `${i.image.report.model.id}@${i.image.report.model.sha256}`));
  if (models.size > 1) throw new PacketInputError('the images were redacted with different models: redact them again');
  const first = images[0]!.image.report;
  const redaction: PacketRedaction = {
    facesFound: 0,
    facesRedacted: 0,
    facesKept: 0,
    extraBoxes: 0,
    model: { id: first.model.id, sha256: first.model.sha256 },
    mode: first.mode,
  };
  // The certificate goes in only when every image carries one: one unchecked image makes the packet unverified.
  if (images.every(({ image }) => image.report.verification?.result === 'verified'))
    redaction.verification = {
      result: 'verified',
      passes: images.reduce((n, { image }) => n + (image.report.verification?.passes ?? 0), 0),
      facesFoundAfterRedaction: images.reduce(
        (n, { image }) => n + (image.report.verification?.facesFoundAfterRedaction ?? 0),
        0,
      ),
    };
  for (const { image } of images) {
    redaction.facesFound += image.report.facesFound;
    redaction.facesRedacted += image.report.facesRedacted;
    redaction.facesKept += image.report.facesKept;
    redaction.extraBoxes += image.report.extraBoxes;
  }
  return assemble(
    fields,
    redaction,
    images.map(({ image, role }) => ({ role, ...image })),
  );
}

export interface OperatorImage {
  bytes: Buffer;
  width: number;
  height: number;
  sha256: string;
}

/**
 * The `packet create` path for tests, support and the hub team: files the operator asserts are redacted. The
 * redaction block says so (mode 'external', model 'external'), so a receiver can tell these from appliance packets.
 */
export function buildOperatorPacketContents(
  fields: ManifestFields,
  images: readonly ImageInput<OperatorImage>[],
): PacketContents {
  checkFields(fields, images.length);
  const redaction: PacketRedaction = {
    facesFound: 0,
    facesRedacted: 0,
    facesKept: 0,
    extraBoxes: 0,
    model: { id: 'external', sha256: '0'.repeat(64) },
    mode: 'external',
  };
  return assemble(
    fields,
    redaction,
    images.map(({ image, role }) => ({ role, ...image })),
  );
}

function assemble(
  fields: ManifestFields,
  redaction: PacketRedaction,
  images: { role: 'subject' | 'context'; bytes: Buffer; width: number; height: number; sha256: string }[],
): PacketContents {
  const fileNames = names(images);
  return {
    manifest: {
      ...header(fields),
      redaction,
      images: images.map((img, i) => ({
        name: fileNames[i]!,
        role: img.role,
        mime: 'image/jpeg',
        width: img.width,
        height: img.height,
        sha256: img.sha256,
      })),
    },
    files: images.map((img, i) => ({ name: fileNames[i]!, bytes: img.bytes })),
  };
}

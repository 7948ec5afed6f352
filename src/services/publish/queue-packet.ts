// Use-case: turn an incident's redaction outputs into a signed packet and put it in the outbox, with the
// incident's status change and the audit entry in the same transaction. Only RedactedImage values are accepted.
import { AppError } from '../../core/errors.js';
import { buildPacketContents, type ClipInput, type ImageInput, withClip } from '../../core/packet/build.js';
import { readJpegInfo } from '../../core/packet/jpeg.js';
import type { PacketEvidenceMaster, PacketRecorderClock, RetentionClass } from '../../core/packet/manifest.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import type { IncidentEventSink } from '../../core/ports/incident-events.js';
import type { Outbox } from '../../core/ports/outbox.js';
import type { PacketSealer } from '../../core/ports/packet-sealer.js';
import type { RedactedImage } from '../../core/redaction.js';

export interface QueuePacketDeps {
  sealer: PacketSealer;
  outbox: Outbox;
  ids: IdSource;
  clock: Clock;
  siteId: string;
  topicPrefix: string;
  events?: IncidentEventSink;
}

export interface QueuePacketRequest {
  incidentId: string;
  incidentTime: Date;
  category: string;
  retentionClass?: RetentionClass;
  description?: string;
  images: readonly ImageInput<RedactedImage>[];
  /** The recorder's clock offset measured at capture, when known. */
  recorderClock?: PacketRecorderClock;
  /** The hash and window of the incident's sealed police master, when there is one. */
  evidenceMaster?: PacketEvidenceMaster;
  /** The incident's redacted clip, when one was made: it travels only when the sealed packet fits the size limit. */
  clip?: ClipInput;
  /** Who sent it (web user name, or 'button:<name>'). */
  actor: string;
}

export function incidentTopic(prefix: string, siteId: string, packetId: string): string {
  return `${prefix}/${siteId}/incidents/${packetId}`;
}

export async function queuePacket(
  deps: QueuePacketDeps,
  req: QueuePacketRequest,
): Promise<{ packetId: string; bytes: number; clip: 'included' | 'left-out' | 'none' }> {
  const id = deps.ids.next();
  const contents = buildPacketContents(
    {
      id,
      siteId: deps.siteId,
      deviceId: deps.sealer.deviceId,
      createdAt: deps.clock.now(),
      incidentTime: req.incidentTime,
      category: req.category,
      retentionClass: req.retentionClass ?? 'shared-12m',
      description: req.description,
      recorderClock: req.recorderClock,
      evidenceMaster: req.evidenceMaster,
    },
    req.images,
  );
  // The clip goes when the packet with it fits the limit (hub.maxPacketBytes); otherwise the packet goes with the
  // stills only (bcrp-packet/1) and the audit row says why: a clip never holds the report back.
  let sealed = contents;
  let payload: Buffer | undefined;
  let clipLeftOut: string | undefined;
  if (req.clip) {
    try {
      sealed = withClip(contents, req.clip);
      payload = await deps.sealer.seal(sealed);
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'packet-too-large')) throw e;
      clipLeftOut = e.message;
      sealed = contents;
    }
  }
  payload ??= await deps.sealer.seal(sealed);
  const { manifest } = sealed;
  // What the compliance report states about every packet (P2, B1) is read from the bytes that leave and kept in the
  // audit row, so the report can show it after the packet itself is gone.
  const imageNames = new Set(manifest.images.map((i) => i.name));
  const metadata = contents.files
    .filter((f) => imageNames.has(f.name))
    .flatMap((f) => readJpegInfo(f.bytes)?.metadata ?? ['unreadable']);
  deps.outbox.enqueue(
    {
      id,
      incidentId: req.incidentId,
      kind: 'incident',
      topic: incidentTopic(deps.topicPrefix, deps.siteId, id),
      payload,
    },
    {
      actor: req.actor,
      action: 'packet-queue',
      subject: req.incidentId,
      details: {
        packetId: id,
        bytes: payload.length,
        category: manifest.category,
        images: manifest.images.map((i) => ({ name: i.name, role: i.role, sha256: i.sha256 })),
        retentionClass: manifest.retentionClass,
        redaction: {
          facesFound: manifest.redaction.facesFound,
          facesRedacted: manifest.redaction.facesRedacted,
          facesKept: manifest.redaction.facesKept,
          mode: manifest.redaction.mode,
          model: manifest.redaction.model.id,
        },
        metadata: [...new Set(metadata)],
        ...(manifest.clip
          ? { clip: { sha256: manifest.clip.sha256, durationSeconds: manifest.clip.durationSeconds } }
          : {}),
        ...(clipLeftOut ? { clipLeftOut } : {}),
      },
    },
  );
  deps.events?.emit('queued', { incidentId: req.incidentId, packetId: id });
  return { packetId: id, bytes: payload.length, clip: manifest.clip ? 'included' : clipLeftOut ? 'left-out' : 'none' };
}

// What the hub page shows of a stored packet, and to whom. The packet is opened on the server from its stored bytes
// (decrypted with the hub key, signature checked against the enrolled device key), so a view shows the same
// evidence the receiver accepted. Members see a packet only in its shared period, judged at the time of the
// request, not at the last retention sweep; administrators also see admin-only packets and tombstones. The period
// is computed from the reports linked to the packet's subject (core/packet/retention.ts), never from the class the
// device asserted.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { type Static, Type as T, type TSchema } from '@sinclair/typebox';
import { type OpenedPacket, openPacket } from '../adapters/crypto/packet-codec.js';
import { INCIDENT_CATEGORIES } from '../core/incident.js';
import { RETENTION_CLASSES } from '../core/packet/manifest.js';
import { phaseOf, type ReportRetention, subjectRetention } from '../core/packet/retention.js';
import type { Clock } from '../core/ports/clock.js';
import type { HubRole, HubStore, RetentionRow, StoredPacket } from '../core/ports/hub-store.js';

const Nullable = <S extends TSchema>(schema: S) => T.Union([schema, T.Null()]);
const Time = T.String({ description: 'ISO 8601 UTC.' });

export const HubPhaseSchema = T.Union([T.Literal('shared'), T.Literal('admin-only'), T.Literal('deleted')]);
export type HubPhase = Static<typeof HubPhaseSchema>;

/** One packet as the hub page shows it (and /api/packets answers): the one schema for the type and the replies. */
export const HubPacketViewSchema = T.Object({
  id: T.String(),
  siteId: T.String(),
  deviceId: T.String(),
  receivedAt: Time,
  encrypted: T.Boolean(),
  duplicates: T.Integer(),
  phase: HubPhaseSchema,
  subjectRef: Nullable(T.String({ description: 'The subject an administrator linked this report to.' })),
  retention: T.Object({
    class: Nullable(
      T.Union(
        RETENTION_CLASSES.map((c) => T.Literal(c)),
        { description: 'The class the device asserted: advisory, recorded, not used.' },
      ),
    ),
    rule: Nullable(
      T.Union([
        T.Literal('first-report'),
        T.Literal('further-report'),
        T.Literal('withdrawn'),
        T.Literal('admin-only-kept'),
      ]),
    ),
    why: Nullable(T.String()),
    reports: T.Integer({ description: 'Reports the hub holds about the same subject (1 when unlinked).' }),
    shareUntil: Nullable(Time),
    deleteAt: Nullable(Time),
    withdrawnAt: Nullable(Time),
    deletedAt: Nullable(Time),
  }),
  incident: Nullable(
    T.Object({
      category: T.Union(INCIDENT_CATEGORIES.map((c) => T.Literal(c))),
      incidentTime: Time,
      description: Nullable(T.String()),
    }),
  ),
  images: T.Array(
    T.Object({
      name: T.String(),
      role: T.Union([T.Literal('subject'), T.Literal('context')]),
      width: T.Integer(),
      height: T.Integer(),
    }),
  ),
  clip: Nullable(
    T.Object({
      width: T.Integer(),
      height: T.Integer(),
      fps: T.Number(),
      durationSeconds: T.Number(),
      facesKept: T.Integer(),
    }),
  ),
  checked: Nullable(
    T.Object(
      { passes: T.Integer(), facesFoundAfterRedaction: T.Integer() },
      {
        description:
          "The packet's redaction certificate (manifest redaction.verification): every image was searched again for faces after redaction. Null when the packet carries none (a weaker detector stood in, or the images were made outside the appliance) or was deleted.",
      },
    ),
  ),
  signature: T.Object({
    state: T.Union([T.Literal('verified'), T.Literal('failed'), T.Literal('deleted')]),
    message: T.String(),
  }),
  device: T.Object({
    state: T.Union([T.Literal('enrolled'), T.Literal('revoked'), T.Literal('unknown')]),
    revokedAt: Nullable(Time),
    revokedReason: Nullable(T.String()),
  }),
});
/** Now (phase) is the stricter of the stored phase and the retention class at the time of the request. */
export type HubPacketView = Static<typeof HubPacketViewSchema>;

/** Whether a role may see a packet in this phase (a deleted one only as a tombstone). */
export function visibleTo(role: HubRole, phase: HubPhase): boolean {
  return role === 'administrator' || phase === 'shared';
}

/** The packet's retention computed from its subject's linked reports (a subject of one when unlinked). */
export async function retentionOf(
  store: HubStore,
  p: StoredPacket,
  /** A subject's rows read once for a whole list. */
  cache?: Map<string, Promise<RetentionRow[]>>,
): Promise<ReportRetention> {
  const own = { id: p.id, receivedAt: p.receivedAt, withdrawnAt: p.withdrawnAt, adminOnlyAt: p.adminOnlyAt };
  let reports: RetentionRow[] = [];
  if (p.subjectRef) {
    const known = cache?.get(p.subjectRef) ?? store.retentionRows({ subjectRef: p.subjectRef });
    cache?.set(p.subjectRef, known);
    reports = await known;
  }
  const all = reports.some((r) => r.id === p.id) ? reports : [...reports, { ...own, subjectRef: p.subjectRef }];
  return subjectRetention(all).find((r) => r.id === p.id)!;
}

export function phaseAt(p: StoredPacket, now: Date, r: ReportRetention): HubPhase {
  if (p.phase === 'deleted' || !p.manifest) return 'deleted';
  const due = phaseOf(r, now);
  // Past its deletion date but not yet swept: shown as deleted, never with its content.
  if (due === 'delete') return 'deleted';
  return due === 'admin-only' || p.phase === 'admin-only' ? 'admin-only' : 'shared';
}

export interface HubPacketsOptions {
  store: HubStore;
  clock: Clock;
  encryptionKey?: KeyObject | undefined;
  maxPacketBytes?: number | undefined;
}

/** Opens a stored packet as the receiver did: the hub key for a JWE, the enrolled key of the device that signed it. */
export async function openStoredPacket(
  p: StoredPacket,
  o: Pick<HubPacketsOptions, 'store' | 'encryptionKey' | 'maxPacketBytes'>,
): Promise<OpenedPacket> {
  const d = await o.store.device(p.deviceId);
  return openPacket(p.raw, {
    deviceKey: (kid) => (d && kid === d.deviceId ? createPublicKey(d.publicKeyPem) : undefined),
    hubKey: o.encryptionKey,
    ...(o.maxPacketBytes ? { maxBytes: o.maxPacketBytes } : {}),
  });
}

const CHECKED_MAX = 10_000;

export class HubPackets {
  readonly #o: HubPacketsOptions;
  readonly #checked = new Map<string, HubPacketView['signature']>();

  constructor(options: HubPacketsOptions) {
    this.#o = options;
  }

  /** Newest first: what this role may see. */
  async list(role: HubRole, limit = 200): Promise<HubPacketView[]> {
    const now = this.#o.clock.now();
    const rows = await this.#o.store.list({ includeRestricted: role === 'administrator', limit });
    const out: HubPacketView[] = [];
    const subjects = new Map<string, Promise<RetentionRow[]>>();
    for (const p of rows) {
      const r = await retentionOf(this.#o.store, p, subjects);
      if (visibleTo(role, phaseAt(p, now, r))) out.push(await this.#view(p, now, r));
    }
    return out;
  }

  /** undefined when there is no such packet; 'hidden' when this role may not see it. */
  async get(id: string, role: HubRole): Promise<HubPacketView | 'hidden' | undefined> {
    const p = await this.#o.store.get(id);
    if (!p) return undefined;
    const now = this.#o.clock.now();
    const r = await retentionOf(this.#o.store, p);
    if (!visibleTo(role, phaseAt(p, now, r))) return 'hidden';
    return this.#view(p, now, r);
  }

  /** The redacted image's bytes, only from a packet that still verifies and is not deleted. */
  async image(
    id: string,
    name: string,
    role: HubRole,
  ): Promise<{ bytes: Buffer; mime: 'image/jpeg' } | 'hidden' | 'unverified' | undefined> {
    const p = await this.#o.store.get(id);
    if (!p) return undefined;
    const phase = phaseAt(p, this.#o.clock.now(), await retentionOf(this.#o.store, p));
    if (!visibleTo(role, phase)) return 'hidden';
    if (phase === 'deleted' || !p.manifest?.images.some((i) => i.name === name)) return undefined;
    const opened = await openStoredPacket(p, this.#o);
    if (!opened.ok || opened.digest !== p.digest) return 'unverified';
    const file = opened.files?.find((f) => f.name === name);
    return file ? { bytes: file.bytes, mime: 'image/jpeg' } : undefined;
  }

  /** The redacted clip's MP4 (bcrp-packet/2), on the same terms as an image: visible to the role, still verifying. */
  async clip(
    id: string,
    role: HubRole,
  ): Promise<{ bytes: Buffer; mime: 'video/mp4' } | 'hidden' | 'unverified' | undefined> {
    const p = await this.#o.store.get(id);
    if (!p) return undefined;
    const phase = phaseAt(p, this.#o.clock.now(), await retentionOf(this.#o.store, p));
    if (!visibleTo(role, phase)) return 'hidden';
    if (phase === 'deleted' || !p.manifest?.clip) return undefined;
    const opened = await openStoredPacket(p, this.#o);
    if (!opened.ok || opened.digest !== p.digest) return 'unverified';
    return opened.clip ? { bytes: opened.clip.bytes, mime: 'video/mp4' } : undefined;
  }

  /**
   * Opening every packet of a list each time costs milliseconds apiece (decryption, signature, image hashes), so
   * the outcome is kept per exact stored bytes and device key: any change to either is checked afresh.
   */
  async #signature(p: StoredPacket, devicePem: string | undefined): Promise<HubPacketView['signature']> {
    const key = createHash('sha256')
      .update(p.raw)
      .update('\0')
      .update(devicePem ?? '')
      .update(p.digest)
      .digest('hex');
    const known = this.#checked.get(key);
    if (known) return known;
    const opened = await openStoredPacket(p, this.#o);
    const failed = opened.checks.find((c) => !c.ok);
    const result: HubPacketView['signature'] = failed
      ? { state: 'failed', message: `${failed.check}: ${failed.message}` }
      : opened.digest !== p.digest
        ? { state: 'failed', message: 'the stored bytes differ from what was received' }
        : { state: 'verified', message: `signed by device ${p.deviceId.slice(0, 16)}…, signature valid` };
    if (this.#checked.size >= CHECKED_MAX) this.#checked.delete(this.#checked.keys().next().value as string);
    this.#checked.set(key, result);
    return result;
  }

  async #view(p: StoredPacket, now: Date, r: ReportRetention): Promise<HubPacketView> {
    const phase = phaseAt(p, now, r);
    const d = await this.#o.store.device(p.deviceId);
    const device = {
      state: d?.state ?? ('unknown' as const),
      revokedAt: d?.revokedAt ?? null,
      revokedReason: d?.revokedReason ?? null,
    };
    const m = phase === 'deleted' ? null : p.manifest;
    const dates = m ? r : undefined;
    const signature: HubPacketView['signature'] = m
      ? await this.#signature(p, d?.publicKeyPem)
      : { state: 'deleted', message: 'deleted: nothing left to verify' };
    return {
      id: p.id,
      siteId: p.siteId,
      deviceId: p.deviceId,
      receivedAt: p.receivedAt,
      encrypted: p.encrypted,
      duplicates: p.duplicates,
      phase,
      subjectRef: p.subjectRef,
      retention: {
        class: m?.retentionClass ?? null,
        rule: dates?.rule ?? null,
        why: dates?.why ?? null,
        reports: r.reports,
        shareUntil: dates?.shareUntil.toISOString() ?? null,
        deleteAt: p.deletedAt ?? dates?.deleteAt.toISOString() ?? null,
        withdrawnAt: p.withdrawnAt,
        deletedAt: p.deletedAt,
      },
      incident: m ? { category: m.category, incidentTime: m.incidentTime, description: m.description ?? null } : null,
      images: m ? m.images.map((i) => ({ name: i.name, role: i.role, width: i.width, height: i.height })) : [],
      clip: m?.clip
        ? {
            width: m.clip.width,
            height: m.clip.height,
            fps: m.clip.fps,
            durationSeconds: m.clip.durationSeconds,
            facesKept: m.clip.redaction.facesKept,
          }
        : null,
      checked: m?.redaction.verification
        ? {
            passes: m.redaction.verification.passes,
            facesFoundAfterRedaction: m.redaction.verification.facesFoundAfterRedaction,
          }
        : null,
      signature,
      device,
    };
  }
}

// Checks behind the compliance report's statements that are about what was done, read from the audit log and the
// store when the report is made: every record the store keeps has the audit entry that made it (P4); every packet
// queued recorded what its redaction did, that its images carried no metadata, and its BCRP class (P2, B1); every
// police export relied on a hold active at the time (P11). Pure: give it entries and facts, get findings.
import type { AuditEntry } from '../../core/audit-chain.js';
import type { JsonValue } from '../../core/canonical-json.js';
import { RETENTION_CLASSES } from '../../core/packet/manifest.js';
import type { HoldFacts, IncidentFacts } from '../../core/retention/policy.js';

export interface ClaimChecks {
  /** P4: records in the store now, and those without the audit entry that made them. */
  audited: { incidents: number; packets: number; holds: number; missing: string[] };
  /** P2 and B1: the packets queued since `since`, as each one's `packet-queue` entry recorded them. */
  packets: {
    queued: number;
    /** Queued by software that did not yet record redaction, metadata and class in the entry. */
    unrecorded: number;
    facesFound: number;
    facesRedacted: number;
    facesKept: number;
    modes: string[];
    models: string[];
    /** Packets that left more faces visible than they have images (one subject per image at most). */
    keptBeyondSubject: string[];
    /** Packets whose images carried metadata segments (EXIF, XMP, ICC, IPTC, comments) when they were queued. */
    withMetadata: { packetId: string; segments: string[] }[];
    classes: Record<string, number>;
    /** Packets with a class the hub does not know. */
    unknownClass: string[];
  };
  /** P11: police exports since `since`, and those not covered by a hold active when they were made. */
  policeExports: { count: number; withoutHold: { seq: number; incidentId: string }[] };
}

const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);
const obj = (v: JsonValue | undefined): Record<string, JsonValue> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;

export function checkClaims(
  entries: Iterable<AuditEntry>,
  incidents: readonly IncidentFacts[],
  holds: readonly HoldFacts[],
  since: string,
): ClaimChecks {
  const triggered = new Set<string>();
  const queuedPackets = new Set<string>();
  const placed = new Map<string, { seq: number; time: string; expiresAt: string | null }>();
  const released = new Map<string, number>();
  const exports: AuditEntry[] = [];
  const packets: ClaimChecks['packets'] = {
    queued: 0,
    unrecorded: 0,
    facesFound: 0,
    facesRedacted: 0,
    facesKept: 0,
    modes: [],
    models: [],
    keptBeyondSubject: [],
    withMetadata: [],
    classes: {},
    unknownClass: [],
  };
  const modes = new Set<string>();
  const models = new Set<string>();
  for (const e of entries) {
    const d = e.details;
    if (e.action === 'trigger') triggered.add(e.subject);
    else if (e.action === 'hold-place' && str(d['holdId']))
      placed.set(str(d['holdId'])!, { seq: e.seq, time: e.time, expiresAt: str(d['expiresAt']) ?? null });
    else if (e.action === 'hold-release' && str(d['holdId'])) released.set(str(d['holdId'])!, e.seq);
    else if (e.action === 'police-export' && e.time >= since) exports.push(e);
    else if (e.action === 'packet-queue') {
      const id = str(d['packetId']) ?? e.subject;
      queuedPackets.add(id);
      if (e.time < since) continue;
      packets.queued++;
      const redaction = obj(d['redaction']);
      const cls = str(d['retentionClass']);
      if (!redaction || !cls || !Array.isArray(d['metadata'])) {
        packets.unrecorded++;
        continue;
      }
      packets.facesFound += num(redaction['facesFound']);
      packets.facesRedacted += num(redaction['facesRedacted']);
      packets.facesKept += num(redaction['facesKept']);
      modes.add(str(redaction['mode']) ?? '?');
      models.add(str(redaction['model']) ?? '?');
      const images = Array.isArray(d['images']) ? d['images'].length : 0;
      if (num(redaction['facesKept']) > images) packets.keptBeyondSubject.push(id);
      const segments = d['metadata'].map((m) => String(m));
      if (segments.length > 0) packets.withMetadata.push({ packetId: id, segments });
      packets.classes[cls] = (packets.classes[cls] ?? 0) + 1;
      if (!(RETENTION_CLASSES as readonly string[]).includes(cls)) packets.unknownClass.push(id);
    }
  }
  packets.modes = [...modes].sort();
  packets.models = [...models].sort();

  const missing: string[] = [];
  let packetCount = 0;
  for (const i of incidents) {
    if (!triggered.has(i.id)) missing.push(`incident ${i.id} has no trigger entry`);
    for (const o of i.outbox) {
      packetCount++;
      if (!queuedPackets.has(o.id)) missing.push(`packet ${o.id} has no packet-queue entry`);
    }
  }
  for (const h of holds) if (!placed.has(h.id)) missing.push(`hold ${h.id} has no hold-place entry`);

  const withoutHold: ClaimChecks['policeExports']['withoutHold'] = [];
  for (const e of exports) {
    const holdId = str(e.details['holdId']);
    const hold = holdId ? placed.get(holdId) : undefined;
    const releasedAt = holdId ? released.get(holdId) : undefined;
    const active =
      hold !== undefined &&
      hold.seq < e.seq &&
      (releasedAt === undefined || releasedAt > e.seq) &&
      (hold.expiresAt === null || hold.expiresAt > e.time);
    if (!active) withoutHold.push({ seq: e.seq, incidentId: str(e.details['incidentId']) ?? e.subject });
  }
  return {
    audited: { incidents: incidents.length, packets: packetCount, holds: holds.length, missing },
    packets,
    policeExports: { count: exports.length, withoutHold },
  };
}

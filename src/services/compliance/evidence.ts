// Gathers the live evidence the compliance report shows: the configuration that matters, the last retention
// sweep and what is pending, the audit chain's verification and checkpoints, holds, disclosures and what is stored.
import type { Config } from '../../config/schema.js';
import type { ChainReport } from '../../core/audit-chain.js';
import type { Accounts } from '../../core/ports/accounts.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { CheckpointStore } from '../../core/ports/checkpoint-store.js';
import type { LastSweep, RetentionStore } from '../../core/ports/retention-store.js';
import type { StoreChecks } from '../../core/ports/store-checks.js';
import { disclosureRegister } from '../../core/registers.js';
import { DAY_MS, decideRetention } from '../../core/retention/policy.js';
import type { Hold } from '../holds/holds.js';
import { type ClaimChecks, checkClaims } from './claims.js';

export interface ComplianceEvidence {
  generatedAt: string;
  site: string;
  config: Pick<Config, 'retention'> & {
    redaction: { model: string; modelSha256: string | null; mode: string; margin: number; tiles: boolean };
    hub: { encrypt: boolean; configured: boolean };
    web: { fourEyes: boolean; sessionHours: number };
    /** The broker URL is mqtts:// (TLS). */
    mqttTls: boolean;
    /** A client certificate and key are configured for the broker (mutual TLS offered). */
    mqttClientCert: boolean;
    /** Pre-roll: every enabled camera recorded continuously into RAM while on. */
    preRoll: { enabled: boolean; seconds: number; dir: string; cameras: number };
  };
  lastSweep: LastSweep | null;
  overdue: number;
  nextDueAt: string | null;
  chain: ChainReport;
  lastCheckpoint: { seq: number; time: string } | null;
  entriesSinceCheckpoint: number;
  /** Checkpoints the publisher sent to the hub (the broker accepted them), and the last one. */
  hubCheckpoints: { sent: number; last: { seq: number; time: string } | null };
  holds: Pick<Hold, 'id' | 'incidentId' | 'reference' | 'placedBy' | 'placedAt' | 'expiresAt'>[];
  disclosures: {
    days: number;
    send: number;
    sarExport: number;
    policeExport: number;
    last: { time: string; action: string; recipient: string; reference: string }[];
  };
  stored: { incidents: number; originals: number; oldestOriginal: string | null };
  accounts: Record<string, number>;
  /** Packets queued or sent and not yet answered by the hub: kept (with their stills) until it answers. */
  inFlight: number;
  /** SAR answer folders written from the web under <data-dir>/sar, which retention does not sweep. */
  sarFolders: { dir: string; count: number } | null;
  /** Checked when the report is made (null when the caller could not check). */
  store: StoreChecks | null;
  /** What the audit log and the store show was done: records audited, packets' redaction and class, police exports. */
  claims: ClaimChecks;
}

export const DISCLOSURE_WINDOW_DAYS = 90;

/** The parts of the store the report reads, each through its port. */
export interface EvidenceSources {
  retention: RetentionStore;
  /** The checkpoints made, and which of them went to the hub. */
  checkpoints: Pick<CheckpointStore, 'last' | 'count'>;
  accounts: Pick<Accounts, 'list'>;
  audit: AuditLog;
}

export function gatherEvidence(
  sources: EvidenceSources,
  config: Config,
  now: Date,
  activeHolds: Hold[],
  sarFolders: { dir: string; count: number } | null = null,
  store: StoreChecks | null = null,
): ComplianceEvidence {
  const { retention, audit } = sources;
  const facts = retention.incidentFacts();
  const holdFacts = retention.holdFacts();
  const decision = decideRetention(facts, holdFacts, config.retention, now);
  const inFlight = facts.flatMap((i) => i.outbox).filter((o) => o.state === 'queued' || o.state === 'sent').length;
  const last = sources.checkpoints.last();
  const cp = last && { seq: last.seq, time: last.time };
  const lastHub = sources.checkpoints.last('hub');
  const head = audit.head();
  const since = new Date(now.getTime() - DISCLOSURE_WINDOW_DAYS * DAY_MS).toISOString();
  const disclosures = disclosureRegister(audit.entries({ fromTime: since }));
  const accounts: Record<string, number> = {};
  for (const a of [...sources.accounts.list()]
    .filter((a) => a.disabledAt === null)
    .sort((x, y) => x.role.localeCompare(y.role)))
    accounts[a.role] = (accounts[a.role] ?? 0) + 1;
  return {
    generatedAt: now.toISOString(),
    site: config.site.id,
    config: {
      retention: config.retention,
      redaction: {
        model: config.redaction.model,
        modelSha256: config.redaction.modelSha256 ?? null,
        mode: config.redaction.mode,
        margin: config.redaction.margin,
        tiles: config.redaction.tiles,
      },
      hub: { encrypt: config.hub.encrypt, configured: config.hub.deviceKey !== undefined },
      web: { fourEyes: config.web.fourEyes, sessionHours: config.web.sessionHours },
      mqttTls: config.mqtt.url.startsWith('mqtts://'),
      mqttClientCert: config.mqtt.cert !== undefined && config.mqtt.key !== undefined,
      preRoll: {
        enabled: config.capture.preRoll.enabled,
        seconds: config.capture.preRoll.seconds,
        dir: config.capture.preRoll.dir,
        cameras: config.nvr.channels.filter((c) => c.enabled).length,
      },
    },
    lastSweep: retention.lastSweep() ?? null,
    overdue: decision.due.length,
    nextDueAt: decision.nextDueAt,
    chain: audit.verify(),
    lastCheckpoint: cp ?? null,
    entriesSinceCheckpoint: (head?.seq ?? 0) - (cp?.seq ?? 0),
    hubCheckpoints: {
      sent: sources.checkpoints.count('hub'),
      last: lastHub ? { seq: lastHub.seq, time: lastHub.time } : null,
    },
    holds: activeHolds.map((h) => ({
      id: h.id,
      incidentId: h.incidentId,
      reference: h.reference,
      placedBy: h.placedBy,
      placedAt: h.placedAt,
      expiresAt: h.expiresAt,
    })),
    disclosures: {
      days: DISCLOSURE_WINDOW_DAYS,
      send: disclosures.filter((d) => d.action === 'send').length,
      sarExport: disclosures.filter((d) => d.action === 'sar-export').length,
      policeExport: disclosures.filter((d) => d.action === 'police-export').length,
      last: disclosures
        .filter((d) => d.action !== 'ack')
        .slice(-10)
        .map((d) => ({ time: d.time, action: d.action, recipient: d.recipient, reference: d.reference })),
    },
    stored: retention.inventory(),
    accounts,
    inFlight,
    sarFolders,
    store,
    claims: checkClaims(audit.entries(), facts, holdFacts, since),
  };
}

// Gathers the live evidence the compliance report shows: the configuration that matters, the last retention
// sweep and what is pending, the audit chain's verification and checkpoints, holds, disclosures and what is stored.
import type { Db } from '../../adapters/store/sqlite-store.js';
import type { Config } from '../../config/schema.js';
import type { ChainReport } from '../../core/audit-chain.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import { disclosureRegister } from '../../core/registers.js';
import { DAY_MS, decideRetention } from '../../core/retention/policy.js';
import type { Hold } from '../holds/holds.js';
import { type LastSweep, lastSweep, loadHoldFacts, loadIncidentFacts } from '../retention/store-facts.js';

export interface ComplianceEvidence {
  generatedAt: string;
  site: string;
  config: Pick<Config, 'retention'> & {
    redaction: { model: string; mode: string; margin: number; tiles: boolean };
    hub: { encrypt: boolean };
    web: { fourEyes: boolean; sessionHours: number };
    mqttTls: boolean;
  };
  lastSweep: LastSweep | null;
  overdue: number;
  nextDueAt: string | null;
  chain: ChainReport;
  lastCheckpoint: { seq: number; time: string } | null;
  entriesSinceCheckpoint: number;
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
}

export const DISCLOSURE_WINDOW_DAYS = 90;

export function gatherEvidence(
  db: Db,
  audit: AuditLog,
  config: Config,
  now: Date,
  activeHolds: Hold[],
): ComplianceEvidence {
  const decision = decideRetention(loadIncidentFacts(db), loadHoldFacts(db), config.retention, now);
  const cp = db.prepare('SELECT seq, time FROM audit_checkpoints ORDER BY seq DESC LIMIT 1').get() as
    | { seq: number; time: string }
    | undefined;
  const head = audit.head();
  const since = new Date(now.getTime() - DISCLOSURE_WINDOW_DAYS * DAY_MS).toISOString();
  const disclosures = disclosureRegister(audit.entries({ fromTime: since }));
  const stored = db
    .prepare(
      "SELECT COUNT(*) AS originals, MIN(captured_at) AS oldest FROM stills WHERE kind = 'original' AND deleted_at IS NULL",
    )
    .get() as { originals: number; oldest: string | null };
  const incidents = (db.prepare('SELECT COUNT(*) AS c FROM incidents').get() as { c: number }).c;
  const accounts: Record<string, number> = {};
  for (const r of db.prepare('SELECT role, COUNT(*) AS c FROM users WHERE disabled_at IS NULL GROUP BY role').all() as {
    role: string;
    c: number;
  }[])
    accounts[r.role] = r.c;
  return {
    generatedAt: now.toISOString(),
    site: config.site.id,
    config: {
      retention: config.retention,
      redaction: {
        model: config.redaction.model,
        mode: config.redaction.mode,
        margin: config.redaction.margin,
        tiles: config.redaction.tiles,
      },
      hub: { encrypt: config.hub.encrypt },
      web: { fourEyes: config.web.fourEyes, sessionHours: config.web.sessionHours },
      mqttTls: config.mqtt.url.startsWith('mqtts://'),
    },
    lastSweep: lastSweep(db) ?? null,
    overdue: decision.due.length,
    nextDueAt: decision.nextDueAt,
    chain: audit.verify(),
    lastCheckpoint: cp ?? null,
    entriesSinceCheckpoint: (head?.seq ?? 0) - (cp?.seq ?? 0),
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
    stored: { incidents, originals: stored.originals, oldestOriginal: stored.oldest },
    accounts,
  };
}

// The auditor's questions answered from the audit chain (through the AuditLog port): verify now, the timeline,
// the retention register and export. Text only.
import type { AuditEntry, ChainReport } from '../core/audit-chain.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { AuditQueries, TimelineQuery } from '../core/ports/audit-queries.js';

/** Stored times are full ISO with milliseconds; a bound like 10:00:05Z must compare as 10:00:05.000Z. */
const iso = (t: string) => {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toISOString();
};

const RETENTION_ACTIONS = new Set(['retention-sweep', 'delete']);

export class AuditChainQueries implements AuditQueries {
  readonly #log: AuditLog;

  constructor(log: AuditLog) {
    this.#log = log;
  }

  verify(): ChainReport {
    return this.#log.verify();
  }

  timeline(query: TimelineQuery = {}): AuditEntry[] {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const actions = query.actions && query.actions.length > 0 ? new Set(query.actions) : undefined;
    const head = this.#log.head();
    if (!head) return [];
    const out: AuditEntry[] = [];
    // Walk back from the newest entry in pages, so a long chain is not read whole for one screen.
    let to = Math.min(head.seq, (query.beforeSeq ?? head.seq + 1) - 1);
    const page = 500;
    while (to >= 1 && out.length < limit) {
      const from = Math.max(1, to - page + 1);
      const range: { fromSeq: number; toSeq: number; fromTime?: string; toTime?: string } = {
        fromSeq: from,
        toSeq: to,
      };
      if (query.from) range.fromTime = iso(query.from);
      if (query.to) range.toTime = iso(query.to);
      const batch = [...this.#log.entries(range)].reverse();
      for (const e of batch) {
        if (actions && !actions.has(e.action)) continue;
        if (query.actor && e.actor !== query.actor) continue;
        out.push(e);
        if (out.length >= limit) break;
      }
      to = from - 1;
    }
    return out;
  }

  retention(limit = 100): AuditEntry[] {
    return this.timeline({ actions: [...RETENTION_ACTIONS], limit });
  }

  export(range: { from?: string; to?: string } = {}): Iterable<AuditEntry> {
    const r: { fromTime?: string; toTime?: string } = {};
    if (range.from) r.fromTime = iso(range.from);
    if (range.to) r.toTime = iso(range.to);
    return this.#log.entries(r);
  }
}

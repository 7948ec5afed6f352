// Port: what the auditor page asks of the audit chain: verify now, the timeline, the retention register, export.
// Text only; no image ever passes through it.
import type { AuditEntry, ChainReport } from '../audit-chain.js';

export interface TimelineQuery {
  actions?: string[];
  actor?: string;
  from?: string;
  to?: string;
  /** Newest first; entries with seq below this (for paging back). */
  beforeSeq?: number;
  limit?: number;
}

export interface AuditQueries {
  verify(): ChainReport;
  timeline(query?: TimelineQuery): AuditEntry[];
  /** Retention sweeps and the deletions they made, newest first. */
  retention(limit?: number): AuditEntry[];
  /** Every entry in a range, oldest first, for export as JSON lines. */
  export(range?: { from?: string; to?: string }): Iterable<AuditEntry>;
}

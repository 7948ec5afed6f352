// Port: where audited actions are appended. Services depend on this, not on SQLite.
import type { AuditEntry, AuditEvent, ChainReport } from '../audit-chain.js';

export interface AuditLog {
  /** Appends one event and returns the stored entry. Durable when it returns. */
  append(event: AuditEvent): AuditEntry;
  /** Entries with from ≤ seq ≤ to (either bound optional), oldest first. */
  entries(range?: { fromSeq?: number; toSeq?: number; fromTime?: string; toTime?: string }): Iterable<AuditEntry>;
  head(): Pick<AuditEntry, 'seq' | 'hash'> | undefined;
  verify(): ChainReport;
}

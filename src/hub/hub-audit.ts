// The hub's own audit chain (who signed in to the hub page, who viewed which packet and image, user changes), kept
// in the hub store with the same hash chain as the appliance's log (core/audit-chain.ts), and its verification.
import { type AuditEntry, type AuditEvent, type ChainReport, verifyChain } from '../core/audit-chain.js';
import type { Clock } from '../core/ports/clock.js';
import type { HubStore } from '../core/ports/hub-store.js';

const PAGE = 1000;

export class HubAudit {
  readonly #store: HubStore;
  readonly #clock: Clock;

  constructor(store: HubStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  append(event: AuditEvent): Promise<AuditEntry> {
    return this.#store.appendAudit(event, this.#clock.now());
  }

  /** Entries after `afterSeq`, oldest first. */
  entries(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return this.#store.auditEntries({ afterSeq, limit });
  }

  /** Walks the whole chain a page at a time, each page continuing from the last good entry of the one before. */
  async verify(): Promise<ChainReport> {
    const head = await this.#store.auditHead();
    let after: Pick<AuditEntry, 'seq' | 'hash'> | undefined;
    let entries = 0;
    let firstSeq: number | null = null;
    for (;;) {
      const page = await this.#store.auditEntries({ afterSeq: after?.seq ?? 0, limit: PAGE });
      const last = page.length < PAGE;
      if (!head && page.length > 0)
        return {
          ok: false,
          entries,
          firstSeq,
          lastSeq: null,
          headHash: null,
          failure: { seq: 0, fault: 'truncated', message: 'the recorded head of the chain is missing: it was removed' },
        };
      const r = verifyChain(page, {
        ...(after ? { startAfter: after } : {}),
        ...(last && head ? { expectedHead: head } : {}),
      });
      firstSeq ??= r.firstSeq;
      if (!r.ok) return { ...r, entries: entries + r.entries, firstSeq };
      entries += r.entries;
      if (r.lastSeq !== null && r.headHash !== null) after = { seq: r.lastSeq, hash: r.headHash };
      if (last) return { ok: true, entries, firstSeq, lastSeq: after?.seq ?? null, headHash: after?.hash ?? null };
    }
  }
}

// Port: what retention reads and deletes in the store — the facts the pure policy decides on, the record of each
// sweep, and one deletion per item. Deletions take `alongside` (the shredding of the file and the tombstone audit
// row), run in the same transaction: if it throws, the item is back as it was and the next sweep retries.
import { AppError } from '../errors.js';
import type { HoldFacts, IncidentFacts, StillFacts } from '../retention/policy.js';

/** A still as retention deletes it: where its encrypted file is and what the tombstone records of it. */
export interface StoredStill {
  id: string;
  incidentId: string;
  kind: StillFacts['kind'];
  file: string;
  keyId: string | null;
  sha256: string;
  bytes: number;
}

/** A police master as retention deletes it (file and key null when no footage was ever sealed). */
export interface StoredMaster {
  id: string;
  incidentId: string;
  file: string | null;
  keyId: string | null;
  sha256: string | null;
  bytes: number | null;
  method: string | null;
}

export interface LastSweep {
  clockAt: string;
  outcome: string;
  deleted: number;
  held: number;
  failures: number;
  message: string | null;
}

export interface SweepRun extends LastSweep {
  dryRun: boolean;
}

/** What the appliance holds now, for the compliance report. */
export interface StoredInventory {
  incidents: number;
  originals: number;
  oldestOriginal: string | null;
}

/** An incident retention cannot delete because rows it does not know about (named) still refer to it. */
export class IncidentStillReferenced extends AppError {
  readonly tables: readonly string[];

  constructor(incidentId: string, tables: readonly string[]) {
    super(
      'incident-referenced',
      `incident ${incidentId} is still referenced by ${tables.join(', ') || 'another table'}; retention does not know how to delete those rows (see docs/retention.md)`,
    );
    this.tables = tables;
  }
}

export interface RetentionStore {
  /** Every incident, oldest first, with its live stills and its outbox rows. */
  incidentFacts(): IncidentFacts[];
  /** Every hold, ended or not. */
  holdFacts(): HoldFacts[];
  inventory(): StoredInventory;
  /** The last sweep that actually ran (not a dry run). */
  lastSweep(): LastSweep | undefined;
  /** The latest clock reading of any real sweep that deleted or refused: the reference for the backwards-jump check. */
  lastSweepClock(): string | null;
  recordSweep(run: SweepRun): void;
  /** Removes the still's row; false when it was already gone (and `alongside` does not run). */
  removeStill(id: string, alongside: (still: StoredStill) => void): boolean;
  /** Removes the police master's row; false when it was already gone (and `alongside` does not run). */
  removeMaster(id: string, alongside: (master: StoredMaster) => void): boolean;
  /** Removes the outbox row; false when it was already gone. */
  removeOutboxRow(id: string, alongside: () => void): boolean;
  /** Removes the incident with its holds (all ended: the policy never deletes a held incident), its review draft,
   * and the rows of stills already marked deleted (`shred` runs for each of their files); `alongside` gets how many
   * rows went from each table besides the incident's own. False when the incident was already gone. Throws
   * IncidentStillReferenced when other rows still refer to it. */
  removeIncident(
    id: string,
    shred: (file: { file: string; keyId: string | null }) => void,
    alongside: (removed: Record<string, number>) => void,
  ): boolean;
}

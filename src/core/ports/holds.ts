// Port: where evidence holds are kept. HoldService (services/holds) owns the rules; this is storage only.
// Writes take `alongside`, run in the same transaction: the hold and its audit row are stored together or not at all.

export interface HoldRecord {
  id: string;
  incidentId: string;
  reason: string;
  reference: string | null;
  placedBy: string;
  placedAt: string;
  expiresAt: string | null;
  releasedAt: string | null;
  releasedBy: string | null;
}

export interface HoldStore {
  /** False when no incident has this id (deleted by retention, or never there). */
  incidentExists(incidentId: string): boolean;
  /** Stores a new hold; if `alongside` throws, nothing is stored. */
  insert(hold: HoldRecord, alongside: () => void): void;
  /** Marks a hold released at `at` by `by`; if `alongside` throws, the hold stays as it was. */
  end(holdId: string, at: string, by: string, alongside: () => void): void;
  get(holdId: string): HoldRecord | undefined;
  /** Every hold (or one incident's), oldest placed first. */
  list(incidentId?: string): HoldRecord[];
  /** Holds not released whose expiry is at or before `at`. */
  expiring(at: string): HoldRecord[];
}

// Port: evidence holds. A held incident is kept past its retention period until the hold is released or expires.
export interface Hold {
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

export interface PlaceHold {
  incidentId: string;
  reason: string;
  reference?: string;
  expiresAt?: string;
}

export interface HoldService {
  list(options?: { activeOnly?: boolean }): Promise<Hold[]>;
  /** Audited as 'hold-place'. */
  place(hold: PlaceHold, actor: string): Promise<Hold>;
  /** Audited as 'hold-release'. */
  release(id: string, actor: string): Promise<Hold>;
}

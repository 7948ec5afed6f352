// Port: the appliance's health as the status header, the installer page and /metrics show it.
export interface PartHealth {
  state: 'ok' | 'degraded' | 'down' | 'unknown';
  /** Plain English, no addresses or credentials. */
  detail: string;
  /** What pages say instead, in the reader's language: the catalogue's `js.why.<code>` with `params`. */
  code?: string;
  params?: Record<string, string | number>;
}

export interface ApplianceStatus {
  nvr: PartHealth;
  broker: PartHealth;
  hub: PartHealth;
  /** Packets waiting in the outbox. */
  queueDepth: number;
  disk: PartHealth & { freeBytes: number | null };
  clock: PartHealth & { synchronised: boolean | null };
  /** The face detector, reported when it is not the configured one (a weaker model stands in). */
  detector?: PartHealth;
}

export interface StatusService {
  status(): Promise<ApplianceStatus>;
}

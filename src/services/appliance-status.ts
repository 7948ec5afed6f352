// The status strip's data: disk space and clock synchronisation measured here, the recorder, broker, hub and
// queue depth asked of the modules that know them (each a small probe, so a missing module shows "Unknown").
import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { ApplianceStatus, PartHealth, StatusService } from '../core/ports/status-service.js';

const run = promisify(execFile);

export interface StatusProbes {
  nvr?: () => Promise<PartHealth> | PartHealth;
  broker?: () => Promise<PartHealth> | PartHealth;
  hub?: () => Promise<PartHealth> | PartHealth;
  queueDepth?: () => Promise<number> | number;
  /** undefined while the configured face detector runs; a part to show when a weaker one stands in. */
  detector?: () => PartHealth | undefined;
}

const UNKNOWN: PartHealth = { state: 'unknown', detail: 'Not reported yet', code: 'notReported' };
/** Below this the disk is shown as a problem: originals and the outbox need room. */
const LOW_DISK_BYTES = 1e9;

async function ask<T>(probe: (() => Promise<T> | T) | undefined, fallback: T): Promise<T> {
  if (!probe) return fallback;
  try {
    return await probe();
  } catch {
    return fallback;
  }
}

/** NTP state from systemd-timedated; null when it cannot be told (no systemd, container). */
export async function clockSynchronised(): Promise<boolean | null> {
  try {
    const { stdout } = await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 2000 });
    const v = stdout.trim();
    return v === 'yes' ? true : v === 'no' ? false : null;
  } catch {
    return null;
  }
}

export class ApplianceStatusService implements StatusService {
  readonly #dataDir: string;
  readonly #probes: StatusProbes;
  readonly #clock: () => Promise<boolean | null>;

  constructor(dataDir: string, probes: StatusProbes = {}, clock: () => Promise<boolean | null> = clockSynchronised) {
    this.#dataDir = dataDir;
    this.#probes = probes;
    this.#clock = clock;
  }

  async status(): Promise<ApplianceStatus> {
    const [nvr, broker, hub, queueDepth, disk, synced] = await Promise.all([
      ask(this.#probes.nvr, UNKNOWN),
      ask(this.#probes.broker, UNKNOWN),
      ask(this.#probes.hub, UNKNOWN),
      ask(this.#probes.queueDepth, 0),
      statfs(this.#dataDir).then(
        (s) => s.bavail * s.bsize,
        () => null,
      ),
      this.#clock(),
    ]);
    const detector = await ask(this.#probes.detector, undefined);
    return {
      ...(detector ? { detector } : {}),
      nvr,
      broker,
      hub,
      queueDepth,
      disk:
        disk === null
          ? { state: 'unknown', detail: 'Cannot read the data disk', code: 'diskUnreadable', freeBytes: null }
          : disk < LOW_DISK_BYTES
            ? { state: 'degraded', detail: 'Data disk nearly full', code: 'diskLow', freeBytes: disk }
            : { state: 'ok', detail: 'Data disk has room', code: 'diskRoom', freeBytes: disk },
      clock:
        synced === true
          ? { state: 'ok', detail: 'Clock synchronised', code: 'clockSynced', synchronised: true }
          : synced === false
            ? {
                state: 'degraded',
                detail: 'Clock not synchronised: times in reports may be wrong',
                code: 'clockNotSynced',
                synchronised: false,
              }
            : { state: 'unknown', detail: 'Clock synchronisation unknown', code: 'clockUnknown', synchronised: null },
    };
  }
}

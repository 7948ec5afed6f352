// In-memory IncidentRepository for service tests; runs the same contract suite as the SQLite one.
import { StoreError } from '../../core/errors.js';
import { INCIDENT_STATUSES, type Incident, type IncidentStatus, newIncident } from '../../core/incident.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import type {
  IncidentFilter,
  IncidentRepository,
  NewIncident,
  NewStill,
  Still,
  StillKind,
} from '../../core/ports/incidents.js';

export class FakeIncidents implements IncidentRepository {
  readonly #incidents = new Map<string, Incident>();
  readonly #stills: Still[] = [];
  readonly #clock: Clock;
  readonly #ids: IdSource;

  constructor(deps: { clock: Clock; ids: IdSource }) {
    this.#clock = deps.clock;
    this.#ids = deps.ids;
  }

  create(i: NewIncident): Incident {
    const inc = newIncident(i, this.#ids.next(), this.#clock.now());
    this.#incidents.set(inc.id, inc);
    return { ...inc };
  }

  get(id: string): Incident | undefined {
    const i = this.#incidents.get(id);
    return i ? { ...i } : undefined;
  }

  list(filter: IncidentFilter = {}): Incident[] {
    const statuses =
      filter.status === undefined ? undefined : typeof filter.status === 'string' ? [filter.status] : filter.status;
    return [...this.#incidents.values()]
      .filter((i) => (statuses ? statuses.includes(i.status) : true))
      .filter((i) => (filter.camera === undefined ? true : i.camera === filter.camera))
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
      .slice(0, filter.limit ?? 100)
      .map((i) => ({ ...i }));
  }

  updateStatus(id: string, status: IncidentStatus, reason: string | null = null): Incident {
    if (!INCIDENT_STATUSES.includes(status))
      throw new StoreError('incident-status', `unknown incident status "${status}"`);
    const i = this.#incidents.get(id);
    if (!i) throw new StoreError('incident-not-found', `no incident ${id}`);
    Object.assign(i, { status, statusReason: reason, updatedAt: this.#clock.now().toISOString() });
    return { ...i };
  }

  setCategory(id: string, category: string | null): Incident {
    const i = this.#incidents.get(id);
    if (!i) throw new StoreError('incident-not-found', `no incident ${id}`);
    Object.assign(i, { category, updatedAt: this.#clock.now().toISOString() });
    return { ...i };
  }

  addStill(s: NewStill): Still {
    if (!this.#incidents.has(s.incidentId)) throw new StoreError('incident-not-found', `no incident ${s.incidentId}`);
    const still: Still = { ...s, createdAt: this.#clock.now().toISOString() };
    this.#stills.push(still);
    return { ...still };
  }

  stills(incidentId: string, kind?: StillKind): Still[] {
    return this.#stills
      .filter((s) => s.incidentId === incidentId && (kind === undefined || s.kind === kind))
      .sort((a, b) => (a.capturedAt === b.capturedAt ? (a.id < b.id ? -1 : 1) : a.capturedAt < b.capturedAt ? -1 : 1))
      .map((s) => ({ ...s }));
  }

  atomically<T>(fn: () => T): T {
    const incidents = new Map([...this.#incidents].map(([k, v]) => [k, { ...v }]));
    const stills = this.#stills.length;
    try {
      return fn();
    } catch (e) {
      this.#incidents.clear();
      for (const [k, v] of incidents) this.#incidents.set(k, v);
      this.#stills.length = stills;
      throw e;
    }
  }
}

/** The capture-retry bookkeeping SqliteIncidents keeps in its rows, kept in memory here. */
export class FakeIncidentsWithRetries extends FakeIncidents {
  readonly #next = new Map<string, { attempts: number; at: Date | null }>();
  recordCaptureAttempt(id: string, nextAt: Date | null): number {
    const n = (this.#next.get(id)?.attempts ?? 0) + 1;
    this.#next.set(id, { attempts: n, at: nextAt });
    return n;
  }
  dueRetries(now: Date): Incident[] {
    return this.list({ status: 'capture-failed', limit: 1000 }).filter((i) => {
      const at = this.#next.get(i.id)?.at;
      return at !== null && at !== undefined && at <= now;
    });
  }
}

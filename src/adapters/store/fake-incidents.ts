// In-memory IncidentRepository for service tests; runs the same contract suite as the SQLite one. Audit rows go to
// the AuditLog it is given, or are kept in `auditEvents`.
import type { AuditEvent } from '../../core/audit-chain.js';
import { StoreError } from '../../core/errors.js';
import { type Incident, type IncidentStatus, newIncident } from '../../core/incident.js';
import { checkTransition, transitionAuditEvent } from '../../core/incident-lifecycle.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IdSource } from '../../core/ports/ids.js';
import type {
  IncidentFilter,
  IncidentRepository,
  NewIncident,
  NewStill,
  Still,
  StillKind,
  TransitionAudit,
} from '../../core/ports/incidents.js';

export class FakeIncidents implements IncidentRepository {
  readonly #incidents = new Map<string, Incident>();
  readonly #stills: Still[] = [];
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #audit: Pick<AuditLog, 'append'> | undefined;
  readonly auditEvents: AuditEvent[] = [];

  constructor(deps: { clock: Clock; ids: IdSource; audit?: Pick<AuditLog, 'append'> }) {
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#audit = deps.audit;
  }

  create(i: NewIncident): Incident {
    const inc = newIncident(i, this.#ids.next(), this.#clock.now());
    this.#incidents.set(inc.id, inc);
    return { ...inc };
  }

  /** Puts an incident as it is (any status): how a test starts from the middle of the lifecycle. */
  put(incident: Incident): void {
    this.#incidents.set(incident.id, { ...incident });
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

  transition(
    id: string,
    from: IncidentStatus,
    to: IncidentStatus,
    audit: TransitionAudit,
    reason: string | null = null,
  ): Incident {
    const i = this.#incidents.get(id);
    const move = checkTransition(id, i?.status, from, to);
    if (move instanceof Error) throw move;
    Object.assign(i!, { status: to, statusReason: reason, updatedAt: this.#clock.now().toISOString() });
    const event = transitionAuditEvent(id, move, audit);
    if (event && this.#audit) this.#audit.append(event);
    else if (event) this.auditEvents.push(event);
    return { ...i! };
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
    const audited = this.auditEvents.length;
    try {
      return fn();
    } catch (e) {
      this.#incidents.clear();
      for (const [k, v] of incidents) this.#incidents.set(k, v);
      this.#stills.length = stills;
      this.auditEvents.length = audited;
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

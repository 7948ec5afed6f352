// An IncidentService for the demo and tests: incidents are real rows in the store's incidents table (so holds
// and the audit chain work as in production) while "capture" draws synthetic stills on a timer and reports
// progress as the real capture service will.

import { SqliteIncidents } from '../../../src/adapters/store/incidents.js';
import type { Db } from '../../../src/adapters/store/sqlite-store.js';
import { AppError } from '../../../src/core/errors.js';
import type { Incident, IncidentStatus, TriggerRequest } from '../../../src/core/incident.js';
import type { AuditLog } from '../../../src/core/ports/audit-log.js';
import type { Clock } from '../../../src/core/ports/clock.js';
import type { IdSource } from '../../../src/core/ports/ids.js';
import type {
  Camera,
  IncidentDetail,
  IncidentFilter,
  IncidentProgress,
  IncidentService,
  IncidentSummary,
  StillInfo,
} from '../../../src/core/ports/incident-service.js';
import type { TransitionAudit } from '../../../src/core/ports/incidents.js';
import type { Box } from '../../../src/core/redaction.js';
import type { DevRedactor } from './dev-redactor.js';
import { syntheticStill } from './scene.js';

export interface HeldStill extends StillInfo {
  original: Buffer;
  faces: Box[];
}

interface Row {
  id: string;
  site_id: string;
  camera: number;
  trigger_time: string;
  source: string;
  status: IncidentStatus;
  status_reason: string | null;
  category: string | null;
  created_at: string;
  updated_at: string;
}

const toIncident = (r: Row): Incident => ({
  id: r.id,
  siteId: r.site_id,
  camera: r.camera,
  triggerTime: r.trigger_time,
  source: r.source as Incident['source'],
  status: r.status,
  statusReason: r.status_reason,
  category: r.category,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class DevIncidents implements IncidentService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #redactor: DevRedactor;
  readonly #siteId: string;
  readonly #cameras: Camera[];
  readonly #stillsPerIncident: number;
  readonly #stepMs: number;
  readonly #repo: SqliteIncidents;
  readonly #stills = new Map<string, HeldStill[]>();
  readonly #latest = new Map<string, IncidentProgress>();
  readonly #listeners = new Map<string, Set<(p: IncidentProgress) => void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(deps: {
    db: Db;
    audit: AuditLog;
    clock: Clock;
    ids: IdSource;
    redactor: DevRedactor;
    siteId: string;
    cameras: Camera[];
    stillsPerIncident?: number;
    /** Time each synthetic still "takes", so progress is visible. */
    stepMs?: number;
  }) {
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
    this.#redactor = deps.redactor;
    this.#siteId = deps.siteId;
    this.#cameras = deps.cameras;
    this.#stillsPerIncident = deps.stillsPerIncident ?? 4;
    this.#stepMs = deps.stepMs ?? 300;
    this.#repo = new SqliteIncidents(deps.db, { clock: deps.clock, ids: deps.ids, audit: deps.audit });
  }

  async cameras(): Promise<Camera[]> {
    return this.#cameras.map((c) => ({ ...c }));
  }

  async trigger(request: TriggerRequest): Promise<Incident> {
    const now = this.#clock.now().toISOString();
    const row: Row = {
      id: this.#ids.next(),
      site_id: this.#siteId,
      camera: request.camera,
      trigger_time: (request.at ?? this.#clock.now()).toISOString(),
      source: request.source,
      status: 'triggered',
      status_reason: null,
      category: null,
      created_at: now,
      updated_at: now,
    };
    this.#db
      .prepare(
        `INSERT INTO incidents (id, site_id, camera, trigger_time, source, status, status_reason, category, created_at, updated_at)
         VALUES (@id, @site_id, @camera, @trigger_time, @source, @status, @status_reason, @category, @created_at, @updated_at)`,
      )
      .run(row);
    this.#audit.append({
      actor: request.actor,
      action: 'trigger',
      subject: row.id,
      details: { camera: row.camera, source: row.source, triggerTime: row.trigger_time },
    });
    this.#stills.set(row.id, []);
    this.#progress(row.id, 'triggered', 'Recorded. Asking the recorder for stills…', false);
    this.#later(row.id, () => this.#captureStep(row.id, 0));
    return toIncident(row);
  }

  #later(id: string, fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (this.#stopped) return;
      fn().catch((e: unknown) => {
        if (this.#stopped) return;
        const reason = e instanceof Error ? e.message : String(e);
        this.#move(id, 'capture-failed', { actor: 'system', details: { reason } }, reason);
        this.#progress(id, 'capture-failed', 'The stills could not be made. It will be tried again.', true);
      });
    }, this.#stepMs);
    this.#timers.add(t);
  }

  async #captureStep(id: string, n: number): Promise<void> {
    const list = this.#stills.get(id);
    if (!list || this.#stopped) return;
    const incident = this.#row(id);
    if (!incident) return;
    const still = await syntheticStill(n + incident.camera * 3);
    if (this.#stopped) return;
    this.#redactor.register(still.bytes, still.faces);
    const base = new Date(incident.trigger_time).getTime();
    list.push({
      id: `${id.slice(-12)}-s${n + 1}`,
      capturedAt: new Date(base - 10_000 + n * 4_000).toISOString(),
      width: still.width,
      height: still.height,
      original: still.bytes,
      faces: still.faces,
    });
    const total = this.#stillsPerIncident;
    if (n + 1 < total) {
      this.#progress(id, 'triggered', `Getting stills from the recorder (${n + 1} of ${total})`, false);
      this.#later(id, () => this.#captureStep(id, n + 1));
      return;
    }
    this.#move(id, 'captured', { actor: 'system', details: { stills: total } });
    this.#progress(id, 'captured', 'Hiding every face…', false);
    this.#later(id, async () => {
      this.#move(id, 'in-review', {
        actor: 'system',
        details: { stills: total, faces: list.reduce((s, x) => s + x.faces.length, 0) },
      });
      this.#progress(id, 'in-review', `Ready: ${total} stills with every face hidden. Review them now.`, true);
    });
  }

  #progress(id: string, status: IncidentStatus, message: string, done: boolean): void {
    const p: IncidentProgress = {
      incidentId: id,
      status,
      message,
      stillsReady: this.#stills.get(id)?.length ?? 0,
      stillsExpected: this.#stillsPerIncident,
      done,
    };
    this.#latest.set(id, p);
    for (const l of this.#listeners.get(id) ?? []) l(p);
  }

  #row(id: string): Row | undefined {
    return this.#db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
  }

  /** Status moves go through the incidents repository, as in production (the lifecycle table and its audit rows). */
  transition(
    id: string,
    from: IncidentStatus,
    to: IncidentStatus,
    audit: TransitionAudit,
    reason: string | null = null,
  ): void {
    this.#repo.transition(id, from, to, audit, reason);
  }

  setCategory(id: string, category: string | null): void {
    this.#repo.setCategory(id, category);
  }

  /** Moves the incident from wherever it is now (the demo's own timers are its only other writer). */
  #move(id: string, to: IncidentStatus, audit: TransitionAudit, reason: string | null = null): void {
    const row = this.#row(id);
    if (row) this.#repo.transition(id, row.status, to, audit, reason);
  }

  stillsOf(id: string): HeldStill[] {
    return this.#stills.get(id) ?? [];
  }

  still(id: string, stillId: string): HeldStill {
    const s = this.stillsOf(id).find((x) => x.id === stillId);
    if (!s) throw new AppError('not-found', 'There is no such still for this incident.');
    return s;
  }

  #held(id: string): boolean {
    return Boolean(
      this.#db
        .prepare(
          'SELECT 1 FROM holds WHERE incident_id = ? AND released_at IS NULL AND (expires_at IS NULL OR expires_at > ?)',
        )
        .get(id, this.#clock.now().toISOString()),
    );
  }

  async list(filter: IncidentFilter = {}): Promise<IncidentSummary[]> {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: filter.limit ?? 100 };
    if (filter.status && filter.status.length > 0) {
      where.push(`status IN (${filter.status.map((_, i) => `@s${i}`).join(', ')})`);
      filter.status.forEach((s, i) => {
        params[`s${i}`] = s;
      });
    }
    if (filter.from) {
      where.push('trigger_time >= @from');
      params['from'] = filter.from;
    }
    if (filter.to) {
      where.push('trigger_time < @to');
      params['to'] = filter.to;
    }
    const rows = this.#db
      .prepare(
        `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY trigger_time DESC LIMIT @limit`,
      )
      .all(params) as Row[];
    return rows.map((r) => ({ ...toIncident(r), stills: this.stillsOf(r.id).length, held: this.#held(r.id) }));
  }

  async get(id: string): Promise<IncidentDetail | undefined> {
    const r = this.#row(id);
    if (!r) return undefined;
    return {
      ...toIncident(r),
      stills: this.stillsOf(id).map(({ id: sid, capturedAt, width, height }) => ({
        id: sid,
        capturedAt,
        width,
        height,
      })),
      held: this.#held(id),
    };
  }

  subscribe(incidentId: string, listener: (progress: IncidentProgress) => void): () => void {
    let set = this.#listeners.get(incidentId);
    if (!set) {
      set = new Set();
      this.#listeners.set(incidentId, set);
    }
    set.add(listener);
    const latest = this.#latest.get(incidentId);
    if (latest) listener(latest);
    return () => set.delete(listener);
  }

  /** Stops pending timers (tests and demo shutdown). */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

// The incidents as the web and the review desk see them, over the real capture service and incidents repository:
// a trigger starts a capture, the stills are then checked by the face detector (so review opens only when every
// face can be hidden, and 'redact' is audited), and progress is pushed to subscribers. Originals are read back
// from the encrypted store only for the Redactor.
import { createHash } from 'node:crypto';
import { AppError, describeError } from '../../core/errors.js';
import type { Incident, IncidentStatus, TriggerRequest } from '../../core/incident.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { HoldStore } from '../../core/ports/holds.js';
import type {
  Camera,
  IncidentDetail,
  IncidentFilter,
  IncidentProgress,
  IncidentService,
  IncidentSummary,
} from '../../core/ports/incident-service.js';
import type { IncidentRepository } from '../../core/ports/incidents.js';
import type { Redactor } from '../../core/ports/redactor.js';
import type { ReviewSource } from '../../core/ports/review-service.js';
import { isHoldActive } from '../../core/retention/policy.js';

/** The capture service's trigger (CaptureService in production). */
export interface CaptureTrigger {
  trigger(request: TriggerRequest): Incident;
}

export interface IncidentDeskDeps {
  /** Evidence holds, to show which incidents are kept past retention. */
  holds: Pick<HoldStore, 'list'>;
  incidents: IncidentRepository;
  capture: CaptureTrigger;
  files: { get(file: string, keyId: string): Buffer };
  redactor: Redactor;
  audit: AuditLog;
  clock: Clock;
  cameras: Camera[];
  stillsExpected: number;
  /** Longest a capture may take before the desk stops watching it (the capture service settles it anyway). */
  captureTimeoutMs: number;
  /** Detection time per still, in seconds (the shared metrics registry). */
  onDetect?: (seconds: number) => void;
  onTrigger?: (request: TriggerRequest) => void;
}

// Once a packet has left for the hub, a late 'queued' from the review desk must not move the incident back.
const AFTER_QUEUED: readonly IncidentStatus[] = ['sent', 'acked', 'failed'];

export class IncidentDesk implements IncidentService, ReviewSource {
  readonly #d: IncidentDeskDeps;
  readonly #latest = new Map<string, IncidentProgress>();
  readonly #listeners = new Map<string, Set<(p: IncidentProgress) => void>>();
  readonly #watching = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();
  readonly #redacting = new Set<string>();
  #sweeper: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: IncidentDeskDeps) {
    this.#d = deps;
  }

  async cameras(): Promise<Camera[]> {
    return this.#d.cameras.map((c) => ({ ...c }));
  }

  async trigger(request: TriggerRequest): Promise<Incident> {
    if (!this.#d.cameras.some((c) => c.id === request.camera && c.enabled))
      throw new AppError('bad-camera', `There is no camera ${request.camera} to capture from.`);
    const incident = this.#d.capture.trigger(request);
    this.#d.onTrigger?.(request);
    this.#progress(incident.id, 'triggered', 'Recorded. Asking the recorder for stills…', false);
    this.#watch(incident.id, this.#d.clock.now().getTime() + this.#d.captureTimeoutMs);
    return incident;
  }

  /** Follows one capture until the capture service settles it, then checks its stills for faces. */
  #watch(id: string, until: number): void {
    const tick = () => {
      this.#watching.delete(id);
      if (this.#stopped) return;
      const i = this.#d.incidents.get(id);
      const n = this.#d.incidents.stills(id, 'original').length;
      if (i?.status === 'triggered' && this.#d.clock.now().getTime() < until) {
        const last = this.#latest.get(id);
        if (last?.stillsReady !== n)
          this.#progress(
            id,
            'triggered',
            `Getting stills from the recorder (${n} of ${this.#d.stillsExpected})`,
            false,
          );
        this.#watching.set(id, setTimeout(tick, 150));
        return;
      }
      if (i?.status === 'captured') {
        this.#startRedact(id);
        return;
      }
      this.#progress(
        id,
        i?.status ?? 'capture-failed',
        'The recorder could not give stills yet. It will be tried again.',
        true,
      );
    };
    this.#watching.set(id, setTimeout(tick, 150));
  }

  #track(p: Promise<void>): void {
    const q = p.finally(() => this.#running.delete(q));
    this.#running.add(q);
  }

  #startRedact(id: string): void {
    if (this.#redacting.has(id)) return;
    this.#redacting.add(id);
    this.#track(this.#redact(id).finally(() => this.#redacting.delete(id)));
  }

  /**
   * Also picks up captures this desk did not watch (retries by the capture service, a restart mid-check, a
   * detector that was down) every `everyMs`.
   */
  start(everyMs = 15_000): void {
    const sweep = () => {
      if (this.#stopped) return;
      for (const i of this.#d.incidents.list({ status: 'captured', limit: 20 }))
        if (!this.#watching.has(i.id)) this.#startRedact(i.id);
    };
    sweep();
    this.#sweeper ??= setInterval(sweep, everyMs);
    this.#sweeper.unref();
  }

  async #redact(id: string): Promise<void> {
    this.#progress(id, 'captured', 'Hiding every face…', false);
    const stills = this.#d.incidents.stills(id, 'original');
    let faces = 0;
    try {
      for (const s of stills) {
        const t0 = performance.now();
        const found = await this.#d.redactor.detect(await this.original(id, s.id));
        this.#d.onDetect?.((performance.now() - t0) / 1000);
        faces += found.faces.length;
      }
    } catch (e) {
      if (this.#stopped) return;
      // Fail closed: without the detector nobody may see these stills, so review does not open.
      const reason = `faces could not be checked: ${describeError(e)}`;
      this.#d.incidents.updateStatus(id, 'captured', reason);
      this.#progress(id, 'captured', 'The faces could not be hidden, so the stills cannot be shown.', true);
      return;
    }
    if (this.#stopped) return;
    this.#d.incidents.atomically(() => {
      this.#d.audit.append({
        actor: 'system',
        action: 'redact',
        subject: id,
        details: { stills: stills.length, faces },
      });
      this.#d.incidents.updateStatus(id, 'in-review', this.#d.incidents.get(id)?.statusReason ?? null);
    });
    this.#progress(id, 'in-review', `Ready: ${stills.length} stills with every face hidden. Review them now.`, true);
  }

  #progress(id: string, status: IncidentStatus, message: string, done: boolean): void {
    const p: IncidentProgress = {
      incidentId: id,
      status,
      message,
      stillsReady: this.#d.incidents.stills(id, 'original').length,
      stillsExpected: this.#d.stillsExpected,
      done,
    };
    this.#latest.set(id, p);
    for (const l of this.#listeners.get(id) ?? []) l(p);
  }

  subscribe(incidentId: string, listener: (progress: IncidentProgress) => void): () => void {
    const latest = this.#latest.get(incidentId);
    if (latest) listener(latest);
    let set = this.#listeners.get(incidentId);
    if (!set) {
      set = new Set();
      this.#listeners.set(incidentId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(incidentId);
    };
  }

  #held(id: string): boolean {
    const now = this.#d.clock.now();
    return this.#d.holds.list(id).some((h) => isHoldActive(h, now));
  }

  async list(filter: IncidentFilter = {}): Promise<IncidentSummary[]> {
    const from = filter.from ? Date.parse(filter.from) : Number.NEGATIVE_INFINITY;
    const to = filter.to ? Date.parse(filter.to) : Number.POSITIVE_INFINITY;
    const rows = this.#d.incidents.list({
      ...(filter.status?.length ? { status: filter.status } : {}),
      limit: filter.from || filter.to ? 10_000 : (filter.limit ?? 100),
    });
    return rows
      .filter((i) => {
        const t = Date.parse(i.triggerTime);
        return t >= from && t < to;
      })
      .slice(0, filter.limit ?? 100)
      .map((i) => ({ ...i, stills: this.#d.incidents.stills(i.id, 'original').length, held: this.#held(i.id) }));
  }

  async get(id: string): Promise<IncidentDetail | undefined> {
    const i = this.#d.incidents.get(id);
    if (!i) return undefined;
    const stills = this.#d.incidents.stills(id, 'original').map((s) => ({
      id: s.id,
      capturedAt: s.capturedAt,
      width: s.width ?? 0,
      height: s.height ?? 0,
    }));
    return { ...i, stills, held: this.#held(id) };
  }

  // ReviewSource
  incident(id: string): Promise<IncidentDetail | undefined> {
    return this.get(id);
  }

  async original(incidentId: string, stillId: string): Promise<Buffer> {
    const s = this.#d.incidents.stills(incidentId, 'original').find((x) => x.id === stillId);
    if (!s) throw new AppError('not-found', 'There is no such still for this incident.');
    const bytes = this.#d.files.get(s.file, s.keyId ?? '');
    if (createHash('sha256').update(bytes).digest('hex') !== s.sha256)
      throw new AppError('evidence-altered', `still ${stillId} does not match the hash recorded at capture`);
    return bytes;
  }

  async setStatus(id: string, status: IncidentStatus, reason: string | null, category?: string | null): Promise<void> {
    this.#d.incidents.atomically(() => {
      const current = this.#d.incidents.get(id);
      if (!current) throw new AppError('incident-not-found', `incident ${id} does not exist`);
      if (category !== undefined) this.#d.incidents.setCategory(id, category);
      if (status === 'queued' && (current.status === 'queued' || AFTER_QUEUED.includes(current.status))) return;
      this.#d.incidents.updateStatus(id, status, reason);
    });
  }

  /** Stops watching captures and waits for redaction checks in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweeper);
    for (const t of this.#watching.values()) clearTimeout(t);
    this.#watching.clear();
    await Promise.allSettled([...this.#running]);
  }
}

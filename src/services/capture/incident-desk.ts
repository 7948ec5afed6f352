// The incidents as the web and the review desk see them, over the real capture service and incidents repository:
// a trigger starts a capture; when the bus says a capture settled, the stills are checked by the face detector
// (so review opens only when every face can be hidden, and 'redact' is audited) and the check is announced as
// 'redacted'. Live progress for the web (SSE) is the same bus events, per incident. Originals are read back from
// the encrypted store only for the Redactor.
import { createHash } from 'node:crypto';
import { AppError, describeError } from '../../core/errors.js';
import type { Incident, IncidentStatus, TriggerRequest } from '../../core/incident.js';
import type { Clock } from '../../core/ports/clock.js';
import type { HoldStore } from '../../core/ports/holds.js';
import type { IncidentEventSink, IncidentEventSource } from '../../core/ports/incident-events.js';
import type {
  Camera,
  IncidentDetail,
  IncidentFilter,
  IncidentProgress,
  IncidentService,
  IncidentSummary,
} from '../../core/ports/incident-service.js';
import type { IncidentRepository, TransitionAudit } from '../../core/ports/incidents.js';
import type { Redactor } from '../../core/ports/redactor.js';
import type { ReviewSource } from '../../core/ports/review-service.js';
import type { StillCheck, StillChecks } from '../../core/ports/still-checks.js';
import type { RedactedImage } from '../../core/redaction.js';
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
  /** Where each still's face check (faces + fully redacted rendering) is kept for review. */
  checks: StillChecks;
  clock: Clock;
  /** The app's bus: the desk follows triggered/still-captured/captured and announces redacted. */
  events: IncidentEventSink & IncidentEventSource;
  cameras: Camera[];
  stillsExpected: number;
  /** How long after a failed face check (detector down) the desk tries that incident again. */
  recheckMs?: number;
  /** Detection time per still, in seconds (the shared metrics registry). */
  onDetect?: (seconds: number) => void;
  onTrigger?: (request: TriggerRequest) => void;
}

export class IncidentDesk implements IncidentService, ReviewSource {
  readonly name = 'incident-desk';
  readonly #d: IncidentDeskDeps;
  readonly #latest = new Map<string, IncidentProgress>();
  readonly #listeners = new Map<string, Set<(p: IncidentProgress) => void>>();
  readonly #rechecks = new Map<string, NodeJS.Timeout>();
  readonly #redacting = new Set<string>();
  readonly #queue: string[] = [];
  #pumping: Promise<void> | undefined;
  readonly #off: (() => void)[] = [];
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
    return incident;
  }

  /**
   * Follows the bus, and checks the captures a restart left unchecked (the process died between capture and the
   * face check, or the detector was down).
   */
  async start(): Promise<void> {
    this.#stopped = false;
    const { events } = this.#d;
    const n = this.#d.stillsExpected;
    this.#off.push(
      events.on('triggered', (e) =>
        this.#progress(e.incidentId, 'triggered', 'Recorded. Asking the recorder for stills…', false),
      ),
      events.on('still-captured', (e) =>
        this.#progress(e.incidentId, 'triggered', `Getting stills from the recorder (${e.stills} of ${n})`, false),
      ),
      events.on('captured', (e) => {
        if (e.status === 'captured') this.#startRedact(e.incidentId);
        else
          this.#progress(
            e.incidentId,
            'capture-failed',
            'The recorder could not give stills yet. It will be tried again.',
            true,
          );
      }),
      events.on('redacted', (e) => {
        if (e.status === 'in-review')
          this.#progress(
            e.incidentId,
            'in-review',
            `Ready: ${e.stills} stills with every face hidden. Review them now.`,
            true,
          );
        else
          this.#progress(
            e.incidentId,
            'captured',
            'The faces could not be hidden, so the stills cannot be shown.',
            true,
          );
      }),
    );
    for (const i of this.#d.incidents.list({ status: 'captured', limit: 1000 })) this.#startRedact(i.id);
  }

  /**
   * Face checks run one incident at a time, in the order captures settled: a restart that finds many captured
   * incidents must not run the detector on all of them at once while staff are pressing the button.
   */
  #startRedact(id: string): void {
    if (this.#stopped || this.#redacting.has(id)) return;
    clearTimeout(this.#rechecks.get(id));
    this.#rechecks.delete(id);
    this.#redacting.add(id);
    this.#queue.push(id);
    this.#pumping ??= this.#pump().finally(() => {
      this.#pumping = undefined;
    });
  }

  async #pump(): Promise<void> {
    for (let id = this.#queue.shift(); id !== undefined && !this.#stopped; id = this.#queue.shift()) {
      await this.#redact(id)
        .catch(() => undefined)
        .finally(() => this.#redacting.delete(id));
    }
  }

  async #redact(id: string): Promise<void> {
    this.#progress(id, 'captured', 'Hiding every face…', false);
    const stills = this.#d.incidents.stills(id, 'original');
    let faces = 0;
    try {
      // Detection runs once per still, here; review reads the stored faces (and renders from them once).
      for (const s of stills) {
        const image = await this.original(id, s.id);
        const t0 = performance.now();
        const found = await this.#d.redactor.detect(image);
        this.#d.onDetect?.((performance.now() - t0) / 1000);
        this.#d.checks.save(id, s.id, { width: found.width, height: found.height, faces: found.faces });
        faces += found.faces.length;
      }
    } catch (e) {
      if (this.#stopped) return;
      // Fail closed: without the detector nobody may see these stills, so review does not open.
      const reason = `faces could not be checked: ${describeError(e)}`;
      if (this.#d.incidents.get(id)?.status !== 'captured') return;
      this.#d.incidents.transition(id, 'captured', 'captured', { actor: 'system' }, reason);
      this.#d.events.emit('redacted', { incidentId: id, status: 'captured', stills: stills.length, faces: 0, reason });
      const t = setTimeout(() => this.#startRedact(id), this.#d.recheckMs ?? 15_000);
      t.unref();
      this.#rechecks.set(id, t);
      return;
    }
    if (this.#stopped) return;
    const current = this.#d.incidents.get(id);
    // Checked twice (a restart sweep and a late event): the first one opened review.
    if (current?.status !== 'captured') return;
    this.#d.incidents.transition(
      id,
      'captured',
      'in-review',
      { actor: 'system', details: { stills: stills.length, faces } },
      current.statusReason,
    );
    this.#d.events.emit('redacted', {
      incidentId: id,
      status: 'in-review',
      stills: stills.length,
      faces,
      reason: null,
    });
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

  async check(incidentId: string, stillId: string): Promise<StillCheck | undefined> {
    return this.#d.checks.load(incidentId, stillId);
  }

  async keepRendering(incidentId: string, stillId: string, redacted: RedactedImage): Promise<void> {
    this.#d.checks.saveRendering(incidentId, stillId, redacted);
  }

  async transition(
    id: string,
    from: IncidentStatus,
    to: IncidentStatus,
    audit: TransitionAudit,
    reason: string | null = null,
  ): Promise<void> {
    this.#d.incidents.transition(id, from, to, audit, reason);
  }

  async setCategory(id: string, category: string | null): Promise<void> {
    this.#d.incidents.setCategory(id, category);
  }

  /** Stops following the bus and waits for face checks in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const off of this.#off.splice(0)) off();
    for (const t of this.#rechecks.values()) clearTimeout(t);
    this.#rechecks.clear();
    await this.#pumping;
  }
}

// The capture use-case: a trigger is recorded (incident row + audit entry, one transaction) and returns at once;
// the stills are pulled afterwards — the ISAPI snapshot as the quickest first still, playback for the part of the
// window already past, live for the part still to come — each stored encrypted as an original as soon as it
// arrives. A capture that gets nothing is marked capture-failed with its reason and retried from playback while
// the recorder still holds the footage.

import type { JsonValue } from '../../core/canonical-json.js';
import { describeError } from '../../core/errors.js';
import type { Incident, TriggerRequest } from '../../core/incident.js';
import { jpegSize } from '../../core/jpeg-size.js';
import { isNvrError } from '../../core/nvr-errors.js';
import type { AuditLog } from '../../core/ports/audit-log.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Frame, FrameSource, RecorderClockReading } from '../../core/ports/frame-source.js';
import type { IdSource } from '../../core/ports/ids.js';
import type { IncidentEventSink } from '../../core/ports/incident-events.js';
import type { IncidentRepository, Still } from '../../core/ports/incidents.js';
import { scrubCredentials } from '../../core/secrets.js';

export interface CaptureSettings {
  preSeconds: number;
  postSeconds: number;
  stills: number;
  retryMinutes: number;
  /** How long the recorder keeps footage; no retries after that. */
  nvrRetentionDays: number;
  /** A trigger this close to now counts as "now": its first still is the ISAPI snapshot. */
  freshMs?: number;
}

/** Where capture-retry state lives (SqliteIncidents in production). */
export interface CaptureRetryStore {
  recordCaptureAttempt(id: string, nextAt: Date | null): number;
  dueRetries(now: Date): Incident[];
}

/** The part of EncryptedFiles capture needs. */
export interface OriginalStore {
  put(sub: string, name: string, plain: Buffer): { keyId: string; file: string; sha256: string; bytes: number };
}

export interface CaptureDeps {
  incidents: IncidentRepository;
  retries: CaptureRetryStore;
  audit: AuditLog;
  files: OriginalStore;
  frames: FrameSource;
  clock: Clock;
  ids: IdSource;
  siteId: string;
  settings: CaptureSettings;
  /** Where triggered, still-captured and captured go (the app's bus). */
  events?: IncidentEventSink;
  /** Called per stored still (the bench times these; the web may push them). */
  onStill?: (incidentId: string, still: Still) => void;
  onProblem?: (incidentId: string, message: string) => void;
  /** Free bytes on the data disk (null when unknown); below minFreeBytes a capture is refused before any pull. */
  diskFreeBytes?: () => number | null;
  minFreeBytes?: number;
  /** Keeps the recorder's clock offset of each capture for the packet (SqliteRecorderClockLog). */
  clockLog?: { record(incidentId: string, reading: RecorderClockReading): void };
}

/** How long a capture waits for the recorder's clock before playing back without the correction. */
const CLOCK_READ_MS = 2000;

export interface CaptureOutcome {
  incident: Incident;
  stills: Still[];
  errors: string[];
}

interface Plan {
  snapshot: boolean;
  past: Date[];
  future: Date[];
}

/** Spreads `count` moments over [from, to]; the snapshot, when taken, stands in for the one nearest the trigger. */
export function planCapture(trigger: Date, now: Date, s: CaptureSettings): Plan {
  const from = trigger.getTime() - s.preSeconds * 1000;
  const to = trigger.getTime() + s.postSeconds * 1000;
  const n = s.stills;
  const moments = Array.from(
    { length: n },
    (_, i) => new Date(n === 1 ? trigger.getTime() : from + ((to - from) * i) / (n - 1)),
  );
  const fresh = Math.abs(now.getTime() - trigger.getTime()) <= (s.freshMs ?? 3000);
  let snapshot = false;
  if (fresh) {
    let best = 0;
    moments.forEach((m, i) => {
      if (Math.abs(m.getTime() - trigger.getTime()) < Math.abs(moments[best]!.getTime() - trigger.getTime())) best = i;
    });
    moments.splice(best, 1);
    snapshot = true;
  }
  // The recorder writes its archive a moment behind; anything in the last second is taken live.
  const edge = now.getTime() - 1000;
  return {
    snapshot,
    past: moments.filter((m) => m.getTime() <= edge),
    future: moments.filter((m) => m.getTime() > edge),
  };
}

export class CaptureService {
  readonly #d: CaptureDeps;
  readonly #running = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: CaptureDeps) {
    this.#d = deps;
  }

  /** Records the trigger and returns at once; the capture runs in the background (see `whenIdle`). */
  trigger(req: TriggerRequest): Incident {
    const at = req.at ?? this.#d.clock.now();
    const incident = this.#d.incidents.atomically(() => {
      const i = this.#d.incidents.create({
        siteId: this.#d.siteId,
        camera: req.camera,
        triggerTime: at,
        source: req.source,
      });
      this.#d.audit.append({
        actor: req.actor,
        action: 'trigger',
        subject: i.id,
        details: { camera: req.camera, at: at.toISOString(), source: req.source },
      });
      return i;
    });
    this.#d.events?.emit('triggered', { incidentId: incident.id, camera: incident.camera, source: incident.source });
    // The capture starts on a later turn of the event loop, so the caller has its answer before any I/O starts.
    this.#track(new Promise<void>((r) => setImmediate(r)).then(() => this.capture(incident.id)));
    return incident;
  }

  /** Resolves when every capture started so far has finished. */
  async whenIdle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Settles captures a crash interrupted, then checks for due retries every `everyMs` (a Module's start). */
  start(everyMs = 30_000): void {
    this.resumeInterrupted();
    this.retryDue();
    this.#timer ??= setInterval(() => this.retryDue(), everyMs);
    this.#timer.unref();
  }

  /**
   * Incidents still 'triggered' when the service starts were being captured when the process died (kill -9,
   * power cut): nothing else would ever move them on. Stills already stored are kept (they are evidence) and the
   * capture settles as 'captured' with what it has; with none it becomes a failed capture retried at once from
   * playback. Returns the ids settled.
   */
  resumeInterrupted(): string[] {
    const d = this.#d;
    const stuck = d.incidents.list({ status: 'triggered', limit: 1000 });
    for (const i of stuck) {
      const have = d.incidents.stills(i.id, 'original').length;
      if (have > 0)
        this.#settleCaptured(
          i.id,
          `${have} of ${d.settings.stills} stills (the capture was interrupted by a restart)`,
          { stills: have, wanted: d.settings.stills, interrupted: true },
        );
      else
        this.#settleFailed(i.id, 'the capture was interrupted by a restart; trying again', d.clock.now(), {
          interrupted: true,
        });
    }
    return stuck.map((i) => i.id);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.whenIdle();
  }

  /** Starts the captures whose retry time has come; returns their ids. */
  retryDue(): string[] {
    const due = this.#d.retries.dueRetries(this.#d.clock.now());
    for (const i of due) this.#track(this.capture(i.id));
    return due.map((i) => i.id);
  }

  #track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => this.#running.delete(q));
    this.#running.add(q);
  }

  /** Pulls the stills for one incident and settles its status. Never throws for recorder problems. */
  async capture(incidentId: string): Promise<CaptureOutcome> {
    const d = this.#d;
    const incident = d.incidents.get(incidentId);
    if (!incident) throw new Error(`no incident ${incidentId}`);
    const t0 = d.clock.now();
    const plan = planCapture(new Date(incident.triggerTime), t0, d.settings);
    const stills: Still[] = [];
    const errors: { message: string; retryable: boolean }[] = [];
    const store = (f: Frame) => {
      const id = d.ids.next();
      const stored = d.files.put(`originals/${incidentId}`, id, f.jpeg);
      const size = jpegSize(f.jpeg);
      const still = d.incidents.addStill({
        id,
        incidentId,
        kind: 'original',
        capturedAt: f.at.toISOString(),
        origin: f.origin,
        width: size?.width ?? null,
        height: size?.height ?? null,
        bytes: stored.bytes,
        sha256: stored.sha256,
        file: stored.file,
        keyId: stored.keyId,
      });
      stills.push(still);
      d.onStill?.(incidentId, still);
      d.events?.emit('still-captured', { incidentId, stills: stills.length });
    };
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        const message = `${what}: ${scrubCredentials(describeError(e))}`;
        errors.push({ message, retryable: isNvrError(e) ? e.retryable : true });
        d.onProblem?.(incidentId, message);
      }
    };
    const cam = incident.camera;
    const jobs: Promise<unknown>[] = [];
    // The recorder's clock is read on every capture, beside the snapshot; playback waits for it because it asks
    // for the recorder's own times. A recorder that does not answer costs at most CLOCK_READ_MS, then no offset.
    let clockReading: RecorderClockReading | undefined;
    const clockRead = d.frames.recorderClock
      ? bounded(d.frames.recorderClock(), CLOCK_READ_MS).then(
          (r) => {
            clockReading = r;
          },
          (e) => d.onProblem?.(incidentId, `recorder clock: ${scrubCredentials(describeError(e))}`),
        )
      : Promise.resolve();
    jobs.push(clockRead);
    // Disk nearly full: refuse rather than half-write originals or make room by deleting anything. The capture
    // is retried like a recorder fault, so it succeeds once space is freed while the NVR still has the footage.
    const free = d.diskFreeBytes?.() ?? null;
    const full = free !== null && d.minFreeBytes !== undefined && free < d.minFreeBytes;
    if (full) {
      const mb = (b: number) => Math.floor(b / 1_000_000);
      const message = `the data disk is nearly full (${mb(free)} MB free, ${mb(d.minFreeBytes!)} MB needed): capture refused, nothing deleted; free space and it will be retried`;
      errors.push({ message, retryable: true });
      d.onProblem?.(incidentId, message);
    }
    if (plan.snapshot && !full) jobs.push(attempt('snapshot', async () => store(await d.frames.snapshot(cam))));
    const past = plan.past;
    if (past.length > 0 && !full) {
      jobs.push(
        attempt('playback', async () => {
          await clockRead;
          await d.frames.playback(cam, past[0]!, past[past.length - 1]!, past.length, (f) => store(f));
        }),
      );
    }
    if (plan.future.length > 0 && !full) {
      const last = plan.future[plan.future.length - 1]!;
      const wait = Math.max(0, plan.future[0]!.getTime() - d.clock.now().getTime());
      const span = last.getTime() - plan.future[0]!.getTime();
      const interval = plan.future.length > 1 ? span / (plan.future.length - 1) : 0;
      jobs.push(
        attempt('live', async () => {
          // Waited on the injected clock, the one the plan was made from.
          if (wait > 0) await d.clock.sleep(wait);
          await d.frames.live(cam, plan.future.length, interval, (f) => store(f));
        }),
      );
    }
    await Promise.all(jobs);
    if (clockReading) d.clockLog?.record(incidentId, clockReading);
    const clockDetails = clockReading
      ? { recorderClock: { offsetMs: Math.round(clockReading.offsetMs), source: clockReading.source } }
      : {};

    const ms = d.clock.now().getTime() - t0.getTime();
    if (stills.length > 0) {
      const short = stills.length < d.settings.stills ? `${stills.length} of ${d.settings.stills} stills` : null;
      const done = this.#settleCaptured(incidentId, short, {
        stills: stills.length,
        wanted: d.settings.stills,
        origins: stills.map((s) => s.origin ?? ''),
        ms,
        ...clockDetails,
        ...(errors.length ? { problems: errors.map((e) => e.message) } : {}),
      });
      return { incident: done, stills, errors: errors.map((e) => e.message) };
    }

    const reason = errors[0]?.message ?? 'no stills';
    const keeps = new Date(incident.triggerTime).getTime() + d.settings.nvrRetentionDays * 86_400_000;
    const retryAt = new Date(d.clock.now().getTime() + d.settings.retryMinutes * 60_000);
    const retry = errors.some((e) => e.retryable) && retryAt.getTime() < keeps ? retryAt : null;
    const failed = this.#settleFailed(incidentId, reason, retry, { ms, ...clockDetails });
    return { incident: failed, stills, errors: errors.map((e) => e.message) };
  }

  /** Ends a capture with the stills it has: no retry due, status 'captured' with its `capture` audit row. */
  #settleCaptured(id: string, note: string | null, details: Record<string, JsonValue>) {
    const d = this.#d;
    const done = d.incidents.atomically(() => {
      d.retries.recordCaptureAttempt(id, null);
      return d.incidents.transition(id, this.#status(id), 'captured', { actor: 'system', details }, note);
    });
    d.events?.emit('captured', {
      incidentId: id,
      status: 'captured',
      stills: d.incidents.stills(id, 'original').length,
    });
    return done;
  }

  /** Ends a capture attempt without stills: the next try (or none), status 'capture-failed' with its audit row. */
  #settleFailed(id: string, reason: string, retry: Date | null, details: Record<string, JsonValue>) {
    const d = this.#d;
    const failed = d.incidents.atomically(() => {
      const n = d.retries.recordCaptureAttempt(id, retry);
      return d.incidents.transition(
        id,
        this.#status(id),
        'capture-failed',
        {
          actor: 'system',
          details: { reason, attempt: n, nextTry: retry ? retry.toISOString() : null, ...details },
        },
        reason,
      );
    });
    d.events?.emit('captured', { incidentId: id, status: 'capture-failed', stills: 0 });
    return failed;
  }

  #status(id: string) {
    const i = this.#d.incidents.get(id);
    if (!i) throw new Error(`no incident ${id}`);
    return i.status;
  }
}

/**
 * `p`, or a rejection after `ms` of real time: a bound on waiting for the recorder's I/O, not a moment in the
 * incident's time (so a fixed test clock is not moved by it).
 */
function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

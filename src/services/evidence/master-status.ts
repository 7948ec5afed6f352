// Where an incident's police master stands, for the incident page: waiting for the window to end, acquiring (bytes
// and seconds of footage), sealed or short (hash, size, duration, method), failed (why, next try), with the
// recorder's clock offset. Read from the master's row; kept live by the bus's master-* events, never by polling.
import { CLOCK_WARN_MS, masterWindow } from '../../core/evidence.js';
import type { Clock } from '../../core/ports/clock.js';
import type { MasterStatus, MasterStatusService } from '../../core/ports/evidence-desk.js';
import type { MasterStore } from '../../core/ports/evidence-masters.js';
import type { IncidentEventSource } from '../../core/ports/incident-events.js';

export interface MasterStatusDeps {
  masters: Pick<MasterStore, 'forIncident'>;
  /** The incident's trigger time (the incident repository); undefined: no such incident. */
  incident: (id: string) => { triggerTime: string } | undefined;
  settings: { clipPreSeconds: number; clipPostSeconds: number; settleSeconds: number };
  events: IncidentEventSource;
  clock: Clock;
}

const MASTER_EVENTS = ['master-started', 'master-progress', 'master-sealed', 'master-failed'] as const;

export class MasterStatusDesk implements MasterStatusService {
  readonly #d: MasterStatusDeps;

  constructor(deps: MasterStatusDeps) {
    this.#d = deps;
  }

  status(incidentId: string): MasterStatus | undefined {
    const inc = this.#d.incident(incidentId);
    if (!inc) return undefined;
    const s = this.#d.settings;
    const m = this.#d.masters.forIncident(incidentId);
    const w = masterWindow(new Date(inc.triggerTime), s.clipPreSeconds, s.clipPostSeconds);
    const windowFrom = m?.windowFrom ?? w.from.toISOString();
    const windowTo = m?.windowTo ?? w.to.toISOString();
    const base: MasterStatus = {
      incidentId,
      phase: 'waiting',
      windowFrom,
      windowTo,
      windowSeconds: (Date.parse(windowTo) - Date.parse(windowFrom)) / 1000,
      startsAt: null,
      bytes: null,
      seconds: null,
      sha256: null,
      method: null,
      sealedAt: null,
      clockOffsetMs: m?.clockOffsetMs ?? null,
      clockWarning: m?.clockOffsetMs != null && Math.abs(m.clockOffsetMs) > CLOCK_WARN_MS,
      attempts: m?.attempts ?? 0,
      reason: null,
      nextTry: null,
    };
    if (!m) return { ...base, startsAt: new Date(w.to.getTime() + s.settleSeconds * 1000).toISOString() };
    if (m.state === 'acquiring')
      return { ...base, phase: 'acquiring', bytes: m.progressBytes, seconds: m.progressSeconds };
    if (m.state === 'failed')
      return { ...base, phase: 'failed', bytes: m.progressBytes, reason: m.lastError, nextTry: m.nextAttemptAt };
    return {
      ...base,
      phase: m.complete ? 'sealed' : 'short',
      bytes: m.bytes,
      seconds: m.progressSeconds,
      sha256: m.sha256,
      method: m.method,
      sealedAt: m.sealedAt,
    };
  }

  /**
   * Resolves when the incident's master stops being on its way (sealed, short or failed), at once when it is not on
   * its way, or after `maxMs` on the injected clock, whichever comes first. Follows the bus; never polls.
   */
  async settled(incidentId: string, maxMs: number): Promise<void> {
    const pending = (s: MasterStatus | undefined) => s?.phase === 'waiting' || s?.phase === 'acquiring';
    if (maxMs <= 0 || !pending(this.status(incidentId))) return;
    await new Promise<void>((resolve) => {
      let done = false;
      let off: () => void = () => {};
      const finish = () => {
        if (done) return;
        done = true;
        off();
        resolve();
      };
      off = this.subscribe(incidentId, (s) => {
        if (!pending(s)) finish();
      });
      void this.#d.clock.sleep(maxMs).then(finish);
    });
  }

  subscribe(incidentId: string, listener: (status: MasterStatus) => void): () => void {
    const push = (p: { incidentId: string }) => {
      if (p.incidentId !== incidentId) return;
      const now = this.status(incidentId);
      if (now) listener(now);
    };
    const offs = MASTER_EVENTS.map((e) => this.#d.events.on(e, push));
    return () => {
      for (const off of offs) off();
    };
  }
}

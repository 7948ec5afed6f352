// Lifecycle modules for the service: the retention sweep at start-up and daily at the configured hour (ending
// expired holds first), and the audit checkpointer on a one-minute tick. The lead wires them in create-app.

import type { Clock } from '../../core/ports/clock.js';
import type { Module } from '../../core/ports/module.js';
import type { Checkpointer } from '../audit/checkpoints.js';
import type { HoldService } from '../holds/holds.js';
import type { RetentionSweeper, SweepLog, SweepResult } from './sweeper.js';

/** Milliseconds from `now` to the next `hour`:00 local time (tomorrow if it has passed today). */
export function msUntilHour(now: Date, hour: number): number {
  const next = new Date(now);
  next.setHours(hour, 0, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}

export function createRetentionModule(deps: {
  sweeper: RetentionSweeper;
  holds: HoldService;
  clock: Clock;
  log: SweepLog;
  sweepHour: number;
  /** Called after each sweep (the web auditor page, metrics). */
  onSweep?: (result: SweepResult) => void;
}): Module & { runOnce(): Promise<SweepResult | undefined>; whenIdle(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let current: Promise<SweepResult | undefined> | undefined;
  const sweepNow = async (): Promise<SweepResult | undefined> => {
    try {
      const expired = deps.holds.expireDue();
      if (expired.length > 0) deps.log.info({ holds: expired.map((h) => h.id) }, 'evidence holds expired');
      const result = await deps.sweeper.sweep();
      deps.onSweep?.(result);
      return result;
    } catch (e) {
      deps.log.error({ err: e instanceof Error ? e.message : String(e) }, 'retention sweep failed');
      return undefined;
    }
  };
  // One sweep at a time: a timer that fires during a long sweep joins it instead of starting another.
  const runOnce = (): Promise<SweepResult | undefined> => {
    current ??= sweepNow().finally(() => {
      current = undefined;
    });
    return current;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        void runOnce().then(schedule);
      },
      msUntilHour(deps.clock.now(), deps.sweepHour),
    );
    timer.unref();
  };
  return {
    name: 'retention',
    runOnce,
    async whenIdle() {
      await current;
    },
    async start() {
      stopped = false;
      // The start-up sweep runs in the background so the rest of the service does not wait for it.
      void runOnce();
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

export function createCheckpointModule(deps: { checkpointer: Checkpointer; log: SweepLog; tickMs?: number }): Module {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const cp = await deps.checkpointer.checkpoint();
      if (cp) deps.log.info({ seq: cp.seq }, 'audit checkpoint signed and queued');
    } catch (e) {
      deps.log.error({ err: e instanceof Error ? e.message : String(e) }, 'audit checkpoint failed');
    } finally {
      running = false;
    }
  };
  return {
    name: 'audit-checkpoints',
    async start() {
      await tick();
      timer = setInterval(() => void tick(), deps.tickMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await tick(); // one last checkpoint so the hub sees the shutdown's entries
    },
  };
}

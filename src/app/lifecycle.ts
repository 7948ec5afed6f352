// Starts the appliance's modules in order and stops them in reverse. A module whose start fails is logged and
// audited and the rest carry on (the audit log must keep working when, say, the broker adapter crashes); stop
// gives every module its turn within one overall deadline.
import type { Module } from '../core/ports/module.js';
import type { Logger } from '../observability/logger.js';

export type { Module };

export interface ModuleStatus {
  name: string;
  state: 'stopped' | 'running' | 'failed';
  error?: string;
}

export class Lifecycle {
  readonly #modules: Module[] = [];
  readonly #status = new Map<string, ModuleStatus>();
  readonly #log: Logger;
  readonly #onFailure: (name: string, error: unknown) => void;

  constructor(log: Logger, onFailure: (name: string, error: unknown) => void = () => {}) {
    this.#log = log;
    this.#onFailure = onFailure;
  }

  add(module: Module): this {
    this.#modules.push(module);
    this.#status.set(module.name, { name: module.name, state: 'stopped' });
    return this;
  }

  status(): ModuleStatus[] {
    return this.#modules.map((m) => this.#status.get(m.name) ?? { name: m.name, state: 'stopped' });
  }

  async start(): Promise<void> {
    for (const m of this.#modules) {
      const t0 = performance.now();
      try {
        await m.start();
        this.#status.set(m.name, { name: m.name, state: 'running' });
        this.#log.info({ module: m.name, ms: Math.round(performance.now() - t0) }, 'module started');
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        this.#status.set(m.name, { name: m.name, state: 'failed', error: message });
        this.#log.error({ module: m.name, err: e }, 'module failed to start');
        if (m.critical) {
          await this.stop();
          throw e;
        }
        this.#report(m.name, e);
      }
    }
  }

  /** Marks a running module as failed (called by a module's own supervisor when it crashes at run time). */
  fail(name: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#status.set(name, { name, state: 'failed', error: message });
    this.#log.error({ module: name, err: error }, 'module crashed');
    this.#report(name, error);
  }

  /** Stops running modules in reverse order; gives up on a module that takes longer than the time left. */
  async stop(deadlineMs = 10_000): Promise<void> {
    const end = performance.now() + deadlineMs;
    for (const m of [...this.#modules].reverse()) {
      if (this.#status.get(m.name)?.state !== 'running') continue;
      const left = Math.max(100, Math.round(end - performance.now()));
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          m.stop(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not stop within ${left} ms`)), left);
          }),
        ]);
        this.#log.info({ module: m.name }, 'module stopped');
      } catch (e) {
        this.#log.error({ module: m.name, err: e }, 'module did not stop cleanly');
      } finally {
        clearTimeout(timer);
        this.#status.set(m.name, { name: m.name, state: 'stopped' });
      }
    }
  }

  #report(name: string, error: unknown): void {
    try {
      this.#onFailure(name, error);
    } catch (e) {
      this.#log.error({ err: e }, 'failure handler threw');
    }
  }
}

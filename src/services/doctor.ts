// `doctor`'s engine: a registry of named checks, each answering ok / warn / fail with a fix in plain words. The
// checks that touch the machine live in adapters/doctor; the NVR, broker and hub checks join the registry at merge
// through `registry.add(...)`. A check that throws or hangs is itself reported as a failure, never a crash.
import type { LoadedConfig } from '../config/load.js';
import type { ConfigProblem } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckOutcome {
  status: CheckStatus;
  /** What was found, e.g. "ffmpeg 5.1.6 at /usr/bin/ffmpeg". */
  detail: string;
  /** What to do about a warn or fail, in plain words. */
  fix?: string;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
}

export interface DoctorContext {
  configFile: string;
  /** The loaded configuration, or the problems that stopped it loading. */
  loaded: LoadedConfig | undefined;
  configProblems: readonly ConfigProblem[];
  dataDir: string;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** Root of the installed package (for models/manifest.json). */
  packageRoot: string;
  exec: Exec;
}

export type Exec = (
  cmd: string,
  args: string[],
  timeoutMs?: number,
) => Promise<{ code: number | null; stdout: string; stderr: string; missing?: boolean }>;

export interface DoctorCheck {
  id: string;
  title: string;
  /** Checks that need a valid configuration are skipped when it did not load. */
  needsConfig?: boolean;
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

export class CheckRegistry {
  readonly #checks: DoctorCheck[] = [];

  add(check: DoctorCheck): this {
    if (this.#checks.some((c) => c.id === check.id)) throw new Error(`doctor check ${check.id} registered twice`);
    this.#checks.push(check);
    return this;
  }

  list(): readonly DoctorCheck[] {
    return this.#checks;
  }

  async run(ctx: DoctorContext, timeoutMs = 15_000): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    for (const c of this.#checks) {
      if (c.needsConfig && !ctx.loaded) {
        out.push({ id: c.id, title: c.title, status: 'skip', detail: 'skipped: the configuration did not load' });
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        const r = await Promise.race([
          c.run(ctx),
          new Promise<CheckOutcome>((resolve) => {
            timer = setTimeout(
              () =>
                resolve({
                  status: 'fail',
                  detail: `no answer within ${timeoutMs / 1000} s`,
                  fix: 'see the log; run the check again',
                }),
              timeoutMs,
            );
          }),
        ]);
        out.push({ id: c.id, title: c.title, ...r });
      } catch (e) {
        out.push({
          id: c.id,
          title: c.title,
          status: 'fail',
          detail: `the check itself failed: ${e instanceof Error ? e.message : String(e)}`,
          fix: 'this is a bug in bcrp-edge doctor; report it with this line',
        });
      } finally {
        clearTimeout(timer);
      }
    }
    return out;
  }
}

export function summary(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const s: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) s[r.status]++;
  return s;
}

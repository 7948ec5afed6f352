// `doctor`'s engine: a registry of named checks (the DoctorCheck port), each answering ok / warn / fail with a fix in
// plain words. The checks themselves live in adapters/doctor. A check that throws or hangs is itself reported as a
// failure, never a crash.
import type { LoadedConfig } from '../config/load.js';
import type {
  CheckOutcome,
  CheckResult,
  CheckStatus,
  DoctorCheck as PortDoctorCheck,
  DoctorContext as PortDoctorContext,
} from '../core/ports/doctor-check.js';

export type { CheckOutcome, CheckResult, CheckStatus, Exec } from '../core/ports/doctor-check.js';

export type DoctorContext = PortDoctorContext<LoadedConfig>;
export type DoctorCheck = PortDoctorCheck<LoadedConfig>;

export class CheckRegistry {
  readonly #checks: DoctorCheck[] = [];

  constructor(checks: readonly DoctorCheck[] = []) {
    for (const c of checks) this.add(c);
  }

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

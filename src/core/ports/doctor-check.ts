// Port: one check `bcrp-edge doctor` makes, answering ok / warn / fail / skip with a fix in plain words. The checks
// themselves are adapters (they touch the machine, the NVR, the broker); the registry that runs them is a service.
// The loaded configuration's type is a parameter so core does not depend on config/.
import type { ConfigProblem } from '../errors.js';
import type { Clock } from './clock.js';

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

export type Exec = (
  cmd: string,
  args: string[],
  timeoutMs?: number,
) => Promise<{ code: number | null; stdout: string; stderr: string; missing?: boolean }>;

export interface DoctorContext<Loaded> {
  configFile: string;
  /** The loaded configuration, or the problems that stopped it loading. */
  loaded: Loaded | undefined;
  configProblems: readonly ConfigProblem[];
  dataDir: string;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** Root of the installed package (for models/manifest.json). */
  packageRoot: string;
  exec: Exec;
}

export interface DoctorCheck<Loaded> {
  id: string;
  title: string;
  /** Checks that need a valid configuration are skipped when it did not load. */
  needsConfig?: boolean;
  run(ctx: DoctorContext<Loaded>): Promise<CheckOutcome>;
}

// `bcrp-edge doctor [--json]`: checks that everything the appliance needs works, and says how to fix what does not.
// Exit 0 when nothing failed (warnings allowed), 1 when any check failed.
import { join } from 'node:path';
import { doctorChecks, execCommand } from '../adapters/doctor/checks.js';
import { configPath, dataDir, type LoadedConfig, loadConfigFile } from '../config/load.js';
import { ConfigError, type ConfigProblem, ExitCode } from '../core/errors.js';
import { systemClock } from '../core/ports/clock.js';
import { CheckRegistry, type CheckResult, summary } from '../services/doctor.js';
import { commonOptions, parse } from './args.js';
import { type Command, printJson } from './io.js';

const MARK: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export const doctor: Command = {
  name: 'doctor',
  summary: 'check that everything the appliance needs works',
  usage: 'bcrp-edge doctor [--config FILE] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parse(args, commonOptions, this.usage);
    const file = configPath(values.config, io.env);
    let loaded: LoadedConfig | undefined;
    let problems: readonly ConfigProblem[] = [];
    try {
      loaded = loadConfigFile(file);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems = e.problems;
    }
    const results = await new CheckRegistry(doctorChecks()).run({
      configFile: file,
      loaded,
      configProblems: problems,
      dataDir: dataDir(values['data-dir'], io.env),
      env: io.env,
      clock: systemClock,
      packageRoot: join(import.meta.dirname, '..', '..'),
      exec: execCommand,
    });
    const s = summary(results);
    if (values.json) printJson(io, { ok: s.fail === 0, summary: s, checks: results });
    else {
      const width = Math.max(...results.map((r) => r.title.length));
      for (const r of results) {
        io.out(`${MARK[r.status]}  ${r.title.padEnd(width)}  ${r.detail}`);
        if (r.fix && (r.status === 'warn' || r.status === 'fail')) io.out(`      ${''.padEnd(width)}  fix: ${r.fix}`);
      }
      io.out(
        `${s.ok} ok, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.fail} failed${s.skip ? `, ${s.skip} skipped` : ''}`,
      );
    }
    return s.fail === 0 ? ExitCode.ok : ExitCode.failure;
  },
};

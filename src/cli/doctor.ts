// `bcrp-edge doctor [--json]`: checks that everything the appliance needs works, and says how to fix what does not.
// `--nvr` runs the installer's self-test of the recorder instead (adapters/nvr/self-test.ts).
// Exit 0 when nothing failed (warnings allowed), 1 when any check failed.
import { join } from 'node:path';
import { doctorChecks, execCommand } from '../adapters/doctor/checks.js';
import { runNvrSelfTest, type SelfTestStep, selfTestSummary } from '../adapters/nvr/self-test.js';
import { configPath, dataDir, type LoadedConfig, loadConfigFile } from '../config/load.js';
import { ConfigError, type ConfigProblem, ExitCode } from '../core/errors.js';
import { systemClock } from '../core/ports/clock.js';
import { CheckRegistry, type CheckResult, summary } from '../services/doctor.js';
import { commonOptions, parse } from './args.js';
import { type CliIo, type Command, printJson } from './io.js';

const MARK: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export const doctor: Command = {
  name: 'doctor',
  summary: 'check that everything the appliance needs works',
  usage: 'bcrp-edge doctor [--config FILE] [--data-dir DIR] [--nvr] [--json]',
  async run(args, io) {
    const { values } = parse(args, { ...commonOptions, nvr: { type: 'boolean' } }, this.usage);
    const file = configPath(values.config, io.env);
    if (values.nvr) return nvrSelfTest(file, values.json === true, io);
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

const STEP_MARK: Record<SelfTestStep['status'], string> = {
  ok: 'ok  ',
  workaround: 'ok* ',
  warn: 'WARN',
  fail: 'FAIL',
  skip: 'skip',
};

/** `doctor --nvr`: the recorder self-test, one line per step, with the workaround and fix under it. */
async function nvrSelfTest(file: string, json: boolean, io: CliIo): Promise<ExitCode> {
  const loaded = loadConfigFile(file); // a ConfigError is printed with every problem and exits 78
  const { nvr, buttons, capture } = loaded.config;
  if (loaded.secrets.nvrPassword === undefined)
    throw new ConfigError(file, [{ path: '/nvr/passwordFile', message: 'the NVR password is missing' }]);
  if (nvr.kind !== 'hikvision')
    throw new ConfigError(file, [
      { path: '/nvr/kind', message: 'doctor --nvr walks through ISAPI; an ONVIF recorder is checked by plain doctor' },
    ]);
  const steps = await runNvrSelfTest({
    isapi: {
      scheme: nvr.scheme,
      host: nvr.host,
      port: nvr.port,
      username: nvr.username,
      password: loaded.secrets.nvrPassword,
      timeoutMs: nvr.timeoutMs,
      allowBasic: nvr.allowBasicAuth,
      ...(nvr.tlsFingerprint ? { tlsFingerprint: nvr.tlsFingerprint } : {}),
    },
    rtspPort: nvr.rtspPort,
    cameras: nvr.channels.filter((c) => c.enabled).map((c) => c.id),
    alarmInputs: buttons.sources.flatMap((b) => (b.kind === 'nvr-io' ? [b.input] : [])),
    clock: systemClock,
    stallMs: Math.min(capture.frameTimeoutMs, 10_000),
  });
  const s = selfTestSummary(steps);
  if (json) printJson(io, { ok: s.fail === 0, summary: s, steps });
  else {
    const label = (x: SelfTestStep) => (x.camera === undefined ? x.title : `camera ${x.camera} ${x.title}`);
    const width = Math.max(...steps.map((x) => label(x).length));
    for (const x of steps) {
      io.out(`${STEP_MARK[x.status]}  ${label(x).padEnd(width)}  ${x.detail}`);
      if (x.workaround) io.out(`      ${''.padEnd(width)}  worked around: ${x.workaround}`);
      if (x.fix && x.status !== 'ok') io.out(`      ${''.padEnd(width)}  fix: ${x.fix}`);
    }
    io.out(
      `${s.ok} ok, ${s.workaround} worked around (ok*), ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.fail} failed${s.skip ? `, ${s.skip} skipped` : ''}`,
    );
  }
  return s.fail === 0 ? ExitCode.ok : ExitCode.failure;
}

// sd_notify for a Type=notify unit: READY=1 once every module has started, WATCHDOG=1 while the event loop turns,
// STOPPING=1 on the way down. Node has no unix datagram sockets (dgram is UDP only; the npm bindings are native
// addons that need a compiler on the Pi and a rebuild per Node ABI), so each message goes through `systemd-notify`,
// which ships with systemd itself. Since systemd 246 it waits for the manager to process the message (BARRIER=1),
// so a READY sent from a short-lived helper is never lost; the unit sets NotifyAccess=all because the helper's PID
// is not the main PID. Costs one short process per message: one at start, one every WatchdogSec/2.
import { spawn } from 'node:child_process';
import type { Module } from '../../core/ports/module.js';
import type { Logger } from '../../observability/logger.js';

export type NotifyState = Partial<Record<'READY' | 'STOPPING' | 'WATCHDOG' | 'STATUS' | 'RELOADING', string>>;

export interface SdNotifier {
  /** True when started by systemd with a notify socket; every call is a no-op otherwise. */
  readonly enabled: boolean;
  notify(state: NotifyState): Promise<void>;
}

/** The message as systemd reads it: KEY=VALUE lines, newlines in values flattened. */
export function notifyArgs(state: NotifyState): string[] {
  return Object.entries(state)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v).replace(/[\r\n]+/g, ' ')}`);
}

export function systemdNotifier(
  env: NodeJS.ProcessEnv = process.env,
  options: { bin?: string; timeoutMs?: number } = {},
): SdNotifier {
  const socket = env['NOTIFY_SOCKET'];
  const bin = options.bin ?? 'systemd-notify';
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    enabled: Boolean(socket),
    notify(state) {
      if (!socket) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const child = spawn(bin, notifyArgs(state), {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: { PATH: env['PATH'] ?? '/usr/bin:/bin', NOTIFY_SOCKET: socket },
        });
        let err = '';
        child.stderr.on('data', (d) => {
          err = (err + d).slice(-300);
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('error', (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(new Error(e.code === 'ENOENT' ? `${bin} not found (package systemd)` : e.message));
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else reject(new Error(`${bin} failed (${signal ?? code}): ${err.trim() || 'no message'}`));
        });
      });
    },
  };
}

/** Half the watchdog period systemd gives us, or undefined when the watchdog is off or meant for another PID. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | undefined {
  const usec = Number(env['WATCHDOG_USEC']);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  const forPid = env['WATCHDOG_PID'];
  if (forPid !== undefined && forPid !== '' && Number(forPid) !== pid) return undefined;
  return Math.max(500, Math.floor(usec / 2000));
}

export interface SystemdModuleOptions {
  notifier?: SdNotifier;
  env?: NodeJS.ProcessEnv;
  /** Checked before each watchdog ping: false withholds the ping, so systemd restarts a wedged service. */
  healthy?: () => boolean;
  status?: () => string;
}

/** Add LAST to the lifecycle: it starts after every other module (READY means ready) and stops first. */
export function systemdModule(log: Logger, options: SystemdModuleOptions = {}): Module {
  const env = options.env ?? process.env;
  const notifier = options.notifier ?? systemdNotifier(env);
  let timer: NodeJS.Timeout | undefined;
  const send = (state: NotifyState) =>
    notifier.notify(state).catch((e: unknown) => log.warn({ err: e }, 'sd_notify failed'));
  return {
    name: 'systemd',
    async start() {
      if (!notifier.enabled) return;
      await send({ READY: '1', STATUS: options.status?.() ?? 'running' });
      const every = watchdogIntervalMs(env);
      if (every === undefined) return;
      timer = setInterval(() => {
        if (options.healthy && !options.healthy()) {
          log.error('unhealthy: withholding the watchdog ping so systemd restarts the service');
          return;
        }
        void send({ WATCHDOG: '1' });
      }, every);
      timer.unref();
      log.info({ everyMs: every }, 'systemd watchdog armed');
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (notifier.enabled) await send({ STOPPING: '1', STATUS: 'stopping' });
    },
  };
}

// The systemd side: the units pass `systemd-analyze verify` silently and score ≤ 2.0 on `systemd-analyze security
// --offline=true` (also with the device drop-in); sd_notify reaches a real notify socket through systemd-notify,
// and the built `bcrp-edge run` says READY=1 and pings the watchdog.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  notifyArgs,
  systemdModule,
  systemdNotifier,
  watchdogIntervalMs,
} from '../../src/adapters/systemd/sd-notify.js';
import { silentLogger } from '../../src/observability/logger.js';
import { ROOT, startBin, waitFor } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const UNITS = ['bcrp-edge.service', 'bcrp-edge-hub.service'];
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!hasAnalyze) console.log('skipped: systemd-analyze not installed (apt-get install systemd)');
const hasNotify = spawnSync('systemd-notify', ['--help']).status === 0;
if (!hasNotify) console.log('skipped: systemd-notify not installed (apt-get install systemd)');

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function exposure(unitFile: string): number {
  const r = spawnSync('systemd-analyze', ['security', '--offline=true', unitFile], { encoding: 'utf8' });
  const m = /Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout + r.stderr);
  if (!m) throw new Error(`no exposure level in: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

describe.skipIf(!hasAnalyze)('systemd units', () => {
  it.each(UNITS)('%s passes systemd-analyze verify with no output', (unit) => {
    const r = spawnSync('systemd-analyze', ['verify', join(ROOT, 'systemd', unit)], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(UNITS)('%s has a security exposure of at most 2.0, with Node-compatible settings', (unit) => {
    const text = readFileSync(join(ROOT, 'systemd', unit), 'utf8');
    expect(text).toMatch(/^Type=notify$/m);
    expect(text).toMatch(/^WatchdogSec=/m);
    expect(text).toMatch(/^Restart=on-failure$/m);
    expect(text).toMatch(/^StartLimitBurst=/m);
    expect(text).toMatch(/^MemoryDenyWriteExecute=no$/m);
    const level = exposure(join(ROOT, 'systemd', unit));
    console.log(`${unit}: systemd-analyze security exposure ${level}`);
    expect(level).toBeLessThanOrEqual(2.0);
  });

  it('with the device drop-in for a GPIO button the exposure stays at most 2.0', () => {
    const base = readFileSync(join(ROOT, 'systemd', 'bcrp-edge.service'), 'utf8');
    const dropIn = readFileSync(join(ROOT, 'systemd', 'devices.conf.in'), 'utf8')
      .replace('@GPIOCHIP@', 'gpiochip0')
      .replace('@GROUPS@', 'gpio input')
      .replace(/^\[Service\]$/m, '');
    // The offline analyser reads one file: put the drop-in's assignments at the end of [Service], where a drop-in's
    // later assignments land too.
    const merged = base.replace('[Install]', `${dropIn}\n[Install]`);
    const file = join(dir, 'bcrp-edge.service');
    writeFileSync(file, merged);
    const level = exposure(file);
    console.log(`bcrp-edge.service + 10-devices.conf: exposure ${level}`);
    expect(level).toBeLessThanOrEqual(2.0);
  });
});

/** Starts the stand-in notify socket and collects its messages. */
async function listener(name: string): Promise<{ path: string; messages: string[] }> {
  const path = join(dir, name);
  const child = spawn('/usr/bin/python3', [join(ROOT, 'test/fixtures/notify-listener.py'), path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const messages: string[] = [];
  let ready = false;
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = JSON.parse(buf.slice(0, i)) as { listening?: string; message?: string };
      buf = buf.slice(i + 1);
      if (line.listening) ready = true;
      if (line.message !== undefined) messages.push(line.message);
    }
  });
  await waitFor(() => ready, 5000, 'the notify socket');
  return { path, messages };
}

describe('sd_notify', () => {
  it('formats messages and reads the watchdog period the way systemd sets it', () => {
    expect(notifyArgs({ READY: '1', STATUS: 'two\nlines' })).toEqual(['READY=1', 'STATUS=two lines']);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000' })).toBe(30000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '1' }, 2)).toBeUndefined();
    expect(watchdogIntervalMs({})).toBeUndefined();
  });

  it('does nothing outside systemd', async () => {
    const n = systemdNotifier({});
    expect(n.enabled).toBe(false);
    await expect(n.notify({ READY: '1' })).resolves.toBeUndefined();
  });

  it.skipIf(!hasNotify)('the module says READY, pings the watchdog only while healthy, and says STOPPING', async () => {
    const sock = await listener('notify-module.sock');
    let healthy = true;
    const env = { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '1000000', PATH: process.env['PATH'] ?? '' };
    const m = systemdModule(silentLogger(), { env, healthy: () => healthy, status: () => 'site shop-001' });
    await m.start();
    await waitFor(() => sock.messages.some((x) => x.includes('WATCHDOG=1')), 5000, 'a watchdog ping');
    healthy = false;
    const pings = sock.messages.filter((x) => x.includes('WATCHDOG=1')).length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(sock.messages.filter((x) => x.includes('WATCHDOG=1')).length).toBeLessThanOrEqual(pings + 1);
    await m.stop();
    await waitFor(() => sock.messages.some((x) => x.includes('STOPPING=1')), 5000, 'STOPPING=1');
    expect(sock.messages[0]).toBe('READY=1\nSTATUS=site shop-001');
  });

  it.skipIf(!hasNotify)('a failing helper is reported, not thrown into the service', async () => {
    const n = systemdNotifier({ NOTIFY_SOCKET: join(dir, 'nobody-listens.sock'), PATH: process.env['PATH'] ?? '' });
    await expect(n.notify({ READY: '1' })).rejects.toThrow(/systemd-notify failed/);
  });

  it.skipIf(!hasNotify)('the built service sends READY=1 after start-up and STOPPING=1 on SIGTERM', async () => {
    execFileSync('test', ['-f', join(ROOT, 'dist/main.js')]);
    const sock = await listener('notify-run.sock');
    const cfgDir = tempDir();
    const config = writeConfig(cfgDir);
    const svc = startBin(['run', '--config', config, '--data-dir', join(cfgDir, 'data')], {
      NOTIFY_SOCKET: sock.path,
      WATCHDOG_USEC: '2000000',
      BCRP_EDGE_LOG_LEVEL: 'info',
    });
    children.push(svc);
    await waitFor(() => sock.messages.some((x) => x.startsWith('READY=1')), 15000, 'READY=1');
    expect(sock.messages.find((x) => x.startsWith('READY=1'))).toMatch(/STATUS=site shop-001/);
    await waitFor(() => sock.messages.some((x) => x === 'WATCHDOG=1'), 5000, 'WATCHDOG=1');
    svc.kill('SIGTERM');
    await waitFor(() => sock.messages.some((x) => x.startsWith('STOPPING=1')), 10000, 'STOPPING=1');
    await new Promise<void>((r) => (svc.exitCode !== null ? r() : svc.on('exit', () => r())));
    expect(svc.exitCode).toBe(0);
  });
});

// `bcrp-edge demo`: the whole product on this machine, on 127.0.0.1 only (NVR emulator, broker, hub, appliance,
// web UI). Prints the demo accounts once, then `ready URL`; SIGINT/SIGTERM stops every part it started.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode, UsageError } from '../core/errors.js';
import { startDemo } from '../demo/demo.js';
import { createLogger } from '../observability/logger.js';
import { parse } from './args.js';
import type { Command } from './io.js';
import { VERSION } from './version.js';

const PREFERRED_PORT = 8443;

function portFree(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = createServer();
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
  });
}

export const demo: Command = {
  name: 'demo',
  summary: 'start the whole product on this machine (NVR emulator, broker, hub, web UI)',
  usage: 'bcrp-edge demo [--port P] [--data-dir D] [--no-open] [--verbose]',
  async run(args, io) {
    const { values } = parse(
      args,
      {
        port: { type: 'string', short: 'p' },
        'data-dir': { type: 'string', short: 'd' },
        'no-open': { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
      },
      this.usage,
    );
    let port = PREFERRED_PORT;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError('--port must be a port number (0 = any free port)');
    } else if (!(await portFree(port))) port = 0;
    const temp = values['data-dir'] === undefined;
    const dataDir = temp ? mkdtempSync(join(tmpdir(), 'bcrp-edge-demo-')) : resolve(values['data-dir'] as string);
    const log = createLogger({
      level: values.verbose ? 'info' : (io.env['BCRP_EDGE_LOG_LEVEL'] ?? 'warn'),
      name: 'bcrp-edge-demo',
    });
    const t0 = performance.now();
    io.out('starting the demo: NVR emulator, broker, hub and appliance on 127.0.0.1 …');
    let running: Awaited<ReturnType<typeof startDemo>>;
    try {
      running = await startDemo({ dataDir, port, log, version: VERSION });
    } catch (e) {
      if (temp) rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
    if (running.users.length > 0) {
      io.out('Demo accounts (shown once; each role sees different pages):');
      for (const u of running.users)
        io.out(`  ${u.role.padEnd(9)} user ${u.username.padEnd(9)} password ${u.password}`);
    } else {
      io.out(`Demo accounts: as printed when ${dataDir} was first used.`);
    }
    if (running.hubUsers.length > 0) {
      io.out('Demo hub accounts (shown once; members see shared packets, the administrator every state):');
      for (const u of running.hubUsers)
        io.out(`  hub ${u.role.padEnd(13)} user ${u.username.padEnd(13)} password ${u.password}`);
    }
    io.out(`hub page (packets received and verified): ${running.hubUrl}`);
    io.out(
      `data: ${dataDir}${temp ? ' (removed on exit)' : ''}; started in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    io.out(`ready ${running.url}`);
    io.out('Press Ctrl-C to stop.');
    if (!values['no-open'] && (io.env['DISPLAY'] || io.env['WAYLAND_DISPLAY']) && existsSync('/usr/bin/xdg-open')) {
      spawn('/usr/bin/xdg-open', [running.url], { stdio: 'ignore', detached: true })
        .on('error', () => {})
        .unref();
    }
    const keepAlive = setInterval(() => {}, 60_000);
    const signal = await io.stopSignal;
    clearInterval(keepAlive);
    io.out(`stopping (${signal}) …`);
    await running.stop();
    if (temp) rmSync(dataDir, { recursive: true, force: true });
    io.out('stopped');
    return ExitCode.ok;
  },
};

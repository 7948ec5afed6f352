// `bcrp-edge run`: the appliance service. Starts every module in order, stops them in reverse on SIGTERM/SIGINT.
import { systemdModule } from '../adapters/systemd/sd-notify.js';
import { createApp } from '../app/create-app.js';
import { addServiceModules } from '../app/service-modules.js';
import { configPath, dataDir, loadConfigFile, summarise } from '../config/load.js';
import { ExitCode } from '../core/errors.js';
import { createLogger } from '../observability/logger.js';
import { parse } from './args.js';
import type { Command } from './io.js';
import { VERSION } from './version.js';

export const run: Command = {
  name: 'run',
  summary: 'run the appliance service',
  usage: 'bcrp-edge run [--config FILE] [--data-dir DIR]',
  async run(args, io) {
    const { values } = parse(
      args,
      { config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string', short: 'd' } },
      this.usage,
    );
    const loaded = loadConfigFile(configPath(values.config, io.env));
    const log = createLogger({ level: loaded.config.logging.level, name: 'bcrp-edge' });
    for (const w of loaded.warnings) log.warn({ path: w.path }, w.message);
    const app = createApp({ loaded, dataDir: dataDir(values['data-dir'], io.env), log });
    addServiceModules(app, loaded, { version: VERSION, onWebReady: (url) => log.info({ url }, 'web UI listening') });
    // Last, so READY=1 means every module has started; the watchdog stops while the store is down.
    app.lifecycle.add(
      systemdModule(log, {
        env: io.env,
        healthy: () => app.lifecycle.status().find((m) => m.name === 'store')?.state === 'running',
        status: () => summarise(loaded.config),
      }),
    );
    await app.lifecycle.start();
    log.info({ site: loaded.config.site.id, dataDir: app.dataDir }, `ready: ${summarise(loaded.config)}`);
    // Signal handlers alone do not keep Node's event loop alive; this timer does until we are told to stop.
    const keepAlive = setInterval(() => {}, 60_000);
    const signal = await io.stopSignal;
    clearInterval(keepAlive);
    log.info({ signal }, 'stopping');
    await app.lifecycle.stop(10_000);
    log.info('stopped');
    return ExitCode.ok;
  },
};

// What every feature module's wiring function receives: the app, its loaded configuration, the options `run` or the
// demo passed, the one metrics registry all modules update, and where a part that is left out says why. Each
// feature's wiring lives in its own src/app/<feature>-module.ts and takes this; service-modules.ts only lists them.
import type { LoadedConfig } from '../config/load.js';
import type { Metrics } from '../observability/metrics.js';
import type { App } from './create-app.js';
import type { PublishDeps } from './publish-module.js';

export interface ServiceOptions {
  version: string;
  /** Web TLS; defaults to web.tlsCert/web.tlsKey from the config. Without either the web UI is not started. */
  tls?: { cert: Buffer | string; key: Buffer | string; certPath?: string };
  /** Overrides web.port (0 = a free port). */
  webPort?: number;
  onWebReady?: (url: string) => void;
  publishTuning?: PublishDeps['tuning'];
}

export interface Wiring {
  app: App;
  loaded: LoadedConfig;
  options: ServiceOptions;
  metrics: Metrics;
  /** A part that is not started says why; the list is logged at start and returned to the caller. */
  skip(why: string): void;
}

// The appliance's feature modules in start order after the store. Each feature is wired in its own
// src/app/<feature>-module.ts from the same `Wiring` (app, config, options, one metrics registry); they talk through
// the app's bus (incident events), not through each other's tables. A part is wired when its configuration is
// present, so a half-configured appliance still starts and says what it left out. A new feature adds one line here.
import type { LoadedConfig } from '../config/load.js';
import type { Redactor } from '../core/ports/redactor.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import type { IncidentDesk } from '../services/capture/incident-desk.js';
import { addButtons } from './buttons-module.js';
import { addClips } from './clips-module.js';
import type { App } from './create-app.js';
import { addEvidence } from './evidence-module.js';
import { addPublish, type PublishModule } from './publish-module.js';
import { addRecorder } from './recorder-module.js';
import { addRedaction } from './redaction.js';
import { addRetention } from './retention-modules.js';
import { addWeb } from './web-module.js';
import type { ServiceOptions, Wiring } from './wiring.js';

export type { ServiceOptions } from './wiring.js';

export interface Services {
  metrics: Metrics;
  redactor: Redactor;
  desk: IncidentDesk | undefined;
  publish: PublishModule | undefined;
  /** What was left out and why (logged at start). */
  skipped: string[];
}

export function addServiceModules(app: App, loaded: LoadedConfig, options: ServiceOptions): Services {
  const skipped: string[] = [];
  const w: Wiring = { app, loaded, options, metrics: createMetrics(), skip: (why) => void skipped.push(why) };

  const redactor = addRedaction(w);
  const recorder = addRecorder(w, redactor);
  const evidence = addEvidence(w, recorder);
  const publish = addPublish(w);
  addRetention(w, { publishing: publish !== undefined });
  addButtons(w, recorder);
  const clips = addClips(w, recorder);
  addWeb(w, { recorder, publish, redactor, clips, evidence });

  for (const s of skipped) app.log.warn({}, `not started: ${s}`);
  return { metrics: w.metrics, redactor, desk: recorder?.desk, publish, skipped };
}

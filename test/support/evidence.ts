// An appliance slice for police-master tests: the real store, capture and evidence modules over the project's NVR
// emulator (real ISAPI, real GStreamer RTSP, real ffmpeg), started and stopped with the test file.
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { probeMedia } from '../../src/adapters/ffmpeg/probe.js';
import { connectRecorder } from '../../src/adapters/nvr/connect.js';
import {
  type EmulatorOptions,
  emulatorNvrConfig,
  type RunningEmulator,
} from '../../src/adapters/nvr/emulator/emulator.js';
import { captureModule, createCaptureService } from '../../src/app/capture.js';
import { type App, createApp } from '../../src/app/create-app.js';
import { type EvidenceModule, evidenceModule } from '../../src/app/evidence-module.js';
import { loadConfigFile } from '../../src/config/load.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { CaptureService } from '../../src/services/capture/capture-service.js';
import { writeConfig } from './config.js';
import { emulator } from './nvr.js';
import { tempDir } from './tmp.js';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

export interface EvidenceRig {
  dir: string;
  configFile: string;
  emu: RunningEmulator;
  app: App;
  capture: CaptureService;
  evidence: EvidenceModule;
  /** Resolves with the next master-sealed or master-failed event of `incidentId`. */
  settled(incidentId: string): Promise<{ sealed: boolean; reason?: string }>;
  stop(): Promise<void>;
}

export async function evidenceRig(
  o: { emulator?: EmulatorOptions; evidence?: Record<string, unknown>; capture?: Record<string, unknown> } = {},
): Promise<EvidenceRig> {
  const emu = await emulator(o.emulator ?? {});
  const dir = tempDir('bcrp-evidence-');
  const configFile = writeConfig(dir, {
    nvr: { ...emulatorNvrConfig(emu, join(dir, 'nvr-password'), [{ id: 1, name: 'Till' }]), timeoutMs: 8000 },
    capture: { preSeconds: 1, postSeconds: 0, stills: 1, ...o.capture },
    evidence: { clipPreSeconds: 6, clipPostSeconds: 2, pollSeconds: 1, waitSeconds: 15, ...o.evidence },
  });
  const loaded = loadConfigFile(configFile);
  const app = createApp({ loaded, dataDir: join(dir, 'data'), log: silentLogger() });
  const recorder = connectRecorder(loaded, undefined, { clock: app.clock });
  const { service } = createCaptureService(app, recorder.frames);
  app.lifecycle.add(captureModule(service, recorder));
  const evidence = evidenceModule(app, loaded, recorder);
  app.lifecycle.add(evidence);
  await app.lifecycle.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.lifecycle.stop();
  };
  stops.push(stop);
  return {
    dir,
    configFile,
    emu,
    app,
    capture: service,
    evidence,
    settled: (incidentId) =>
      new Promise((resolve) => {
        const offs = [
          app.bus.on('master-sealed', (p) => {
            if (p.incidentId !== incidentId) return;
            for (const f of offs) f();
            resolve({ sealed: true });
          }),
          app.bus.on('master-failed', (p) => {
            if (p.incidentId !== incidentId) return;
            for (const f of offs) f();
            resolve({ sealed: false, reason: p.reason });
          }),
        ];
      }),
    stop,
  };
}

/** ffprobe's view of a media file: the first video stream and the container's duration. */
export const probe = probeMedia;

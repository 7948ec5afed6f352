// The NVR alarm-input button end to end against the emulator's ISAPI side: the alertStream's IO events become the
// AlarmEvents port, the buttons module turns a press of the configured input into one trigger for its camera (the
// recorder repeating "active" while it is held, and other inputs, do not add presses), the NVR's alarm output is
// pulsed as the confirmation, and stopping ends the stream.
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIsapiEmulator } from '../../src/adapters/nvr/emulator/isapi-server.js';
import { testPatternClip } from '../../src/adapters/nvr/emulator/media.js';
import { IsapiAlarmOutputs, isapiAlarmEvents } from '../../src/adapters/nvr/isapi/alarm-events.js';
import { IsapiClient } from '../../src/adapters/nvr/isapi/client.js';
import { type ButtonTrigger, buttonsModule } from '../../src/app/buttons-module.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { createLogger } from '../../src/observability/logger.js';
import { waitFor } from '../support/cli.js';

const closers: { close: () => Promise<unknown> }[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c.close();
});

describe('NVR alarm input as the button', () => {
  it('one press of input 2 is one trigger for its camera, confirmed on output 1; repeats and other inputs are not', async () => {
    const app = buildIsapiEmulator({
      username: 'bcrp',
      password: 'S3cret!pw',
      media: [await testPatternClip()],
      mediaSeconds: [30],
      rtspBase: () => 'rtsp://127.0.0.1:1',
      heartbeatMs: 100,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    closers.push(app);
    const client = new IsapiClient({
      scheme: 'http',
      host: '127.0.0.1',
      port: (app.server.address() as AddressInfo).port,
      username: 'bcrp',
      password: 'S3cret!pw',
      timeoutMs: 3000,
      retries: 0,
    });
    closers.push(client);
    let connected = false;
    const triggers: ButtonTrigger[] = [];
    const mod = buttonsModule({
      config: {
        debounceMs: 20,
        longPressMs: 3000,
        longPressMinutesAgo: 5,
        sources: [{ kind: 'nvr-io', input: 2, camera: 3, output: 1 }],
      } as Parameters<typeof buttonsModule>[0]['config'],
      clock: systemClock,
      log: createLogger({ name: 'test', level: 'silent' }),
      alarmOutputs: new IsapiAlarmOutputs(client),
      alarmEvents: isapiAlarmEvents(client, {
        onState: (s) => {
          connected = s === 'connected';
        },
      }),
      onTrigger: (t) => {
        triggers.push(t);
      },
    });
    await mod.start();
    try {
      expect(mod.buttons()[0]?.source).toBe('nvr-io:2');
      await waitFor(() => connected, 5000, 'the alertStream');
      app.raiseIo(2);
      app.raiseIo(2); // the recorder repeats "active" while the input stays closed
      app.raiseIo(5); // another input
      await new Promise((r) => setTimeout(r, 100));
      app.raiseIo(2, 'inactive');
      await waitFor(() => triggers.length > 0, 5000, 'the trigger');
      await new Promise((r) => setTimeout(r, 200));
      expect(triggers).toHaveLength(1);
      expect(triggers[0]).toMatchObject({ camera: 3, press: { source: 'nvr-io:2', long: false } });
      // The capture worked: the NVR's alarm output 1 (buzzer, strobe) is pulsed on and ends off.
      await triggers[0]!.confirm('ok');
      expect(app.outputChanges.length).toBeGreaterThanOrEqual(2);
      expect(app.outputChanges.every((c) => c.output === 1)).toBe(true);
      expect(app.outputChanges[0]?.active).toBe(true);
      expect(app.outputChanges.at(-1)?.active).toBe(false);
    } finally {
      await mod.stop();
    }
    // Stopped: the stream is closed and a later press reaches nobody.
    app.raiseIo(2);
    app.raiseIo(2, 'inactive');
    await new Promise((r) => setTimeout(r, 200));
    expect(triggers).toHaveLength(1);
  });
});

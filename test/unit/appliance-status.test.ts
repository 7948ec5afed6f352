// The status service: measured disk and clock, probes for the rest, and a failing probe shown as unknown.
import { describe, expect, it } from 'vitest';
import { ApplianceStatusService } from '../../src/services/appliance-status.js';
import { tempDir } from '../support/tmp.js';

describe('ApplianceStatusService', () => {
  it('reports probes, free disk and clock state; a throwing probe becomes unknown', async () => {
    const s = new ApplianceStatusService(
      tempDir('bcrp-status-'),
      {
        nvr: () => ({ state: 'ok', detail: 'Recorder answering' }),
        broker: () => {
          throw new Error('boom');
        },
        queueDepth: async () => 3,
      },
      async () => false,
    );
    const st = await s.status();
    expect(st.nvr.state).toBe('ok');
    expect(st.broker.state).toBe('unknown');
    expect(st.hub.state).toBe('unknown');
    expect(st.queueDepth).toBe(3);
    expect(st.disk.freeBytes).toBeGreaterThan(0);
    expect(st.clock).toMatchObject({ state: 'degraded', synchronised: false });
  });

  it('says so when the data disk cannot be read', async () => {
    const st = await new ApplianceStatusService('/no/such/dir', {}, async () => null).status();
    expect(st.disk).toMatchObject({ state: 'unknown', freeBytes: null });
    expect(st.clock.state).toBe('unknown');
  });
});

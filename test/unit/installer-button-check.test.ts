// The installer's button check answers at once and, with no button configured, says where to add one.
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { Redactor } from '../../src/core/ports/redactor.js';
import { ApplianceChecks } from '../../src/services/installer-checks.js';

const checks = (buttonSources: number) =>
  new ApplianceChecks({
    recorder: undefined,
    snapshot: undefined,
    redactor: {} as Redactor, // not used by the button check
    buttonSources,
    certificates: [],
    configFile: '/nonexistent/config.yaml',
    clock: new FixedClock('2026-12-02T12:00:00.000Z'),
  });

describe('the button check', () => {
  it('says no button is configured and points to docs/hardware.md', async () => {
    const r = await checks(0).testButton();
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('No button is configured');
    expect(r.detail).toContain('docs/hardware.md');
  });

  it('counts configured buttons', async () => {
    expect(await checks(2).testButton()).toMatchObject({ ok: true, detail: expect.stringContaining('2 button') });
  });
});

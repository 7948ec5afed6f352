// The degraded mode of issue 15 as the running appliance shows it: YuNet is the configured default, and on a data
// dir without it BlazeFace stands in — the redaction module says so in the audit log (one row per start), the status
// strip shows a "Faces" part, and the redactor carries `degraded` for the review desk's confirmation rule.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { detectorHealth, redactionModule } from '../../src/app/redaction.js';
import { type RedactionConfig, RedactionSchema } from '../../src/config/schema.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { ApplianceStatusService } from '../../src/services/appliance-status.js';
import { tempDir } from '../support/tmp.js';

describe('a weaker detector standing in for YuNet', () => {
  it('is audited at start, shown on the status strip and carried by the redactor', async () => {
    const dir = tempDir('bcrp-degraded-');
    const clock = new FixedClock('2026-11-23T10:00:00Z');
    const audit = new SqliteAuditLog(openDatabase(dir, { clock }), clock);
    const config = Value.Default(RedactionSchema, {}) as RedactionConfig;
    expect(config.model).toBe('yunet');
    const module = redactionModule(config, createMetrics(), { dataDir: dir, audit });
    await module.start();
    try {
      expect(module.redactor.degraded).toMatchObject({ configured: 'yunet' });
      const rows = [...audit.entries()].filter((e) => e.action === 'detector-degraded');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.details).toMatchObject({ configured: 'yunet', running: 'blazeface-back-256' });
      const status = await new ApplianceStatusService(
        dir,
        { detector: () => detectorHealth(module.redactor) },
        async () => true,
      ).status();
      expect(status.detector).toMatchObject({ state: 'degraded' });
      expect(status.detector!.detail).toMatch(/weaker face detector.*models fetch yunet.*confirms each one/);
    } finally {
      await module.stop();
    }
  });

  it('the configured model running says nothing on the strip', async () => {
    const dir = tempDir('bcrp-degraded-');
    mkdirSync(join(dir, 'models'), { recursive: true });
    const config = { ...(Value.Default(RedactionSchema, {}) as RedactionConfig), model: 'blazeface' as const };
    const module = redactionModule(config, createMetrics(), { dataDir: dir });
    await module.start();
    try {
      expect(module.redactor.degraded).toBeUndefined();
      expect(detectorHealth(module.redactor)).toBeUndefined();
      const status = await new ApplianceStatusService(
        dir,
        { detector: () => detectorHealth(module.redactor) },
        async () => true,
      ).status();
      expect(status.detector).toBeUndefined();
    } finally {
      await module.stop();
    }
  });
});

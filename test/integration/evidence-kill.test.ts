// kill -9 during a police-master acquisition: what is left is never a half file claimed as complete. The process
// dies while RTSP footage is streaming into the encrypted file; afterwards the row is still 'acquiring' with no
// file, key or hash, only the temporary file exists, and the next start's resume() seals a whole master.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/ports/clock.js';
import { ROOT } from '../support/cli.js';
import { acquirer } from '../support/evidence-acquirer.js';
import { emulator } from '../support/nvr.js';
import { tempDir } from '../support/tmp.js';

describe('kill -9 during acquisition', () => {
  it('leaves a clear retry, and the next start seals the whole master', async () => {
    const emu = await emulator({ quirks: ['download-refused'] });
    const dataDir = tempDir('bcrp-evidence-kill-');
    const setup = acquirer(dataDir, emu);
    const incident = setup.incidents.create({
      siteId: 'shop-001',
      camera: 1,
      triggerTime: new Date(systemClock.now().getTime() - 4000),
      source: 'button',
    });
    await setup.close();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'test/support/evidence-child.ts'),
        dataDir,
        String(emu.httpPort),
        String(emu.rtspPort),
        incident.id,
      ],
      { cwd: ROOT, env: { ...process.env, NVR_EMU_PASSWORD: emu.password }, stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.once('exit', r));
    // Wait until footage is streaming into the temporary file (RTSP copy runs in real time: several seconds).
    const dir = join(dataDir, 'files', 'masters', incident.id);
    const tmp = () => (existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.enc.tmp')) : undefined);
    const t0 = Date.now();
    while (!tmp() && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    expect(tmp(), 'footage never started arriving').toBeDefined();
    // Part way through the 8 s window (records of 1 MiB are written as they fill; this footage is smaller).
    await new Promise((r) => setTimeout(r, 2500));
    expect(statSync(join(dir, tmp()!)).size).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await exited;

    const after = acquirer(dataDir, emu);
    try {
      const m = after.masters.forIncident(incident.id)!;
      expect(m).toMatchObject({ state: 'acquiring', file: null, keyId: null, sha256: null, bytes: null });
      expect(after.masters.sealedMaster(incident.id)).toBeUndefined();
      expect(readdirSync(dir).filter((f) => f.endsWith('.enc'))).toEqual([]);
      expect([...after.audit.entries()].some((e) => e.action === 'evidence-acquire')).toBe(false);
      // The next start takes it up again.
      expect(after.acquisition.resume()).toEqual([incident.id]);
      await after.acquisition.whenIdle();
      const sealed = after.masters.sealedMaster(incident.id)!;
      expect(sealed).toMatchObject({ method: 'rtsp-copy', attempts: 2 });
      expect(readdirSync(dir)).toEqual([`${sealed.id}.enc`]);
      const bytes: Buffer[] = [];
      for await (const b of after.masters.readMaster(incident.id)) bytes.push(b);
      expect(Buffer.concat(bytes).length).toBe(sealed.bytes);
      expect(after.audit.verify().ok).toBe(true);
    } finally {
      await after.close();
    }
  }, 90_000);
});

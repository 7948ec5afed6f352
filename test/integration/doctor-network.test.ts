// doctor's checks that reach other machines, against the project's NVR emulator and a closed port: the NVR answers
// and accepts the password (or names the wrong password without showing it), every enabled camera gives a still (a
// missing channel is named), an unreachable broker fails with what to check, and the last audit checkpoint is read
// from the store.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { brokerCheck, cameraStillsCheck, checkpointCheck, nvrCheck } from '../../src/adapters/doctor/network-checks.js';
import { brokerProblem } from '../../src/adapters/mqtt/connection-problem.js';
import { freePort } from '../../src/adapters/mqtt/dev-mosquitto.js';
import type { RunningEmulator } from '../../src/adapters/nvr/emulator/emulator.js';
import { SqliteAuditLog } from '../../src/adapters/store/sqlite-audit-log.js';
import { openDatabase } from '../../src/adapters/store/sqlite-store.js';
import { loadConfigFile } from '../../src/config/load.js';
import { FixedClock, systemClock } from '../../src/core/ports/clock.js';
import type { DoctorContext } from '../../src/services/doctor.js';
import { writeConfig } from '../support/config.js';
import { emulator } from '../support/nvr.js';
import { tempDir } from '../support/tmp.js';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await emulator({ channels: 2 });
}, 60_000);

function ctx(
  config: Record<string, unknown>,
  over: Partial<DoctorContext> = {},
  password = 'Passw0rd!',
): DoctorContext {
  const d = tempDir();
  const file = writeConfig(d, {
    nvr: {
      host: '127.0.0.1',
      port: emu.httpPort,
      rtspPort: emu.rtspPort,
      passwordFile: join(d, 'nvr-password'),
      channels: [
        { id: 1, name: 'Till' },
        { id: 2, name: 'Door' },
      ],
    },
    ...config,
  });
  writeFileSync(join(d, 'nvr-password'), `${password}\n`, { mode: 0o600 });
  return {
    configFile: file,
    loaded: loadConfigFile(file),
    configProblems: [],
    dataDir: d,
    env: {},
    clock: new FixedClock('2026-11-23T10:00:00Z'),
    packageRoot: d,
    exec: async () => ({ code: 0, stdout: '', stderr: '' }),
    ...over,
  };
}

describe('doctor against the NVR emulator', () => {
  it('NVR: ok with the model when the password is accepted; a wrong one fails without being shown', async () => {
    const good = await nvrCheck.run({ ...ctx({}), clock: systemClock });
    expect(good.status).toBe('ok');
    expect(good.detail).toMatch(/answers as .*password is accepted; clock within [12] s$/);
    // The context's fixed clock is days behind the emulator's: the recorder's clock is reported off, with the fix.
    const skewed = await nvrCheck.run(ctx({}));
    expect(skewed.status).toBe('warn');
    expect(skewed.detail).toMatch(/its clock is \d+\.\d s ahead of the appliance's/);
    expect(skewed.fix).toMatch(/Time Settings: NTP/);
    const bad = await nvrCheck.run(ctx({}, {}, 'Wrong-Password-123'));
    expect(bad.status).toBe('fail');
    expect(bad.fix).toMatch(/refused the user name or password/);
    expect(JSON.stringify(bad)).not.toContain('Wrong-Password-123');
  });

  it('NVR: a closed port fails with what to check', async () => {
    const c = ctx({});
    const port = await freePort();
    const r = await nvrCheck.run({
      ...c,
      loaded: { ...c.loaded!, config: { ...c.loaded!.config, nvr: { ...c.loaded!.config.nvr, port } } },
    });
    expect(r.status).toBe('fail');
    expect(r.fix).toMatch(/is on, on the same LAN/);
  });

  it('camera stills: every enabled camera gives a JPEG; a channel the NVR does not have is named', async () => {
    const ok = await cameraStillsCheck.run(ctx({}));
    expect(ok.status).toBe('ok');
    expect(ok.detail).toMatch(/^1 Till: \d+×\d+; 2 Door: \d+×\d+$/);
    const missing = await cameraStillsCheck.run(
      ctx({
        nvr: {
          host: '127.0.0.1',
          port: emu.httpPort,
          passwordFile: 'nvr-password',
          channels: [
            { id: 1, name: 'Till' },
            { id: 9, name: 'Back' },
          ],
        },
      }),
    );
    expect(missing.status).toBe('fail');
    expect(missing.detail).toMatch(/9 Back: /);
    expect(missing.fix).toMatch(/^1 of 2 camera/);
  }, 30_000);
});

describe('doctor: broker and checkpoint', () => {
  it('broker: not enrolled fails with how to enrol; a closed port fails with what to check', async () => {
    const none = await brokerCheck.run(ctx({}));
    expect(none.status).toBe('fail');
    expect(none.fix).toMatch(/--enrol-online/);
    const port = await freePort();
    // Any readable files do: the connection is refused before the certificate matters.
    const r = await brokerCheck.run(
      ctx({ mqtt: { url: `mqtts://127.0.0.1:${port}`, cert: 'nvr-password', key: 'nvr-password' } }),
    );
    expect(r.status).toBe('fail');
    expect(r.detail).toContain(`127.0.0.1:${port}`);
    expect(brokerProblem('connect ECONNREFUSED 127.0.0.1:1').fix).toMatch(/cannot be reached/);
    expect(brokerProblem('self-signed certificate in certificate chain').fix).toMatch(/does not chain to mqtt.ca/);
    expect(brokerProblem('Connection refused: Not authorized').fix).toMatch(/ACL/);
  });

  it('checkpoint: skipped before enrolment; warns with none or an old one; ok with a recent one', async () => {
    expect((await checkpointCheck.run(ctx({}))).status).toBe('skip');
    // Nothing is sent to a hub here, so no hub encryption key: say so rather than give a fake one.
    const enrolled = ctx({ hub: { deviceKey: 'nvr-password', checkpointMinutes: 60, encrypt: false } });
    const empty = await checkpointCheck.run(enrolled);
    expect(empty.status).toBe('warn');
    const db = openDatabase(enrolled.dataDir, { clock: new FixedClock('2026-11-23T09:30:00Z') });
    new SqliteAuditLog(db, new FixedClock('2026-11-23T09:30:00Z')).append({
      actor: 'system',
      action: 'checkpoint',
      subject: 'audit-log',
      details: { seq: 1, hash: 'x' },
    });
    db.close();
    const recent = await checkpointCheck.run(enrolled);
    expect(recent).toMatchObject({ status: 'ok' });
    expect(recent.detail).toMatch(/30 min ago/);
    const late = await checkpointCheck.run({ ...enrolled, clock: new FixedClock('2026-11-23T14:00:00Z') });
    expect(late.status).toBe('warn');
    expect(late.detail).toMatch(/one is due every 60 min/);
  });
});

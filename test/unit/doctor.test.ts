// doctor: each check's verdict on situations an installer meets (missing ffmpeg, open data dir, exposed storage
// key, unsynchronised clock, expiring certificates, a changed model file) and the command's exit code and JSON.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  certificatesCheck,
  clockCheck,
  dataDirCheck,
  ffmpegCheck,
  ffmpegVersion,
  manifestEntries,
  modelCheck,
  serviceCheck,
  storageKeyCheck,
} from '../../src/adapters/doctor/checks.js';
import { makeSelfSignedSync } from '../../src/adapters/pki/openssl.js';
import { parseConfig } from '../../src/config/load.js';
import { FixedClock } from '../../src/core/ports/clock.js';
import { CheckRegistry, type DoctorContext, type Exec } from '../../src/services/doctor.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
// The test's clock; the certificates below are dated from it too (validFrom), so fixtures and checks share one
// clock whatever the machine's date.
const NOW = new Date('2026-11-23T10:00:00Z');

const fakeExec =
  (answers: Record<string, { code: number; stdout?: string; stderr?: string } | 'missing'>): Exec =>
  async (cmd) => {
    const a = answers[cmd];
    if (!a || a === 'missing') return { code: null, stdout: '', stderr: 'not found', missing: true };
    return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
  };

function ctx(over: Partial<DoctorContext> = {}): DoctorContext {
  return {
    configFile: join(dir, 'config.yaml'),
    loaded: undefined,
    configProblems: [],
    dataDir: dir,
    env: {},
    clock: new FixedClock(NOW),
    packageRoot: dir,
    exec: fakeExec({}),
    ...over,
  };
}

function cert(name: string, days: number): string {
  const key = join(dir, `${name}.key`);
  const file = join(dir, `${name}.pem`);
  makeSelfSignedSync({ certFile: file, keyFile: key, subject: `/CN=${name}`, days, validFrom: NOW });
  return file;
}

describe('doctor checks', () => {
  it('ffmpeg: version read, missing binary failed with the apt command', async () => {
    expect(ffmpegVersion('ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024')).toBe('5.1.6-0+deb12u1');
    expect(ffmpegVersion('ffmpeg version n6.1.1 Copyright')).toBe('6.1.1');
    const ok = await ffmpegCheck.run(
      ctx({ exec: fakeExec({ ffmpeg: { code: 0, stdout: 'ffmpeg version 6.1.1 x' } }) }),
    );
    expect(ok).toEqual({ status: 'ok', detail: 'ffmpeg 6.1.1' });
    const missing = await ffmpegCheck.run(ctx());
    expect(missing.status).toBe('fail');
    expect(missing.fix).toBe('apt-get install ffmpeg');
  });

  it('data dir: a directory other users can enter fails; a missing one fails with how to create it', async () => {
    const d = join(dir, 'data-open');
    mkdirSync(d, { mode: 0o755 });
    chmodSync(d, 0o755);
    const open = await dataDirCheck.run(ctx({ dataDir: d }));
    expect(open.status).toBe('fail');
    expect(open.fix).toContain(`chmod 750 ${d}`);
    chmodSync(d, 0o750);
    expect((await dataDirCheck.run(ctx({ dataDir: d }))).status).toBe('ok');
    expect((await dataDirCheck.run(ctx({ dataDir: join(dir, 'nope') }))).detail).toMatch(/does not exist/);
  });

  it('storage key: readable by others fails, 0600 passes', async () => {
    const d = join(dir, 'data-key');
    mkdirSync(join(d, 'keys'), { recursive: true });
    const key = join(d, 'keys', 'storage.key');
    writeFileSync(key, Buffer.alloc(32, 1), { mode: 0o644 });
    chmodSync(key, 0o644);
    const bad = await storageKeyCheck.run(ctx({ dataDir: d }));
    expect(bad.status).toBe('fail');
    expect(bad.fix).toContain('chmod 600');
    chmodSync(key, 0o600);
    expect((await storageKeyCheck.run(ctx({ dataDir: d }))).status).toBe('ok');
  });

  it('clock: timedatectl first, chrony next, and an unsynchronised chrony fails', async () => {
    const synced = fakeExec({ timedatectl: { code: 0, stdout: 'yes\n' } });
    expect((await clockCheck.run(ctx({ exec: synced }))).status).toBe('ok');
    const chronyOk = fakeExec({
      timedatectl: { code: 0, stdout: 'no\n' },
      chronyc: { code: 0, stdout: 'Leap status     : Normal\nSystem time     : 0.000012 seconds fast of NTP time\n' },
    });
    expect((await clockCheck.run(ctx({ exec: chronyOk }))).detail).toBe('chrony: synchronised, offset 0.000 s');
    const chronyBad = fakeExec({ chronyc: { code: 0, stdout: 'Leap status     : Not synchronised\n' } });
    const bad = await clockCheck.run(ctx({ exec: chronyBad }));
    expect(bad.status).toBe('fail');
    expect(bad.fix).toMatch(/UDP 123/);
    expect((await clockCheck.run(ctx())).status).toBe('warn');
  });

  it('certificates: expired or not yet valid fails, expiring within 30 days warns, a garbage file fails', async () => {
    const good = cert('web', 400);
    const soon = cert('ca', 10);
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'x', { mode: 0o600 });
    const key = join(dir, 'web.key');
    chmodSync(key, 0o600);
    const yaml = (ca: string) =>
      `site: {id: shop-001}\nnvr: {passwordFile: ${pw}}\nmqtt: {ca: ${ca}}\nweb: {tlsCert: ${good}, tlsKey: ${key}}\n`;
    const loaded = parseConfig(yaml(soon), join(dir, 'c.yaml'));
    const warn = await certificatesCheck.run(ctx({ loaded }));
    expect(warn.status).toBe('warn');
    expect(warn.detail).toBe('mqtt.ca: expires in 10 days; web.tlsCert: 400 days left');
    const later = await certificatesCheck.run(ctx({ loaded, clock: new FixedClock(NOW.getTime() + 500 * 86_400_000) }));
    expect(later.status).toBe('fail');
    expect(later.detail).toMatch(/web\.tlsCert: expired/);
    // A clock running a day behind sees certificates that are not valid yet.
    const behind = await certificatesCheck.run(ctx({ loaded, clock: new FixedClock(NOW.getTime() - 86_400_000) }));
    expect(behind.status).toBe('fail');
    expect(behind.detail).toMatch(/^mqtt\.ca: not valid until Nov 23 10:00:00 2026 GMT/);
    expect(behind.fix).toMatch(/check the clock/);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    const broken = await certificatesCheck.run(ctx({ loaded: parseConfig(yaml(junk), join(dir, 'c.yaml')) }));
    expect(broken.status).toBe('fail');
    expect(broken.detail).toMatch(/mqtt\.ca: not a PEM certificate/);
  });

  it('model: compares the file with the manifest and fails on a changed file', async () => {
    mkdirSync(join(dir, 'models'), { recursive: true });
    writeFileSync(join(dir, 'models', 'yunet.onnx'), 'model bytes');
    const sha = 'a'.repeat(64);
    writeFileSync(
      join(dir, 'models', 'manifest.json'),
      JSON.stringify({ models: [{ name: 'yunet', file: 'yunet.onnx', sha256: sha }] }),
    );
    expect(manifestEntries(JSON.stringify({ yunet: { file: 'y.onnx', sha256: sha } }))).toEqual([
      { name: 'yunet', file: 'y.onnx', sha256: sha },
    ]);
    const pw = join(dir, 'pw2');
    writeFileSync(pw, 'x', { mode: 0o600 });
    const loaded = parseConfig(
      `site: {id: shop-001}\nnvr: {passwordFile: ${pw}}\nredaction: {model: yunet, modelPath: models/yunet.onnx}\n`,
      join(dir, 'c.yaml'),
    );
    const changed = await modelCheck.run(ctx({ loaded }));
    expect(changed.status).toBe('fail');
    expect(changed.detail).toMatch(/expected a{64}/);
  });

  it('model: says which model runs, whether it is the configured one, and its sweep recall from the last bench', async () => {
    const root = tempDir();
    const data = tempDir();
    mkdirSync(join(root, 'models'), { recursive: true });
    const bytes = 'yunet bytes';
    const sha = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(
      join(root, 'models', 'manifest.json'),
      JSON.stringify({ models: [{ id: 'yunet-n-dynamic', file: 'yunet_n_dynamic.onnx', sha256: sha }] }),
    );
    const pw = join(dir, 'pw3');
    writeFileSync(pw, 'x', { mode: 0o600 });
    const loaded = parseConfig(`site: {id: shop-001}\nnvr: {passwordFile: ${pw}}\n`, join(dir, 'c.yaml'));
    const missing = await modelCheck.run(ctx({ loaded, packageRoot: root, dataDir: data }));
    expect(missing.status).toBe('warn');
    expect(missing.detail).toMatch(/configured yunet is not installed .* blazeface-back-256 runs in its place/);
    expect(missing.fix).toMatch(/bcrp-edge models fetch yunet/);
    mkdirSync(join(data, 'models'));
    writeFileSync(join(data, 'models', 'yunet_n_dynamic.onnx'), bytes);
    mkdirSync(join(data, 'bench'));
    writeFileSync(
      join(data, 'bench', 'results.json'),
      JSON.stringify({ visionSweep: { 'yunet-n-dynamic': { overall: 0.912, plainFrom20: { '1920x1080': 1 } } } }),
    );
    const ok = await modelCheck.run(ctx({ loaded, packageRoot: root, dataDir: data }));
    expect(ok.status).toBe('ok');
    expect(ok.detail).toMatch(/runs yunet-n-dynamic, the configured model/);
    expect(ok.detail).toMatch(/sweep recall of yunet-n-dynamic: 0\.912 overall, faces ≥ 20 px plain 1920x1080 1/);
    writeFileSync(join(data, 'models', 'yunet_n_dynamic.onnx'), 'changed');
    expect((await modelCheck.run(ctx({ loaded, packageRoot: root, dataDir: data }))).status).toBe('fail');
  });

  it('service: a stopped unit fails with how to start it; no systemd is a skip', async () => {
    const stopped = fakeExec({ systemctl: { code: 3, stdout: 'inactive\n' } });
    const r = await serviceCheck.run(ctx({ exec: stopped }));
    expect(r.status).toBe('fail');
    expect(r.fix).toMatch(/systemctl start bcrp-edge.service/);
    const running = fakeExec({ systemctl: { code: 0, stdout: 'active\n' } });
    expect((await serviceCheck.run(ctx({ exec: running }))).status).toBe('warn');
    const none = fakeExec({
      systemctl: { code: 1, stderr: 'System has not been booted with systemd as init system (PID 1).' },
    });
    expect((await serviceCheck.run(ctx({ exec: none }))).status).toBe('skip');
  });

  it('a check that throws or hangs is reported as failed, and the others still run', async () => {
    const reg = new CheckRegistry()
      .add({
        id: 'boom',
        title: 'boom',
        run: async () => {
          throw new Error('kaput');
        },
      })
      .add({ id: 'hang', title: 'hang', run: () => new Promise(() => {}) })
      .add({ id: 'needs', title: 'needs config', needsConfig: true, run: async () => ({ status: 'ok', detail: '' }) });
    const r = await reg.run(ctx(), 100);
    expect(r.map((x) => [x.id, x.status])).toEqual([
      ['boom', 'fail'],
      ['hang', 'fail'],
      ['needs', 'skip'],
    ]);
    expect(r[0]?.detail).toMatch(/kaput/);
    expect(() => reg.add({ id: 'boom', title: '', run: async () => ({ status: 'ok', detail: '' }) })).toThrow(/twice/);
  });
});

describe('bcrp-edge doctor', () => {
  it('exits 1 with the fix printed when a check fails, and --json lists every check', async () => {
    const d = tempDir();
    const config = writeConfig(d);
    const data = join(d, 'data');
    mkdirSync(data, { mode: 0o777 });
    chmodSync(data, 0o777);
    const human = await runCli(['doctor', '--config', config, '--data-dir', data], { PATH: process.env['PATH'] });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^FAIL {2}data directory .*other users can reach it$/m);
    expect(human.stdout).toMatch(/fix: chmod 750/);
    expect(human.stdout).toMatch(/^ok {4}configuration/m);
    chmodSync(data, 0o750);
    const json = await runCli(['doctor', '--config', config, '--data-dir', data, '--json'], {
      PATH: process.env['PATH'],
    });
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: { id: string; status: string }[] };
    expect(report.checks.map((c) => c.id)).toEqual([
      'config',
      'ffmpeg',
      'data-dir',
      'storage-key',
      'clock',
      'certificates',
      'nvr',
      'camera-stills',
      'enrolment',
      'broker',
      'audit-checkpoint',
      'evidence',
      'model',
      'service',
    ]);
    expect(report.ok).toBe(json.code === 0);
  });

  it('a broken configuration fails the config check and skips the checks that need it', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'bad.yaml'), 'site: {id: "Bad Id"}\n');
    const r = await runCli(['doctor', '--config', join(d, 'bad.yaml'), '--data-dir', d, '--json'], {
      PATH: process.env['PATH'],
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: { id: string; status: string; fix?: string }[] };
    expect(report.checks.find((c) => c.id === 'config')?.status).toBe('fail');
    expect(report.checks.find((c) => c.id === 'config')?.fix).toMatch(/config validate/);
    expect(report.checks.find((c) => c.id === 'certificates')?.status).toBe('skip');
  });
});

import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, summarise } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/core/errors.js';
import { runCli } from '../../support/cli.js';
import { writeConfig } from '../../support/config.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir();

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, join(dir, 'x.yaml'));
  } catch (e) {
    if (e instanceof ConfigError) return [...e.details];
    throw e;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration loading', () => {
  it('fills in documented defaults for a minimal file', () => {
    const file = writeConfig(dir);
    const { config, secrets } = parseConfig(
      `site: {id: shop-001}\nnvr: {passwordFile: ${join(dir, 'nvr-password')}}\n`,
      file,
    );
    expect(config.capture.stills).toBe(5);
    expect(config.capture.preSeconds).toBe(10);
    expect(config.redaction.mode).toBe('solid');
    expect(config.retention.originalsDays).toBe(30);
    expect(config.mqtt.topicPrefix).toBe('bcrp');
    // Packets are encrypted by default; the hub key is needed only once enrolled, so this unenrolled file is valid.
    expect(config.hub.encrypt).toBe(true);
    expect(secrets.nvrPassword).toBe('Passw0rd!');
    expect(summarise(config)).toContain('site shop-001');
  });

  it('names a YAML syntax error with its line', () => {
    const p = problems('site:\n  id: shop-001\n nvr: [\n');
    expect(p.join('\n')).toMatch(/not valid YAML at line \d+/);
  });

  it('rejects unknown keys, naming each one', () => {
    const p = problems(`site: {id: shop-001}\nnvr: {password: x, hots: 10.0.0.1}\nmqqt: {}\n`);
    expect(p).toContain(
      '/nvr/hots: unknown key (not part of the configuration; check the spelling in docs/configuration.md)',
    );
    expect(p.some((l) => l.startsWith('/mqqt: unknown key'))).toBe(true);
  });

  it('reports every problem at once: wrong type, out of range, bad choice, missing key, bad pattern', () => {
    const p = problems(
      `site: {name: X}\nnvr: {password: x, port: eighty, timeoutMs: 10}\nredaction: {mode: smear}\ncapture: {stills: 0}\n`,
    );
    const text = p.join('\n');
    expect(text).toContain('/site/id: required but missing');
    expect(text).toContain('/nvr/port: expected integer');
    expect(text).toMatch(/\/nvr\/timeoutMs: expected integer to be greater or equal to 500/);
    expect(text).toMatch(/\/redaction\/mode: not a valid choice: use one of "solid", "pixelate", "blur"/);
    expect(text).toMatch(/\/capture\/stills: expected integer to be greater or equal to 1/);
    expect(p.length).toBeGreaterThanOrEqual(5);
  });

  it('checks rules a schema cannot: password sources, files, duplicates, pairs', () => {
    const p = problems(
      [
        'site: {id: shop-001}',
        'nvr: {password: a, passwordFile: /nonexistent/pw, channels: [{id: 1, name: A}, {id: 1, name: B}]}',
        'redaction: {model: yunet}',
        `mqtt: {cert: ${join(dir, 'nvr-password')}}`,
        `hub: {deviceKey: ${join(dir, 'nvr-password')}}`,
        'buttons: {sources: [{kind: nvr-io, input: 1, camera: 7}]}',
      ].join('\n'),
    );
    const text = p.join('\n');
    expect(text).toContain('/nvr/password: set either password or passwordFile, not both');
    expect(text).toContain('/nvr/passwordFile: file not found: /nonexistent/pw');
    expect(text).toContain('/nvr/channels/1/id: camera 1 is listed twice');
    // yunet without modelPath is the default (models fetch yunet puts the file in the data dir): no problem.
    expect(text).not.toContain('/redaction/modelPath');
    expect(text).toContain('/mqtt/key: the client certificate and its key go together');
    // Encryption is the default: an enrolled appliance (deviceKey set) without the hub key is told which key to set.
    expect(text).toContain(
      "/hub/encryptionKey: hub.encrypt is on (the default) but hub.encryptionKey is not set: set it to the hub's X25519 public key",
    );
    expect(text).toContain('/buttons/sources/0/camera: camera 7 is not in nvr.channels');
  });

  it('never echoes a value, so a password in the wrong key stays off the screen', () => {
    const p = problems(`site: {id: shop-001}\nnvr: {passwrd: "Hunter2-secret", password: x}\n`);
    expect(p.join('\n')).toContain('/nvr/passwrd: unknown key');
    expect(p.join('\n')).not.toContain('Hunter2');
  });

  it('warns when the NVR password file can be read by others', () => {
    const pw = join(dir, 'open-pw');
    writeFileSync(pw, 'secret');
    chmodSync(pw, 0o644);
    const { warnings } = parseConfig(`site: {id: shop-001}\nnvr: {passwordFile: ${pw}}\n`, join(dir, 'c.yaml'));
    expect(warnings.map((w) => w.message).join()).toContain('chmod 600');
  });
});

describe('bcrp-edge config validate', () => {
  it('prints a one-line summary and exits 0 for a valid file', async () => {
    const file = writeConfig(dir);
    const r = await runCli(['config', 'validate', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: .*site shop-001, NVR hikvision at 127\.0\.0\.1:8080 \(1 camera\)/);
    expect(r.stdout.split('\n')).toHaveLength(1);
  });

  it('lists every problem and exits 78 for a bad file', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'site: {id: "Bad Id"}\nnvr: {password: "s3cret!", port: 0}\nweb: {prot: 1}\n');
    const r = await runCli(['config', 'validate', file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('/site/id: expected string to match');
    expect(r.stderr).toContain('/nvr/port: expected integer to be greater or equal to 1');
    expect(r.stderr).toContain('/web/prot: unknown key');
    expect(r.stderr).not.toContain('s3cret!');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack
  });

  it('exits 78 naming a missing file', async () => {
    const r = await runCli(['config', 'validate', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('file not found');
  });

  it('uses BCRP_EDGE_CONFIG when no file is given', async () => {
    const file = writeConfig(dir, {}, 'env.yaml');
    const r = await runCli(['config', 'validate'], { BCRP_EDGE_CONFIG: file });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(file);
  });
});

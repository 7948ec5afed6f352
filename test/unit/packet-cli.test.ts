// `keys generate`, `packet create` and `packet verify` as an operator uses them.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { testJpeg } from '../support/packets.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const dev = join(dir, 'device');
const hub = join(dir, 'hub');
let subject: string;
let context: string;

beforeAll(async () => {
  subject = join(dir, 'subject.jpg');
  context = join(dir, 'context.jpg');
  writeFileSync(subject, await testJpeg(64, 48, 1));
  writeFileSync(context, await testJpeg(96, 64, 2));
  expect((await runCli(['keys', 'generate', '--out', dev])).code).toBe(0);
  expect((await runCli(['keys', 'generate', '--out', hub])).code).toBe(0);
});

const create = (out: string, extra: string[] = []) =>
  runCli([
    'packet',
    'create',
    '--image',
    `${subject}:subject`,
    '--image',
    `${context}:context`,
    '--category',
    'theft',
    '--site',
    'shop-001',
    '--key',
    join(dev, 'signing.key'),
    '-o',
    out,
    ...extra,
  ]);
const verify = (file: string, extra: string[] = []) =>
  runCli(['packet', 'verify', file, '--device-key', join(dev, 'signing.pub'), ...extra]);

describe('keys generate', () => {
  it('writes PEM keys with private keys 0600 and refuses to overwrite them', async () => {
    expect(statSync(join(dev, 'signing.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dev, 'encryption.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dev, 'signing.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const again = await runCli(['keys', 'generate', '--out', dev]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refusing to overwrite/);
  });
});

describe('packet create / verify', () => {
  it('a created packet verifies (exit 0), also encrypted with the hub key', async () => {
    const p = join(dir, 'p1.jws');
    expect((await create(p)).code).toBe(0);
    const r = await verify(p);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok {3}signature/);
    expect(r.stdout).toMatch(/site shop-001, theft, 2 image\(s\)/);
    const e = join(dir, 'p1.jwe');
    expect((await create(e, ['--encrypt-to', join(hub, 'encryption.pub')])).code).toBe(0);
    expect((await verify(e, ['--hub-key', join(hub, 'encryption.key')])).code).toBe(0);
    const noKey = await verify(e);
    expect(noKey.code).toBe(1);
    expect(noKey.stdout).toMatch(/FAIL decrypt/);
  });

  it('names the failed check for a flipped byte and for the wrong device key', async () => {
    const p = join(dir, 'p2.jws');
    await create(p);
    const bytes = readFileSync(p);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x01;
    writeFileSync(join(dir, 'p2-bad.jws'), bytes);
    const bad = await verify(join(dir, 'p2-bad.jws'), ['--json']);
    expect(bad.code).toBe(1);
    const checks = JSON.parse(bad.stdout).checks as { check: string; ok: boolean }[];
    expect(checks.find((c) => !c.ok)?.check).toMatch(/signature|format/);
    const wrong = await runCli(['packet', 'verify', p, '--device-key', join(hub, 'signing.pub')]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/signature failed/);
  });

  it('refuses images that are not JPEG or carry EXIF, an unknown category, and an oversize packet', async () => {
    const png = join(dir, 'x.png');
    writeFileSync(png, Buffer.from('89504e470d0a1a0a0000', 'hex'));
    const r1 = await runCli([
      'packet',
      'create',
      '--image',
      png,
      '--category',
      'theft',
      '--site',
      'shop-001',
      '--key',
      join(dev, 'signing.key'),
      '-o',
      join(dir, 'x.jws'),
    ]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/not a JPEG/);
    const jpeg = readFileSync(subject);
    const exif = Buffer.concat([
      jpeg.subarray(0, 2),
      Buffer.from([0xff, 0xe1, 0x00, 0x08]),
      Buffer.from('Exif\0\0'),
      jpeg.subarray(2),
    ]);
    writeFileSync(join(dir, 'exif.jpg'), exif);
    const r2 = await runCli([
      'packet',
      'create',
      '--image',
      join(dir, 'exif.jpg'),
      '--category',
      'theft',
      '--site',
      'shop-001',
      '--key',
      join(dev, 'signing.key'),
      '-o',
      join(dir, 'y.jws'),
    ]);
    expect(r2.stderr).toMatch(/carries metadata \(EXIF\)/);
    const r3 = await create(join(dir, 'z.jws'), ['--category', 'shoplifting']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/--category must be one of theft/);
    const r4 = await create(join(dir, 'big.jws'), ['--max-bytes', '4096']);
    expect(r4.code).toBe(1);
    expect(r4.stderr).toMatch(/the limit is 4096 bytes/);
  });

  it('usage errors name what is missing', async () => {
    const r = await runCli(['packet', 'create', '--category', 'theft']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing --image, --site, --key, -o PACKET/);
    const v = await runCli(['packet', 'verify', join(dir, 'p1.jws')]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/--device-key PUB is required/);
  });
});

// `bcrp-edge models fetch|add|list` as an installer runs them: ../shared/models/yunet served by a local HTTP server
// standing in for the upstream release URL; files checked against the pinned SHA-256 before anything is stored;
// once installed, detect runs YuNet from the data dir without the "weaker detector" warning.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { sharedOrSkip } from '../support/shared.js';
import { syntheticStill } from '../support/synthetic-faces.js';
import { tempDir } from '../support/tmp.js';

const yunetDir = sharedOrSkip('models', 'yunet');
const dir = tempDir();
let server: Server;
let base = '';
let tamper = false;

beforeAll(async () => {
  if (!yunetDir) return;
  server = createServer((req, res) => {
    const name = (req.url ?? '').split('/').pop() ?? '';
    const file = join(yunetDir, name);
    if (!/^[\w.-]+\.onnx$/.test(name) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const bytes = readFileSync(file);
    if (tamper) bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/onnx`;
});
afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

describe.skipIf(!yunetDir)('bcrp-edge models', () => {
  it('fetch yunet downloads from the given base URL, checks the pinned SHA-256 and stores it in the data dir', async () => {
    const data = join(dir, 'fetch');
    const env = { BCRP_EDGE_DATA_DIR: data };
    const r = await runCli(['models', 'fetch', 'yunet', '--from', base, '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ id: 'yunet-n-dynamic', path: join(data, 'models', 'yunet_n_dynamic.onnx') });
    const stored = readFileSync(out.path);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(out.sha256);

    // detect now runs YuNet from the data dir, with no "weaker detector" warning.
    const still = join(dir, 'trio.jpg');
    writeFileSync(still, (await syntheticStill()).image);
    const d = await runCli(['detect', still, '--json'], env);
    expect(d.code).toBe(0);
    expect(d.stderr).toBe('');
    expect(JSON.parse(d.stdout)).toMatchObject({ model: 'yunet-n-dynamic' });
    expect(JSON.parse(d.stdout).faces).toHaveLength(3);

    const list = await runCli(['models', 'list', '--json'], env);
    const models = JSON.parse(list.stdout).models as { id: string; installed: string; intact?: boolean }[];
    expect(models.find((m) => m.id === 'yunet-n-dynamic')).toMatchObject({ installed: 'data-dir', intact: true });
    expect(models.find((m) => m.id === 'blazeface-back-256')).toMatchObject({ installed: 'npm', intact: true });
    expect(models.find((m) => m.id === 'yunet-s-dynamic')).toMatchObject({ installed: 'no' });
  }, 60000);

  it('a download whose bytes differ from the pinned ones is refused and nothing is stored', async () => {
    const data = join(dir, 'tampered');
    tamper = true;
    try {
      const r = await runCli(['models', 'fetch', 'yunet', '--from', base], { BCRP_EDGE_DATA_DIR: data });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is not yunet-n-dynamic: SHA-256 [0-9a-f]{64} .*nothing was installed/);
      expect(existsSync(join(data, 'models')) ? readdirSync(join(data, 'models')) : []).toEqual([]);
    } finally {
      tamper = false;
    }
  });

  it('an unreachable source is a clear error naming the URL and the way out (models add)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await runCli(['models', 'fetch', 'yunet', '--from', `http://127.0.0.1:${port}/x`], {
      BCRP_EDGE_DATA_DIR: join(dir, 'down'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cannot download yunet-n-dynamic from http:\/\/127\.0\.0\.1:\d+\/x\/yunet_n_dynamic\.onnx: ECONNREFUSED/,
    );
    expect(r.stderr).toMatch(/models add FILE/);
  });

  it('add FILE installs a file obtained by hand when it matches the manifest, and refuses anything else', async () => {
    const data = join(dir, 'add');
    const env = { BCRP_EDGE_DATA_DIR: data };
    const ok = await runCli(['models', 'add', join(yunetDir!, 'yunet_s_dynamic.onnx')], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/installed yunet-s-dynamic at .*yunet_s_dynamic\.onnx/);
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    const bad = await runCli(['models', 'add', junk], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/matches no model in models\/manifest.json; nothing was installed/);
    expect(readdirSync(join(data, 'models'))).toEqual(['yunet_s_dynamic.onnx']);
  });
});

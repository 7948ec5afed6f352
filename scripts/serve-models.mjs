#!/usr/bin/env node
// A stand-in for the face models' upstream release URL, for CI and tests: serves the *.onnx files of one directory
// (../shared/models/yunet) over HTTP on 127.0.0.1 at a free port, prints its base URL on the first line of stdout,
// and runs until it is killed. Used as BCRP_EDGE_MODELS_FROM (or `models fetch --from`), which fetches
// <base>/<file> and checks it against the SHA-256 pinned in models/manifest.json like a download from upstream.
//   node scripts/serve-models.mjs DIR
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir || !existsSync(dir)) {
  console.error(`serve-models: ${dir ?? '(no directory given)'} is not present`);
  process.exit(2);
}
const server = createServer((req, res) => {
  const name = (req.url ?? '').split('/').pop() ?? '';
  const file = join(dir, name);
  if (!/^[\w.-]+\.onnx$/.test(name) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
});
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}`);
});
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => server.close(() => process.exit(0)));

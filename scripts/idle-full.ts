// Idle cost of the appliance with everything `run` wires: the NVR emulator (reachable, with an NVR alarm-input
// button holding its alertStream open), the dev mosquitto with the publisher connected over mTLS, the reference hub,
// the web UI, retention. Starts that loopback stack, then runs `bcrp-edge bench idle --config` against it.
// Usage (after npm run build): npx tsx scripts/idle-full.ts [SECONDS (60)]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK_BIN, startApplianceStack } from '../test/support/appliance-stack.js';

const seconds = process.argv[2] ?? '60';
const dir = mkdtempSync(join(tmpdir(), 'bcrp-idle-full-'));
const stack = await startApplianceStack(dir, {
  config: { buttons: { sources: [{ kind: 'nvr-io', input: 1, camera: 1 }] } },
});
let status = 1;
try {
  // bench idle runs the service as a child on its own throwaway data dir with this configuration.
  const r = spawnSync(
    process.execPath,
    [STACK_BIN, 'bench', 'idle', '--config', stack.configFile, '--seconds', seconds],
    {
      stdio: 'inherit',
    },
  );
  status = r.status ?? 1;
} finally {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);

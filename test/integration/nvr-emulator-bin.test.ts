// The built `bcrp-edge nvr-emulator` as an installer or the demo runs it: one ready line with both URLs, digest
// auth on ISAPI, and a clean stop on SIGTERM and SIGINT that leaves no RTSP child behind.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IsapiClient } from '../../src/adapters/nvr/isapi/client.js';
import { parseDeviceInfo } from '../../src/adapters/nvr/isapi/xml.js';
import { startBin, waitFor } from '../support/cli.js';

/** Pids of processes whose parent is `ppid`. */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.each(['SIGTERM', 'SIGINT'] as const)('bcrp-edge nvr-emulator stopped by %s', (signal) => {
  it('prints ready, answers ISAPI with digest, and exits 0 with no child left', async () => {
    const child = startBin(['nvr-emulator', '--digest', 'sha256']);
    try {
      await waitFor(
        () => /ready http:\/\/127\.0\.0\.1:\d+ rtsp:\/\/127\.0\.0\.1:\d+/.test(child.output()),
        30_000,
        'the ready line',
      );
      const m = /ready http:\/\/127\.0\.0\.1:(\d+) rtsp:\/\/127\.0\.0\.1:(\d+)/.exec(child.output())!;
      const c = new IsapiClient({
        scheme: 'http',
        host: '127.0.0.1',
        port: Number(m[1]),
        username: 'admin',
        password: 'Passw0rd!',
        timeoutMs: 3000,
        retries: 0,
      });
      expect(parseDeviceInfo(await c.getXml('/ISAPI/System/deviceInfo', 'device information')).model).toMatch(/EMU/);
      await c.close();
      const kids = childrenOf(child.pid!);
      expect(kids.length).toBeGreaterThan(0); // the GStreamer side
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      await waitFor(() => kids.every((k) => !alive(k)), 8000, 'the RTSP child to exit');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('bcrp-edge nvr-emulator killed outright', () => {
  it('leaves no RTSP child behind even after SIGKILL (the child watches its stdin)', async () => {
    const child = startBin(['nvr-emulator']);
    try {
      await waitFor(() => /ready http/.test(child.output()), 30_000, 'the ready line');
      const kids = childrenOf(child.pid!);
      expect(kids.length).toBeGreaterThan(0);
      child.kill('SIGKILL');
      await waitFor(() => kids.every((k) => !alive(k)), 8000, 'the orphaned RTSP child to exit');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

// `bcrp-edge bench hub` end to end, tiny and bounded: it must store and ack every simulated packet and print its
// figures; timings themselves are not asserted (the bench prints them).
import { describe, expect, it } from 'vitest';
import { runBin, runCli } from '../support/cli.js';
import { POSTGRES_PRESENT } from '../support/postgres.js';

describe('bench hub', () => {
  it('refuses out-of-range options with a clear message', async () => {
    expect((await runCli(['bench', 'hub', '--devices', '0'])).stderr).toMatch(/--devices must be an integer from 1/);
    expect((await runCli(['bench', 'hub', '--store', 'mysql'])).stderr).toMatch(/--store must be sqlite or postgres/);
    expect((await runCli(['bench', 'hub', '--devices', '1000', '--packets', '100'])).code).toBe(2);
  });

  const run = async (store: string) => {
    const r = await runBin(
      ['bench', 'hub', '--devices', '4', '--packets', '2', '--workers', '2', '--store', store, '--json'],
      { timeoutMs: 110_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      runs: {
        workers: number;
        packets: number;
        stored: number;
        acked: number;
        packetsPerSecond: number;
        hubCpuMsPerPacket: number;
        packetsPerWorkerCpuSecond: number;
        pipelineCpuMsPerPacket: { hub: number; broker: number; database: number | null; total: number } | null;
      }[];
      openFloorCpuMsPerPacket: number;
      ratio: number;
    };
    expect(out.runs.map((x) => [x.workers, x.packets, x.stored, x.acked])).toEqual([
      [1, 8, 8, 8],
      [2, 8, 8, 8],
    ]);
    expect(out.runs[0]!.packetsPerSecond).toBeGreaterThan(0);
    // The load-independent figures: worker CPU per packet, and opening alone in-process (its floor).
    expect(out.runs[0]!.hubCpuMsPerPacket).toBeGreaterThan(0);
    expect(out.runs[0]!.packetsPerWorkerCpuSecond).toBeGreaterThan(0);
    expect(out.openFloorCpuMsPerPacket).toBeGreaterThan(0);
    const pipeline = out.runs[0]!.pipelineCpuMsPerPacket!;
    expect(pipeline.total).toBeGreaterThanOrEqual(pipeline.hub);
    expect(pipeline.database === null).toBe(store === 'sqlite');
    expect(typeof out.ratio).toBe('number');
  };

  it('stores and acks every packet from simulated devices, 1 and 2 workers (SQLite)', () => run('sqlite'), 120_000);

  it.skipIf(!POSTGRES_PRESENT)(
    'stores and acks every packet from simulated devices, 1 and 2 workers (PostgreSQL)',
    () => run('postgres'),
    120_000,
  );
});

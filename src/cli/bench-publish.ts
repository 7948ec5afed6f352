// `bcrp-edge bench publish [--packets N] [--plain] [--json]`: packet cost and publish→ack latency through a
// throwaway mosquitto on loopback; src/cli/bench.ts dispatches to it.
import { benchPublish } from '../bench/publish.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { parse } from './args.js';
import { type Command, printJson } from './io.js';

export const benchPublishCommand: Command = {
  name: 'bench publish',
  summary: 'measure packet build/sign/encrypt, publish→ack latency and hub throughput',
  usage: 'bcrp-edge bench publish [--packets N (≥200)] [--plain] [--json]',
  async run(args, io) {
    const { values } = parse(
      args,
      { packets: { type: 'string' }, plain: { type: 'boolean' }, json: { type: 'boolean' } },
      this.usage,
    );
    const packets = values.packets ? Number(values.packets) : 200;
    if (!Number.isInteger(packets) || packets < 200) throw new UsageError('--packets must be an integer ≥ 200');
    const r = await benchPublish({ packets, encrypt: !values.plain });
    if (values.json) printJson(io, r);
    else {
      io.out(
        `packets: ${r.packets} of ${r.packetBytes.published} bytes (image ${r.image.width}×${r.image.height}, ${r.image.bytes} bytes)`,
      );
      io.out(`build+sign ms:          p50 ${r.buildSignMs.p50}  p95 ${r.buildSignMs.p95}`);
      io.out(`build+sign+encrypt ms:  p50 ${r.buildSignEncryptMs.p50}  p95 ${r.buildSignEncryptMs.p95}`);
      io.out(
        `publish→ack ms, one at a time (${r.publishToAckMs.oneAtATime.count}): p50 ${r.publishToAckMs.oneAtATime.p50}  p95 ${r.publishToAckMs.oneAtATime.p95}`,
      );
      io.out(
        `publish→ack ms, burst (${r.publishToAckMs.burst.count}):      p50 ${r.publishToAckMs.burst.p50}  p95 ${r.publishToAckMs.burst.p95}`,
      );
      io.out(
        `hub packets/s: verify+decrypt+store ${r.hubPacketsPerSecond.verifyDecryptStore}, through the broker ${r.hubPacketsPerSecond.throughBrokerBurst}`,
      );
    }
    return ExitCode.ok;
  },
};

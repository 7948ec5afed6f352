// `bcrp-edge discover`: lists ONVIF recorders and cameras that answer a WS-Discovery probe sent from the named
// LAN interface only, with whether each answers ISAPI (a Hikvision recorder with ISAPI enabled).
import { discover } from '../adapters/nvr/onvif/discovery.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { parse } from './args.js';
import { type Command, printJson } from './io.js';

const usage = 'bcrp-edge discover --interface IF [--timeout MS] [--target IP:PORT] [--json]';

export const discoverCommand: Command = {
  name: 'discover',
  summary: 'find recorders and cameras on the shop LAN',
  usage,
  async run(args, io) {
    const { values } = parse(
      args,
      {
        interface: { type: 'string', short: 'i' },
        timeout: { type: 'string' },
        target: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (!values.interface)
      throw new UsageError(`name the shop-LAN interface to probe from with --interface (e.g. eth0)\nusage: ${usage}`);
    const timeoutMs = values.timeout === undefined ? 3000 : Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 200 || timeoutMs > 30_000)
      throw new UsageError('--timeout must be 200–30000 ms');
    let target: { host: string; port: number } | undefined;
    if (values.target) {
      const m = /^([\d.]+):(\d+)$/.exec(values.target);
      if (!m) throw new UsageError('--target must be IPV4:PORT');
      target = { host: m[1]!, port: Number(m[2]) };
    }
    const devices = await discover({ interfaceName: values.interface, timeoutMs, ...(target ? { target } : {}) });
    if (values.json) printJson(io, { interface: values.interface, devices });
    else if (devices.length === 0) io.out(`no ONVIF devices answered on ${values.interface} within ${timeoutMs} ms`);
    else {
      for (const d of devices) {
        const isapi = { yes: 'ISAPI open', login: 'ISAPI on (login needed)', no: 'no ISAPI', unknown: 'ISAPI unknown' }[
          d.isapi
        ];
        io.out(`${d.address}  ${d.hardware ?? '?'}  ${d.name ?? ''}  ${isapi}  ${d.xaddrs[0]}`);
      }
    }
    return ExitCode.ok;
  },
};

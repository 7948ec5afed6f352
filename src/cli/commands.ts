// Every command of the one `bcrp-edge` binary. Commands that are planned but not built yet are listed so that
// --help shows the whole product; running one says so and exits 2 instead of silently doing nothing.
import { auditExport, auditNote, auditVerify } from './audit.js';
import { capture } from './capture.js';
import { configValidate } from './config-validate.js';
import { discoverCommand } from './discover.js';
import type { Command } from './io.js';
import { nvrEmulator } from './nvr-emulator.js';
import { run } from './run.js';

const planned = (name: string, summary: string): Command => ({ name, summary, usage: `bcrp-edge ${name}` });

export const COMMANDS: readonly Command[] = [
  planned('demo', 'start the whole product on this machine (NVR emulator, broker, hub, web UI)'),
  run,
  configValidate,
  planned('detect', 'find faces in image files'),
  planned('redact', 'redact the faces in an image'),
  capture,
  planned('keys generate', 'make a device signing key and encryption key pair'),
  planned('packet create', 'build a signed incident packet from redacted images'),
  planned('packet verify', "check a packet's signature, hashes and schema"),
  auditVerify,
  auditExport,
  auditNote,
  planned('retention sweep', 'delete what has passed its retention period'),
  planned('sar export', 'answer a subject access request'),
  planned('compliance report', 'report what the appliance does for each code-of-practice principle'),
  planned('provision', 'set the appliance up for a shop'),
  discoverCommand,
  planned('doctor', 'check that everything the appliance needs works'),
  planned('hub', 'run the reference hub receiver'),
  nvrEmulator,
  planned('bench', 'measure speed and memory'),
];

/** Finds the command named by the first one or two words of argv. */
export function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  const two = argv.slice(0, 2).join(' ');
  const byTwo = COMMANDS.find((c) => c.name === two);
  if (byTwo) return { command: byTwo, rest: argv.slice(2) };
  const byOne = COMMANDS.find((c) => c.name === argv[0]);
  if (byOne) return { command: byOne, rest: argv.slice(1) };
  return undefined;
}

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}${c.run ? '' : ' (not built yet)'}`);
  return [
    'bcrp-edge: capture, redact and share CCTV stills with the Business Crime Reduction Partnership',
    '',
    'usage: bcrp-edge COMMAND [options]     (bcrp-edge COMMAND --help for its options)',
    '',
    'commands:',
    ...lines,
    '',
    'common options: --config FILE (or BCRP_EDGE_CONFIG; default /etc/bcrp-edge/config.yaml),',
    '                --data-dir DIR (or BCRP_EDGE_DATA_DIR; default /var/lib/bcrp-edge), --json',
    'exit codes: 0 ok, 1 failure, 2 usage, 78 bad configuration',
  ].join('\n');
}

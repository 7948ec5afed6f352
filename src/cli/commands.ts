// Every command of the one `bcrp-edge` binary. Commands that are planned but not built yet are listed so that
// --help shows the whole product; running one says so and exits 2 instead of silently doing nothing.
import { auditExport, auditNote, auditVerify } from './audit.js';
import { auditCheckpoint, auditRegister } from './audit-extra.js';
import { bench } from './bench.js';
import { capture } from './capture.js';
import { complianceReport } from './compliance.js';
import { configDocs, configValidate } from './config-validate.js';
import { demo } from './demo.js';
import { detect } from './detect.js';
import { discoverCommand } from './discover.js';
import { doctor } from './doctor.js';
import { evidenceShow } from './evidence.js';
import { hub } from './hub.js';
import type { Command } from './io.js';
import { keysGenerate } from './keys.js';
import { modelsAdd, modelsFetch, modelsList } from './models.js';
import { nvrEmulator } from './nvr-emulator.js';
import { packetCreate, packetVerify } from './packet.js';
import { provision } from './provision.js';
import { redact } from './redact.js';
import { redactClip } from './redact-clip.js';
import { holdList, holdPlace, holdRelease, retentionSweep } from './retention.js';
import { run } from './run.js';
import { policeExport, sarExport, sarFaces } from './sar.js';

const LISTED: readonly Command[] = [
  demo,
  run,
  configValidate,
  configDocs,
  detect,
  redact,
  redactClip,
  modelsList,
  modelsFetch,
  modelsAdd,
  keysGenerate,
  packetCreate,
  packetVerify,
  auditVerify,
  auditExport,
  auditNote,
  auditRegister,
  auditCheckpoint,
  retentionSweep,
  holdPlace,
  holdRelease,
  holdList,
  sarFaces,
  sarExport,
  policeExport,
  evidenceShow,
  complianceReport,
  provision,
  doctor,
  hub,
  bench,
  capture,
  discoverCommand,
  nvrEmulator,
];

/** The list shown by --help: a planned entry drops out once a built command of that name exists. */
export const COMMANDS: readonly Command[] = LISTED.filter(
  (c, i) =>
    LISTED.indexOf(c) === i && (c.run !== undefined || !LISTED.some((o) => o.run !== undefined && o.name === c.name)),
);

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

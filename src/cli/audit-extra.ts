// `bcrp-edge audit register media|disclosure`, `bcrp-edge audit checkpoint` and the --checkpoints part of
// `audit verify`: the code of practice's registers as CSV, and signed checkpoints of the chain for the hub.

import { createPublicKey } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JoseSigner, joseVerifier, SIGNING_PUBLIC_FILE } from '../adapters/crypto/checkpoint-signer.js';
import { loadPrivateKey } from '../adapters/crypto/keys.js';
import { SqliteCheckpoints } from '../adapters/store/sqlite-checkpoints.js';
import { configPath, loadConfigFile } from '../config/load.js';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { type Clock, systemClock } from '../core/ports/clock.js';
import { DISCLOSURE_COLUMNS, disclosureRegister, MEDIA_COLUMNS, mediaRegister, toCsv } from '../core/registers.js';
import { Checkpointer, localOnlyQueue } from '../services/audit/checkpoints.js';
import { parseCheckpointFile, verifyAgainstCheckpoints } from '../services/audit/verify-checkpoints.js';
import { commonOptions, parse, requireIso } from './args.js';
import { type CliIo, type Command, printJson } from './io.js';
import { loadConfig } from './retention.js';
import { openState, type State } from './state.js';

/** Writes a new file (never over an existing one), with a clear message when it cannot. */
export async function writeNewFile(path: string, text: string): Promise<void> {
  const out = createWriteStream(path, { flags: 'wx', mode: 0o640 });
  await once(out, 'open').catch((e: NodeJS.ErrnoException) => {
    throw new AppError(
      'export-failed',
      e.code === 'EEXIST' ? `${path} already exists: choose another name` : `cannot write ${path}: ${e.code}`,
    );
  });
  out.end(text);
  await once(out, 'finish');
}

export const auditRegister: Command = {
  name: 'audit register',
  summary: 'export the media or disclosure register (views over the audit log) as CSV',
  usage:
    'bcrp-edge audit register media|disclosure -o FILE.csv [--from ISO] [--to ISO] [--actor NAME] [--data-dir DIR]',
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      {
        ...commonOptions,
        out: { type: 'string', short: 'o' },
        from: { type: 'string' },
        to: { type: 'string' },
        actor: { type: 'string' },
      },
      this.usage,
      true,
    );
    const which = positionals[0];
    if ((which !== 'media' && which !== 'disclosure') || positionals.length > 1)
      throw new UsageError(`say which register: media or disclosure\nusage: ${this.usage}`);
    if (!values.out) throw new UsageError(`-o FILE.csv is required\nusage: ${this.usage}`);
    const from = requireIso(values.from, '--from');
    const to = requireIso(values.to, '--to');
    const state = openState(values['data-dir'], io.env);
    try {
      const entries = state.audit.entries({
        ...(from ? { fromTime: from.toISOString() } : {}),
        ...(to ? { toTime: to.toISOString() } : {}),
      });
      const csv =
        which === 'media'
          ? toCsv(mediaRegister(entries), MEDIA_COLUMNS)
          : toCsv(disclosureRegister(entries), DISCLOSURE_COLUMNS);
      const rows = csv.split('\r\n').length - 2;
      await writeNewFile(values.out, csv);
      state.audit.append({
        actor: values.actor ?? 'cli',
        action: 'export',
        subject: `register:${which}`,
        details: { rows, file: values.out, from: from?.toISOString() ?? null, to: to?.toISOString() ?? null },
      });
      if (values.json) printJson(io, { register: which, rows, file: values.out });
      else io.out(`wrote the ${which} register (${rows} rows) to ${values.out}`);
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

export async function checkpointerFor(
  state: State,
  siteId: string,
  everyRows: number,
  everyMinutes: number,
  clock: Clock = systemClock,
) {
  const signer = await JoseSigner.loadOrCreate(state.dir);
  return new Checkpointer({
    store: new SqliteCheckpoints(state.db),
    audit: state.audit,
    signer,
    queue: localOnlyQueue,
    clock,
    options: { siteId, everyRows, everyMinutes },
  });
}

export const auditCheckpoint: Command = {
  name: 'audit checkpoint',
  summary: 'sign a checkpoint of the audit chain now, or list / export the ones made',
  usage: 'bcrp-edge audit checkpoint [--list] [-o FILE.jsonl] [--config FILE] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parse(
      args,
      { ...commonOptions, list: { type: 'boolean' }, out: { type: 'string', short: 'o' } },
      this.usage,
    );
    const config = loadConfig(values.config, io);
    const state = openState(values['data-dir'], io.env);
    try {
      const cp = await checkpointerFor(
        state,
        config.site.id,
        config.retention.checkpointRows,
        config.retention.checkpointMinutes,
      );
      if (values.list || values.out) {
        const all = cp.all();
        if (values.out) {
          await writeNewFile(
            values.out,
            all.map((c) => `${JSON.stringify({ seq: c.seq, time: c.time, jws: c.jws })}\n`).join(''),
          );
          io.out(`wrote ${all.length} checkpoint(s) to ${values.out}`);
        } else if (values.json) printJson(io, all);
        else for (const c of all) io.out(`${c.seq}  ${c.time}  ${c.hash}`);
        return ExitCode.ok;
      }
      const made = await cp.checkpoint({ force: true });
      if (values.json) printJson(io, made ?? null);
      else
        io.out(
          made ? `checkpoint at entry ${made.seq} signed (${made.hash})` : 'nothing new since the last checkpoint',
        );
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

/** The --checkpoints part of `audit verify`; returns the exit code. */
export async function verifyCheckpointsCommand(
  io: CliIo,
  state: State,
  file: string,
  publicKeyFile: string | undefined,
  json: boolean,
  configFlag?: string,
): Promise<ExitCode> {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new AppError('file-unreadable', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code}`);
    }
  };
  const jws = parseCheckpointFile(read(file, 'the checkpoint file'), file);
  const pems = publicKeyFile
    ? [read(publicKeyFile, 'the device public key')]
    : deviceCheckpointKeys(state.dir, configFlag, io);
  if (pems.length === 0)
    throw new AppError(
      'no-public-key',
      `no device key to check the checkpoints with: give --public-key PEM, or --config with hub.deviceKey`,
    );
  const report = await verifyAgainstCheckpoints(state.audit, jws, pems, joseVerifier);
  if (json) printJson(io, report);
  else if (report.ok)
    io.out(
      `ok: ${report.chain.entries} entries verify and match ${report.checkpoints} checkpoint(s) the hub received, up to entry ${report.verifiedUpTo ?? '-'}`,
    );
  else io.out(`FAILED (${report.failure?.fault}): ${report.failure?.message}`);
  return report.ok ? ExitCode.ok : ExitCode.failure;
}

/**
 * The public keys this appliance signs checkpoints with: the device key (hub.deviceKey in the configuration: the
 * checkpoints the hub received) and the local checkpoint key in the data dir (made when there is no hub).
 */
function deviceCheckpointKeys(dataDir: string, configFlag: string | undefined, io: CliIo): string[] {
  const pems: string[] = [];
  const file = configPath(configFlag, io.env);
  if (configFlag !== undefined || existsSync(file)) {
    const deviceKey = loadConfigFile(file).config.hub.deviceKey;
    if (deviceKey)
      pems.push(
        createPublicKey(loadPrivateKey(deviceKey, 'ed25519')).export({ type: 'spki', format: 'pem' }).toString(),
      );
  }
  const local = join(dataDir, SIGNING_PUBLIC_FILE);
  if (existsSync(local)) pems.push(readFileSync(local, 'utf8'));
  return pems;
}

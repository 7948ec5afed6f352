// `bcrp-edge audit verify | export | note`: the auditor's tools for the hash-chained log.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import { commonOptions, parse, requireIso } from './args.js';
import { verifyCheckpointsCommand } from './audit-extra.js';
import { type Command, printJson } from './io.js';
import { openState } from './state.js';

export const auditVerify: Command = {
  name: 'audit verify',
  summary: 'check that the audit log is complete and unaltered',
  usage: 'bcrp-edge audit verify [--checkpoints FILE [--public-key PEM]] [--config FILE] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parse(
      args,
      { ...commonOptions, checkpoints: { type: 'string' }, 'public-key': { type: 'string' } },
      this.usage,
    );
    const state = openState(values['data-dir'], io.env, { readonly: true });
    try {
      if (values.checkpoints)
        return await verifyCheckpointsCommand(
          io,
          state,
          values.checkpoints,
          values['public-key'],
          values.json ?? false,
          values.config,
        );
      const report = state.audit.verify();
      if (values.json) printJson(io, report);
      else if (report.ok)
        io.out(
          `ok: ${report.entries} entries, ${report.firstSeq ?? '-'}…${report.lastSeq ?? '-'}, head ${report.headHash ?? '-'}`,
        );
      else
        io.out(
          `FAILED at entry ${report.failure?.seq}: ${report.failure?.message} (${report.entries} entries before it verified)`,
        );
      return report.ok ? ExitCode.ok : ExitCode.failure;
    } finally {
      state.close();
    }
  },
};

export const auditExport: Command = {
  name: 'audit export',
  summary: 'export audit entries with their hashes as JSON lines',
  usage: 'bcrp-edge audit export [--from ISO] [--to ISO] -o FILE.jsonl [--data-dir DIR]',
  async run(args, io) {
    const { values } = parse(
      args,
      {
        ...commonOptions,
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string', short: 'o' },
        actor: { type: 'string' },
      },
      this.usage,
    );
    if (!values.out) throw new UsageError(`-o FILE is required\nusage: ${this.usage}`);
    const from = requireIso(values.from, '--from');
    const to = requireIso(values.to, '--to');
    const state = openState(values['data-dir'], io.env);
    try {
      const out = createWriteStream(values.out, { flags: 'wx', mode: 0o640 });
      await once(out, 'open').catch((e: NodeJS.ErrnoException) => {
        throw new AppError(
          'export-failed',
          e.code === 'EEXIST'
            ? `${values.out} already exists: choose another name`
            : `cannot write ${values.out}: ${e.code}`,
        );
      });
      let n = 0;
      let first: number | undefined;
      let last: number | undefined;
      for (const e of state.audit.entries({
        ...(from ? { fromTime: from.toISOString() } : {}),
        ...(to ? { toTime: to.toISOString() } : {}),
      })) {
        if (
          !out.write(
            `${JSON.stringify({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, subject: e.subject, details: e.details, prev_hash: e.prevHash, hash: e.hash })}\n`,
          )
        ) {
          await once(out, 'drain');
        }
        first ??= e.seq;
        last = e.seq;
        n++;
      }
      out.end();
      await once(out, 'finish');
      // The export itself is an audited disclosure of the log.
      state.audit.append({
        actor: values.actor ?? 'cli',
        action: 'export',
        subject: 'audit-log',
        details: { entries: n, fromSeq: first ?? null, toSeq: last ?? null, file: values.out },
      });
      if (values.json) printJson(io, { file: values.out, entries: n, fromSeq: first ?? null, toSeq: last ?? null });
      else io.out(`wrote ${n} entries${n ? ` (${first}…${last})` : ''} to ${values.out}`);
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

export const auditNote: Command = {
  name: 'audit note',
  summary: "add a remark to the audit log (the register's remarks column)",
  usage: 'bcrp-edge audit note "TEXT" [--actor NAME] [--subject ID] [--data-dir DIR]',
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { ...commonOptions, actor: { type: 'string' }, subject: { type: 'string' } },
      this.usage,
      true,
    );
    const text = positionals.join(' ').trim();
    if (!text) throw new UsageError(`the note text is missing\nusage: ${this.usage}`);
    if (text.length > 2000) throw new UsageError('a note is at most 2000 characters');
    const state = openState(values['data-dir'], io.env);
    try {
      const e = state.audit.append({
        actor: values.actor ?? 'cli',
        action: 'note',
        subject: values.subject ?? '-',
        details: { text },
      });
      if (values.json) printJson(io, e);
      else io.out(`noted as entry ${e.seq}`);
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

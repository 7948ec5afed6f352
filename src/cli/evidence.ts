// `bcrp-edge evidence show INCIDENT`: where an incident's police master stands (acquiring, sealed, failed), with
// its method, size, hash, window and the recorder's clock offset. Read-only.
import { SqliteEvidenceMasters } from '../adapters/store/sqlite-evidence-masters.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import { commonOptions, parse } from './args.js';
import { type Command, printJson } from './io.js';
import { openState } from './state.js';

export const evidenceShow: Command = {
  name: 'evidence show',
  summary: "show an incident's police master: state, retrieval method, size, SHA-256, window, recorder clock offset",
  usage: 'bcrp-edge evidence show INCIDENT [--json]',
  async run(args, io) {
    const { values, positionals } = parse(args, { ...commonOptions }, this.usage, true);
    const incidentId = positionals[0];
    if (!incidentId || positionals.length > 1) throw new UsageError(`name exactly one incident\nusage: ${this.usage}`);
    const state = openState(values['data-dir'], io.env, { readonly: true, clock: systemClock });
    try {
      const m = new SqliteEvidenceMasters(state.db, {
        audit: state.audit,
        clock: systemClock,
        ids: uuidV7Source(systemClock),
      }).forIncident(incidentId);
      if (!m) {
        io.err(`incident ${incidentId} has no police master (not captured yet, not a Hikvision recorder, or deleted)`);
        return ExitCode.failure;
      }
      if (values.json) printJson(io, m);
      else {
        io.out(
          `police master of ${incidentId}: ${m.state}${m.complete || m.state !== 'sealed' ? '' : ' (short: the recording ended early)'}`,
        );
        io.out(`  window      ${m.windowFrom} to ${m.windowTo} (camera ${m.camera})`);
        if (m.state === 'acquiring' && m.progressBytes !== null) {
          const windowSeconds = (Date.parse(m.windowTo) - Date.parse(m.windowFrom)) / 1000;
          io.out(
            `  progress    ${mib(m.progressBytes)} received${m.progressSeconds === null ? '' : `, ${m.progressSeconds.toFixed(1)} of ${windowSeconds} s of footage`}`,
          );
        }
        if (m.state === 'sealed') {
          io.out(`  method      ${m.method}, ${m.recorderName}, ${m.bytes} bytes`);
          io.out(`  sha256      ${m.sha256}`);
          io.out(`  sealed      ${m.sealedAt} (audit entry ${m.auditSeq})`);
        }
        if (m.clockOffsetMs !== null)
          io.out(
            `  recorder    clock ${m.clockOffsetMs > 0 ? '+' : ''}${(m.clockOffsetMs / 1000).toFixed(1)} s against the appliance`,
          );
        if (m.state !== 'sealed')
          io.out(
            `  attempts    ${m.attempts}${m.lastError ? `, last: ${m.lastError}` : ''}${m.nextAttemptAt ? `, next ${m.nextAttemptAt}` : ''}`,
          );
      }
      return m.state === 'sealed' ? ExitCode.ok : ExitCode.failure;
    } finally {
      state.close();
    }
  },
};

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

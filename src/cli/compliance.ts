// `bcrp-edge compliance report -o report.html`: the code-of-practice and BCRP retention report with live evidence.

import { existsSync, readdirSync } from 'node:fs';
import { SqliteAccounts } from '../adapters/store/sqlite-accounts.js';
import { SqliteCheckpoints } from '../adapters/store/sqlite-checkpoints.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteRetentionStore } from '../adapters/store/sqlite-retention.js';
import { checkStore } from '../adapters/store/store-checks.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { uuidV7Source } from '../core/ports/ids.js';
import { gatherEvidence } from '../services/compliance/evidence.js';
import { renderComplianceHtml } from '../services/compliance/html.js';
import { findings } from '../services/compliance/principles.js';
import { HoldService } from '../services/holds/holds.js';
import { sarAnswersDir } from '../services/sar/subject-access-desk.js';
import { commonOptions, parse } from './args.js';
import { writeNewFile } from './audit-extra.js';
import { type Command, printJson } from './io.js';
import { clockFrom, loadConfig } from './retention.js';
import { openState } from './state.js';

export const complianceReport: Command = {
  name: 'compliance report',
  summary: 'report what the appliance does for each code-of-practice principle and BCRP retention rule',
  usage: 'bcrp-edge compliance report -o report.html [--now ISO] [--config FILE] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parse(
      args,
      { ...commonOptions, out: { type: 'string', short: 'o' }, now: { type: 'string' }, actor: { type: 'string' } },
      this.usage,
    );
    if (!values.out && !values.json) throw new UsageError(`-o FILE.html (or --json) is required\nusage: ${this.usage}`);
    const config = loadConfig(values.config, io);
    const clock = clockFrom(values.now);
    const state = openState(values['data-dir'], io.env, { clock });
    try {
      const holds = new HoldService({
        holds: new SqliteHolds(state.db),
        audit: state.audit,
        clock,
        ids: uuidV7Source(clock),
      });
      const evidence = gatherEvidence(
        {
          retention: new SqliteRetentionStore(state.db),
          checkpoints: new SqliteCheckpoints(state.db),
          accounts: new SqliteAccounts(state.db, clock),
          audit: state.audit,
        },
        config,
        clock.now(),
        holds.list({ activeOnly: true }),
        sarFolders(state.dir),
        checkStore(state.db, state.dir),
      );
      const f = findings(evidence);
      const attention = [...f.principles, ...f.bcrp].filter((x) => x.status === 'attention').map((x) => x.id);
      if (values.out) {
        await writeNewFile(values.out, renderComplianceHtml(evidence));
        state.audit.append({
          actor: values.actor ?? 'cli',
          action: 'export',
          subject: 'compliance-report',
          details: { file: values.out, attention },
        });
      }
      if (values.json) printJson(io, { evidence, ...f });
      else {
        io.out(`wrote the compliance report to ${values.out}`);
        io.out(attention.length ? `needs attention: ${attention.join(', ')}` : 'nothing needs attention');
      }
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

/** SAR answer folders the web wrote under <data-dir>/sar: retention does not sweep them, so the report counts them. */
function sarFolders(dataDir: string): { dir: string; count: number } | null {
  const dir = sarAnswersDir(dataDir);
  if (!existsSync(dir)) return { dir, count: 0 };
  try {
    return { dir, count: readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).length };
  } catch {
    return null;
  }
}

// `bcrp-edge retention sweep` and `bcrp-edge hold place|release|list`: retention and evidence holds from the
// command line, against the same store the service uses.
import { EncryptedFiles } from '../adapters/store/encrypted-files.js';
import { SqliteAccounts } from '../adapters/store/sqlite-accounts.js';
import { SqliteHolds } from '../adapters/store/sqlite-holds.js';
import { SqliteRetentionStore } from '../adapters/store/sqlite-retention.js';
import { configPath, loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { type Clock, FixedClock, systemClock } from '../core/ports/clock.js';
import { uuidV7Source } from '../core/ports/ids.js';
import { actorFromAccount } from '../services/actors.js';
import { HoldService } from '../services/holds/holds.js';
import { RetentionSweeper } from '../services/retention/sweeper.js';
import { commonOptions, parse, requireIso } from './args.js';
import { type CliIo, type Command, printJson } from './io.js';
import { openState, type State } from './state.js';

/**
 * The clock a command runs with: the system clock, or a fixed time from `--now` (time travel for checks and
 * tests). A `--now` in the future would delete data early or date records ahead, so commands that change state
 * refuse one; dry runs and reports may look ahead.
 */
export function clockFrom(now: string | undefined, options: { changesState?: boolean } = {}): Clock {
  const at = requireIso(now, '--now');
  if (!at) return systemClock;
  if (options.changesState && at.getTime() > systemClock.now().getTime() + FUTURE_SLACK_MS) {
    throw new UsageError(
      `--now ${at.toISOString()} is in the future: that would act early. Use it with --dry-run to see what would happen then.`,
    );
  }
  return new FixedClock(at);
}

const FUTURE_SLACK_MS = 5 * 60_000;

export function loadConfig(flag: string | undefined, io: CliIo): Config {
  return loadConfigFile(configPath(flag, io.env)).config;
}

export function sweeperFor(state: State, config: Config, clock: Clock): RetentionSweeper {
  const files = new EncryptedFiles(state.db, state.dir, { clock, ids: uuidV7Source(clock) });
  return new RetentionSweeper({
    store: new SqliteRetentionStore(state.db),
    files,
    audit: state.audit,
    clock,
    policy: config.retention,
  });
}

export const retentionSweep: Command = {
  name: 'retention sweep',
  summary: 'delete what has passed its retention period',
  usage: 'bcrp-edge retention sweep [--now ISO] [--dry-run] [--trust-clock] [--config FILE] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parse(
      args,
      { ...commonOptions, now: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'trust-clock': { type: 'boolean' } },
      this.usage,
    );
    const config = loadConfig(values.config, io);
    const dryRun = values['dry-run'] ?? false;
    const clock = clockFrom(values.now, { changesState: !dryRun });
    const state = openState(values['data-dir'], io.env, { clock });
    try {
      const holds = new HoldService({
        holds: new SqliteHolds(state.db),
        audit: state.audit,
        clock,
        ids: uuidV7Source(clock),
      });
      const expired = dryRun ? [] : holds.expireDue();
      const result = await sweeperFor(state, config, clock).sweep({
        dryRun,
        trustClock: values['trust-clock'] ?? false,
        // A sweep run at a time given on the command line says so in every entry it writes.
        actor: values.now ? `retention (--now ${values.now})` : 'retention',
      });
      if (values.json) printJson(io, { ...result, holdsExpired: expired.map((h) => h.id) });
      else {
        if (result.outcome === 'refused') {
          io.err(`warning: ${result.message}`);
          return ExitCode.failure;
        }
        const verb = dryRun ? 'due (dry run, nothing deleted)' : 'deleted';
        io.out(`${result.deleted.length} item(s) ${verb} at ${result.now}`);
        for (const d of result.deleted) io.out(`  ${d.target} ${d.id}: ${d.what} — ${d.why} [${d.policy}]`);
        for (const h of expired) io.out(`  hold ${h.id} on ${h.incidentId} expired`);
        for (const h of result.held) io.out(`  kept ${h.items} item(s) of ${h.incidentId}: ${h.reason}`);
        for (const f of result.failures) io.err(`  FAILED ${f.target} ${f.id}: ${f.message}`);
        if (result.message) io.err(`warning: ${result.message}`);
        io.out(`next due: ${result.nextDueAt ?? 'nothing pending'}`);
      }
      return result.outcome === 'done' ? ExitCode.ok : ExitCode.failure;
    } finally {
      state.close();
    }
  },
};

const holdOptions = { ...commonOptions, actor: { type: 'string' }, now: { type: 'string' } } as const;

export const holdPlace: Command = {
  name: 'hold place',
  summary: 'exempt an incident from retention (evidence hold)',
  usage: 'bcrp-edge hold place INCIDENT --reason TEXT [--reference CRIME-NO] [--expires ISO] --actor MANAGER [--json]',
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { ...holdOptions, reason: { type: 'string' }, reference: { type: 'string' }, expires: { type: 'string' } },
      this.usage,
      true,
    );
    const incidentId = positionals[0];
    if (!incidentId || positionals.length > 1) throw new UsageError(`name exactly one incident\nusage: ${this.usage}`);
    if (!values.reason) throw new UsageError(`--reason is required\nusage: ${this.usage}`);
    const expiresAt = requireIso(values.expires, '--expires');
    const clock = clockFrom(values.now, { changesState: true });
    const state = openState(values['data-dir'], io.env, { clock });
    try {
      const holds = new HoldService({
        holds: new SqliteHolds(state.db),
        audit: state.audit,
        clock,
        ids: uuidV7Source(clock),
      });
      const hold = holds.place({
        incidentId,
        reason: values.reason,
        ...(values.reference ? { reference: values.reference } : {}),
        ...(expiresAt ? { expiresAt } : {}),
        actor: actorFromAccount(new SqliteAccounts(state.db, clock), values.actor),
      });
      if (values.json) printJson(io, hold);
      else
        io.out(
          `hold ${hold.id} placed on ${incidentId}${hold.expiresAt ? ` until ${hold.expiresAt}` : ' until released'}`,
        );
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

export const holdRelease: Command = {
  name: 'hold release',
  summary: 'end an evidence hold (its data then follows normal retention)',
  usage: 'bcrp-edge hold release HOLD-ID --actor MANAGER [--why TEXT] [--json]',
  async run(args, io) {
    const { values, positionals } = parse(args, { ...holdOptions, why: { type: 'string' } }, this.usage, true);
    const holdId = positionals[0];
    if (!holdId || positionals.length > 1) throw new UsageError(`name exactly one hold\nusage: ${this.usage}`);
    const clock = clockFrom(values.now, { changesState: true });
    const state = openState(values['data-dir'], io.env, { clock });
    try {
      const holds = new HoldService({
        holds: new SqliteHolds(state.db),
        audit: state.audit,
        clock,
        ids: uuidV7Source(clock),
      });
      const hold = holds.release({
        holdId,
        actor: actorFromAccount(new SqliteAccounts(state.db, clock), values.actor),
        ...(values.why ? { why: values.why } : {}),
      });
      if (values.json) printJson(io, hold);
      else io.out(`hold ${hold.id} on ${hold.incidentId} released`);
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

export const holdList: Command = {
  name: 'hold list',
  summary: 'list evidence holds',
  usage: 'bcrp-edge hold list [--all] [--data-dir DIR] [--json]',
  async run(args, io) {
    const { values } = parse(args, { ...holdOptions, all: { type: 'boolean' } }, this.usage);
    const clock = clockFrom(values.now);
    const state = openState(values['data-dir'], io.env, { clock });
    try {
      const holds = new HoldService({
        holds: new SqliteHolds(state.db),
        audit: state.audit,
        clock,
        ids: uuidV7Source(clock),
      });
      const list = holds.list({ activeOnly: !values.all });
      if (values.json) printJson(io, list);
      else if (list.length === 0) io.out(values.all ? 'no holds' : 'no active holds');
      else
        for (const h of list)
          io.out(
            `${h.id}  ${h.incidentId}  ${h.active ? 'active' : `ended ${h.releasedAt ?? ''}`}  by ${h.placedBy} ${h.placedAt}  ${h.reference ?? '-'}  ${h.reason}${h.expiresAt ? `  expires ${h.expiresAt}` : ''}`,
          );
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

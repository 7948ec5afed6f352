// `bcrp-edge hub users …` and `bcrp-edge hub audit verify`: the hub page's accounts and the hub's own audit chain
// (subcommands of `hub`, kept here so hub.ts stays about receiving packets).
import { AppError, ExitCode, UsageError } from '../core/errors.js';
import type { Clock } from '../core/ports/clock.js';
import type { HubStore } from '../core/ports/hub-store.js';
import { HubAccounts } from '../hub/hub-accounts.js';
import { HubAudit } from '../hub/hub-audit.js';
import { type CliIo, printJson } from './io.js';
import { terminalPrompter } from './prompt.js';
import { readSecretFile } from './provision.js';

export const HUB_PAGE_USAGE = `       bcrp-edge hub users list [--json]
       bcrp-edge hub users add NAME --role member|administrator [--password-file FILE]
       bcrp-edge hub users remove NAME
       bcrp-edge hub audit verify [--json]`;

/** Who the hub's audit chain names for changes made at the command line. */
export const cliActor = (io: CliIo) => `cli:${io.env['SUDO_USER'] ?? io.env['USER'] ?? 'unknown'}`;

export async function hubUsers(
  store: HubStore,
  args: string[],
  values: { json?: boolean | undefined; role?: string | undefined; 'password-file'?: string | undefined },
  clock: Clock,
  io: CliIo,
): Promise<ExitCode> {
  const accounts = new HubAccounts(store, clock);
  const audit = new HubAudit(store, clock);
  const [action = 'list', name] = args;
  if (action === 'list') {
    const rows = (await accounts.list()).map((u) => ({ username: u.username, role: u.role, createdAt: u.createdAt }));
    if (values.json) printJson(io, rows);
    else {
      for (const u of rows) io.out(`${u.username.padEnd(24)} ${u.role.padEnd(13)} since ${u.createdAt}`);
      io.out(`${rows.length} hub user(s)`);
    }
    return ExitCode.ok;
  }
  if (action !== 'add' && action !== 'remove')
    throw new UsageError(`unknown hub users action '${action}'\nusage:\n${HUB_PAGE_USAGE}`);
  if (!name) throw new UsageError(`hub users ${action} needs a user NAME\nusage:\n${HUB_PAGE_USAGE}`);
  if (action === 'remove') {
    if (!(await accounts.remove(name))) throw new AppError('not-found', `there is no hub user called ${name}`);
    await audit.append({ actor: cliActor(io), action: 'user-change', subject: name, details: { change: 'removed' } });
    io.out(`hub user ${name} removed; their sessions ended`);
    return ExitCode.ok;
  }
  if (!values.role) throw new UsageError(`hub users add needs --role member|administrator\nusage:\n${HUB_PAGE_USAGE}`);
  let password = values['password-file'] ? readSecretFile(values['password-file'], '--password-file') : undefined;
  if (password === undefined) {
    if (!process.stdin.isTTY)
      throw new UsageError('give the password with --password-file FILE (no terminal to ask on)');
    const prompt = terminalPrompter();
    try {
      password = await prompt.secret(`Password for ${name} (12 characters or more)`);
      const again = await prompt.secret('The same password again');
      if (again !== password) throw new UsageError('the two passwords differ; nothing was changed');
    } finally {
      prompt.close();
    }
  }
  const user = await accounts.add(name, values.role, password);
  await audit.append({
    actor: cliActor(io),
    action: 'user-change',
    subject: user.username,
    details: { change: 'added', role: user.role },
  });
  io.out(`hub user ${user.username} added as ${user.role}`);
  return ExitCode.ok;
}

export async function hubAuditCommand(
  store: HubStore,
  args: string[],
  values: { json?: boolean | undefined },
  clock: Clock,
  io: CliIo,
): Promise<ExitCode> {
  const [action] = args;
  if (action !== 'verify') throw new UsageError(`hub audit needs 'verify'\nusage:\n${HUB_PAGE_USAGE}`);
  const report = await new HubAudit(store, clock).verify();
  if (values.json) printJson(io, report);
  else if (report.ok)
    io.out(
      `hub audit chain OK: ${report.entries} entr${report.entries === 1 ? 'y' : 'ies'}${report.headHash ? `, head ${report.lastSeq} ${report.headHash}` : ''}`,
    );
  else io.out(`hub audit chain BROKEN at entry ${report.failure?.seq}: ${report.failure?.message}`);
  return report.ok ? ExitCode.ok : ExitCode.failure;
}

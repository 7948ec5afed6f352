// The audit log as the CLI writes it: every entry also names the operating-system account and the terminal the
// command ran from, because `--actor NAME` is only a claim. CLI access is root access on the appliance (the store,
// the keys and the configuration are root's), so this is what ties a CLI action to a login.
import { readlinkSync } from 'node:fs';
import { userInfo } from 'node:os';
import { SqliteAuditLog } from '../adapters/store/sqlite-audit-log.js';
import type { AuditEntry, AuditEvent } from '../core/audit-chain.js';

export interface CliOrigin {
  /** The account the process runs as. */
  osUser: string;
  /** The account that ran sudo, when it did. */
  sudoUser: string | null;
  /** The controlling terminal (e.g. /dev/pts/0), or null when run without one (a script, a timer). */
  terminal: string | null;
}

export function cliOrigin(env: NodeJS.ProcessEnv): CliOrigin {
  let osUser: string;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = `uid:${process.getuid?.() ?? 'unknown'}`;
  }
  let terminal: string | null = null;
  for (const fd of [0, 1, 2]) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (/^\/dev\/(pts\/\d+|tty\w*|console)$/.test(target)) {
        terminal = target;
        break;
      }
    } catch {
      // no /proc (not Linux) or the descriptor is closed
    }
  }
  return { osUser, sudoUser: env['SUDO_USER'] || null, terminal };
}

export class CliAuditLog extends SqliteAuditLog {
  readonly #origin: CliOrigin;

  constructor(...args: [...ConstructorParameters<typeof SqliteAuditLog>, CliOrigin]) {
    super(args[0], args[1]);
    this.#origin = args[2];
  }

  #stamp(event: AuditEvent): AuditEvent {
    return { ...event, details: { ...event.details, cli: { ...this.#origin } } };
  }

  override append(event: AuditEvent): AuditEntry {
    return super.append(this.#stamp(event));
  }

  override appendInTransaction(event: AuditEvent): AuditEntry {
    return super.appendInTransaction(this.#stamp(event));
  }
}

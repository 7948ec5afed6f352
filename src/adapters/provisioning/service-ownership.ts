// Who owns the installed files, with the system's own tools (`id`, `chown`): provisioning runs as root and hands the
// secrets and the data directory to the service user (scripts/install.sh creates it).
import { execFileSync } from 'node:child_process';
import { AppError } from '../../core/errors.js';
import type { FileOwnership } from '../../core/ports/provisioning.js';

/** The account's primary group; an AppError when there is no such account. */
function groupOf(owner: string): string {
  try {
    return execFileSync('id', ['-gn', owner], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new AppError(
      'no-such-user',
      `cannot give the files to ${owner}: no such user (scripts/install.sh creates bcrp-edge)`,
    );
  }
}

export const chownOwnership: FileOwnership = {
  check(owner) {
    groupOf(owner);
  },
  handOver(owner, p) {
    const group = groupOf(owner);
    try {
      execFileSync('chown', ['-R', `root:${group}`, p.configDir], { stdio: ['ignore', 'ignore', 'pipe'] });
      execFileSync('chown', ['-R', `${owner}:${group}`, p.secretsDir, p.dataDir], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (e) {
      throw new AppError('chown-failed', `cannot give the files to ${owner}: ${(e as Error).message.split('\n')[0]}`);
    }
  },
};

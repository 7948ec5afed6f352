// A throwaway PostgreSQL cluster for tests and `bench hub --store postgres` (never production): Debian's binaries,
// initdb in a temp directory, listening only on a unix socket in that directory (no TCP port to collide with other
// tests). initdb refuses to run as root, so as root the cluster runs as the `postgres` system user.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/errors.js';

/** The newest installed server's bin directory, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

export interface DevPostgres {
  /** Connection string for the `bcrp` superuser and the `postgres` database over the unix socket. */
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** `fsync: false` (tests) trades crash safety for speed; the benchmark keeps the default, durable commits. */
export async function startDevPostgres(options: { fsync?: boolean } = {}): Promise<DevPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new AppError('postgres-missing', 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)');
  const dir = mkdtempSync(join(tmpdir(), 'bcrp-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
    const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const r = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0)
      throw new AppError('postgres-failed', `${cmd} failed: ${(r.stderr || r.stdout || String(r.error)).slice(-800)}`);
  };
  try {
    run('initdb', ['-D', data, '-U', 'bcrp', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      // No TCP listener at all: only the socket in this private directory.
      `-c listen_addresses='' -c unix_socket_directories='${dir}' -c fsync=${options.fsync === false ? 'off' : 'on'}`,
      'start',
    ]);
  } catch (e) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-800) : '';
    rmSync(dir, { recursive: true, force: true });
    throw log ? new AppError('postgres-failed', `${(e as Error).message}\n${log}`) : e;
  }
  let stopped = false;
  return {
    url: `postgresql://bcrp@/postgres?host=${encodeURIComponent(dir)}`,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
